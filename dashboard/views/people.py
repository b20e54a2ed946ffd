"""People: the influencers, the top 1% of contributors, the repeat critics, and the accounts
staff linked as one person.

Handles and names are shown only as dataframe cells or with ``st.text`` (plain text), cleaned
of bidirectional controls and zero-width characters by ``core.names.clean_name``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.names import clean_name
from dashboard.views import analytics, case_history
from dashboard.views.common import banners, board, window_days

SHOWN = 25


@st.cache_data(ttl=60, show_spinner="Counting…")
def _people(url: str, days: int) -> dict[str, object]:
    from dashboard.views.common import context, engine

    with engine().connect() as conn:
        since, until = analytics.window(conn, days, context().clock.now())
        authors = analytics.authors_in_window(conn, since, until)
        return {
            "authors": authors,
            "repeat": analytics.repeat_critics(conn, limit=SHOWN),
            "since": since,
            "until": until,
        }


def _table(df: pd.DataFrame, columns: list[str]) -> None:
    st.dataframe(
        _names(df[columns]),
        hide_index=True,
        width="stretch",
        column_config={
            "followers": st.column_config.NumberColumn(format="compact"),
            "sentiment": st.column_config.NumberColumn(format="%+.2f"),
            "volume_share": st.column_config.NumberColumn("share of volume", format="percent"),
            "last_opened": st.column_config.DatetimeColumn(
                "last opened", format="YYYY-MM-DD HH:mm"
            ),
        },
    )


def _names(df: pd.DataFrame) -> pd.DataFrame:
    """Handles as ``@handle`` and names, both cleaned for display."""
    shown = df.assign(handle=df["handle"].map(lambda h: f"@{clean_name(h)}"))
    if "name" in shown.columns:
        shown = shown.assign(
            name=shown["name"].map(lambda n: clean_name(n) if isinstance(n, str) else "")
        )
    return shown


def render() -> None:
    """The people page."""
    b = board()
    banners(b)
    st.title("People")
    days = window_days("people_window")
    data = _people(str(b.engine.url), days)
    authors = data["authors"]
    repeat = data["repeat"]
    assert isinstance(authors, pd.DataFrame) and isinstance(repeat, pd.DataFrame)
    st.caption(f"{len(authors):,} people mentioned the brand in this window.")
    if authors.empty:
        st.info("Nobody mentioned the brand in this window.")
    else:
        _lists(authors, repeat)
    case_history.people_section(b)


def _lists(authors: pd.DataFrame, repeat: pd.DataFrame) -> None:
    """The influencers, the top contributors and the repeat critics of the window."""
    st.subheader("Influencers (most followers)")
    _table(
        authors.sort_values("followers", ascending=False).head(SHOWN),
        ["handle", "name", "platform", "followers", "mentions", "sentiment"],
    )
    top = analytics.top_contributors(authors)
    st.subheader(f"Top 1% of contributors ({len(top)} people)")
    _table(top, ["handle", "name", "platform", "mentions", "volume_share", "sentiment"])
    st.subheader("Repeat critics (two or more cases)")
    if repeat.empty:
        st.info("No repeat critics yet.")
    else:
        _table(repeat, ["handle", "platform", "followers", "cases", "open", "last_opened"])


if __name__ == "__main__":
    render()
