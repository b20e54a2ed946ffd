"""Fairness: reply rate and reply time by follower tier, so small voices are not left behind."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.views import analytics
from dashboard.views.common import banners, board, window_days
from playbooks.learning.attribution import Attribution, LearningPolicy
from playbooks.learning.cost import loud_flag, shares

#: A tier whose reply rate trails the best tier by more than this gets a warning.
GAP_WARNING = 0.15
#: Tiers with fewer cases than this are left out of that comparison (too few to judge).
MIN_CASES = 10


@st.cache_data(ttl=60, show_spinner="Counting…")
def _fairness(url: str, days: int) -> pd.DataFrame:
    from dashboard.views.common import context, engine

    with engine().connect() as conn:
        since, until = analytics.window(conn, days, context().clock.now())
    return analytics.fairness(engine(), since, until)


@st.cache_data(ttl=60, show_spinner="Attributing outcomes…")
def _attributions(url: str, days: int) -> list[Attribution]:
    from dashboard.views.common import context, engine, playbook
    from playbooks.learning.load import attributions

    now = context().clock.now()
    with engine().connect() as conn:
        since, until = analytics.window(conn, days, now)
    return attributions(engine(), since, until, now=now, playbook=playbook())


def share_frame(rows: list[Attribution], group: str) -> pd.DataFrame:
    """Decided cases, fans and goodwill by follower tier or loudness fifth."""
    table = shares(rows, group)
    return pd.DataFrame(
        {
            group: [r.value for r in table],
            "cases": [r.cases for r in table],
            "conversion": [r.conversion for r in table],
            "goodwill": [r.goodwill for r in table],
            "goodwill per case": [r.goodwill_per_case for r in table],
            "case share": [r.case_share for r in table],
            "goodwill share": [r.goodwill_share for r in table],
            "fan share": [r.fan_share for r in table],
        }
    )


def goodwill_and_loudness(url: str, days: int) -> None:
    """Goodwill and conversion by tier and by loudness, flagging goodwill that follows volume."""
    rows = _attributions(url, days)
    st.subheader("Goodwill and conversion by tier and loudness")
    st.caption(
        "Decided cases opened in the window. Loudness: a critic's posts in the window and "
        "their followers, each ranked among the window's critics and averaged, in fifths."
    )
    if not any(a.decided for a in rows):
        st.info("No case opened in this window has an outcome yet.")
        return
    flag = loud_flag(rows, LearningPolicy())
    if flag.raised:
        st.warning(f"Goodwill follows volume: {flag.detail}.")
    else:
        st.caption(f"No loudness flag: {flag.detail}.")
    share = {
        c: st.column_config.NumberColumn(c, format="percent")
        for c in ("conversion", "case share", "goodwill share", "fan share")
    }
    share["goodwill per case"] = st.column_config.NumberColumn(format="%.2f")
    for group in ("tier", "loudness"):
        st.dataframe(
            share_frame(rows, group), hide_index=True, width="stretch", column_config=share
        )


def render() -> None:
    """The fairness page."""
    b = board()
    banners(b)
    st.title("Fairness")
    st.caption("Are critics with few followers answered as often and as fast as big accounts?")
    days = window_days("fairness_window")
    df = _fairness(str(b.engine.url), days)
    if int(df["cases"].sum()) == 0:
        st.info("No cases were opened in this window.")
        return
    rates = df[df["cases"] >= MIN_CASES].dropna(subset=["reply_rate"])
    if len(rates) > 1:
        gap = float(rates["reply_rate"].max() - rates["reply_rate"].min())
        worst = rates.loc[rates["reply_rate"].idxmin(), "tier"]
        if gap > GAP_WARNING:
            st.warning(f"The {worst} tier's reply rate trails the best tier by {gap:.0%}.")
    left, right = st.columns(2)
    with left:
        st.subheader("Reply rate by follower tier")
        st.altair_chart(
            alt.Chart(df)
            .mark_bar()
            .encode(
                x=alt.X(
                    "tier:N",
                    sort=list(analytics.TIERS),
                    title="followers",
                    axis=alt.Axis(labelAngle=0),
                ),
                y=alt.Y(
                    "reply_rate:Q",
                    axis=alt.Axis(format="%"),
                    title="cases answered",
                    scale=alt.Scale(domain=[0, 1]),
                ),
                tooltip=["tier:N", "cases:Q", alt.Tooltip("reply_rate:Q", format=".0%")],
            ),
            width="stretch",
        )
    with right:
        st.subheader("Minutes to first reply")
        long = (
            df.rename(columns={"median_minutes": "median", "p90_minutes": "90th percentile"})
            .melt(id_vars="tier", value_vars=["median", "90th percentile"], var_name="measure")
            .dropna()
        )
        if long.empty:
            st.info("No case opened in this window has been answered yet.")
        else:
            st.altair_chart(
                alt.Chart(long)
                .mark_bar()
                .encode(
                    x=alt.X(
                        "tier:N",
                        sort=list(analytics.TIERS),
                        title="followers",
                        axis=alt.Axis(labelAngle=0),
                    ),
                    xOffset="measure:N",
                    y=alt.Y("value:Q", title="minutes"),
                    color=alt.Color("measure:N", title=None),
                    tooltip=["tier:N", "measure:N", alt.Tooltip("value:Q", format=".0f")],
                ),
                width="stretch",
            )
    st.dataframe(
        df,
        hide_index=True,
        width="stretch",
        column_config={
            "reply_rate": st.column_config.NumberColumn("reply rate", format="percent"),
            "median_minutes": st.column_config.NumberColumn("median min", format="%.0f"),
            "p90_minutes": st.column_config.NumberColumn("p90 min", format="%.0f"),
        },
    )
    goodwill_and_loudness(str(b.engine.url), days)


if __name__ == "__main__":
    render()
