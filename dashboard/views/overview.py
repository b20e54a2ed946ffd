"""Overview: volume and sentiment over time, response times, SLA hits, the funnel, walk-aways.

Leads switch incident mode here; while an incident is open every page carries a banner. Time
ranges a collector could not read in the last week (coverage gaps) are listed at the top.
"""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from core.errors import Critic2fanError
from dashboard.auth import Permission
from dashboard.views import actions, analytics
from dashboard.views.common import (
    Board,
    banners,
    board,
    escape_md,
    open_incident,
    show_error,
    window_days,
)
from store.gaps import recent_gaps

#: How far back the Overview lists coverage gaps not yet backfilled.
GAP_DAYS = 7


@st.cache_data(ttl=60, show_spinner="Counting…")
def _numbers(url: str, days: int) -> dict[str, object]:
    """Every aggregate the page needs, computed once a minute per database and window."""
    from dashboard.views.common import context, engine

    with engine().connect() as conn:
        since, until = analytics.window(conn, days, context().clock.now())
        volume = analytics.volume_by_day(conn, since, until)
    figures = analytics.case_figures(engine(), since, until)
    return {"since": since, "until": until, "volume": volume, **figures}


def _minutes(value: object) -> str:
    if not isinstance(value, float):
        return "—"
    return f"{value / 60:.1f} h" if value >= 120 else f"{value:.0f} min"


def kpis(n: dict[str, object]) -> None:
    """The headline numbers."""
    volume = n["volume"]
    assert isinstance(volume, pd.DataFrame)
    sla = n["sla"]
    conversion = n["conversion"]
    c = st.columns(6)
    c[0].metric("Mentions", f"{int(volume['mentions'].sum()):,}")
    c[1].metric("Cases opened", f"{n['cases']:,}")
    c[2].metric("First answer p50", _minutes(n["p50"]))
    c[3].metric("First answer p90", _minutes(n["p90"]))
    c[4].metric("SLA hit rate", f"{sla:.0%}" if isinstance(sla, float) else "—")
    c[5].metric("Became fans", f"{conversion:.0%}" if isinstance(conversion, float) else "—")


def charts(n: dict[str, object]) -> None:
    """Volume, sentiment, funnel and walk-aways as Altair charts."""
    volume = n["volume"]
    assert isinstance(volume, pd.DataFrame)
    left, right = st.columns(2)
    with left:
        st.subheader("Mentions per day")
        st.altair_chart(
            alt.Chart(volume)
            .mark_bar()
            .encode(
                x=alt.X("yearmonthdate(day):O", title=None, axis=alt.Axis(format="%b %d")),
                y=alt.Y("sum(mentions):Q", title="mentions"),
                color=alt.Color("source:N", title="source"),
                tooltip=["day:T", "source:N", "mentions:Q"],
            ),
            width="stretch",
        )
    with right:
        st.subheader("Mean sentiment per day")
        daily = (
            volume.assign(weighted=volume["sentiment"].fillna(0) * volume["mentions"])
            .groupby("day", as_index=False)[["weighted", "mentions"]]
            .sum()
        )
        daily["sentiment"] = daily["weighted"] / daily["mentions"].where(daily["mentions"] > 0)
        st.altair_chart(
            alt.Chart(daily)
            .mark_line(point=True)
            .encode(
                x=alt.X("day:T", title=None, axis=alt.Axis(format="%b %d")),
                y=alt.Y("sentiment:Q", scale=alt.Scale(domain=[-1, 1]), title="sentiment"),
                tooltip=["day:T", alt.Tooltip("sentiment:Q", format="+.2f")],
            ),
            width="stretch",
        )
    left, right = st.columns(2)
    with left:
        st.subheader("Funnel")
        st.altair_chart(
            alt.Chart(n["funnel"])
            .mark_bar()
            .encode(
                y=alt.Y("stage:N", sort=list(analytics.FUNNEL), title=None),
                x=alt.X(
                    "cases:Q",
                    title="cases that reached the stage",
                    axis=alt.Axis(format="d", tickMinStep=1),
                ),
                tooltip=["stage:N", "cases:Q"],
            ),
            width="stretch",
        )
    with right:
        st.subheader("Walk-aways by reason")
        walks = n["walkaways"]
        assert isinstance(walks, pd.DataFrame)
        if walks.empty:
            st.info("No walk-aways in this window.")
        else:
            st.altair_chart(
                alt.Chart(walks)
                .mark_bar()
                .encode(
                    y=alt.Y("reason:N", sort="-x", title=None),
                    x=alt.X("cases:Q", axis=alt.Axis(format="d", tickMinStep=1)),
                    tooltip=["reason:N", "cases:Q"],
                ),
                width="stretch",
            )


def gap_notice(b: Board) -> None:
    """Time ranges a collector could not read in the last week, not yet searched again."""
    since = b.clock.now() - timedelta(days=GAP_DAYS)
    with b.engine.connect() as conn:
        gaps = recent_gaps(conn, since=since, unbackfilled_only=True)
    if not gaps:
        return
    lines = [
        f"- **{escape_md(g.source)}**: {g.start:%Y-%m-%d %H:%M} to {g.end:%Y-%m-%d %H:%M} UTC: "
        f"{escape_md(g.reason)}"
        for g in gaps[:10]
    ]
    more = f"\n\n…and {len(gaps) - 10} more." if len(gaps) > 10 else ""
    st.warning(
        f"Coverage gaps: posts from these times may be missing ({len(gaps)}).\n\n"
        + "\n".join(lines)
        + more
    )


def incident_switch(b: Board) -> None:
    """Leads switch incident mode on (templated replies pause) or off."""
    current = open_incident(b.engine)
    with st.expander("Incident mode", expanded=current is not None):
        st.caption(
            "A brand-wide switch. An incident's scope, commander, holding reply, status updates, "
            "root cause and fix are worked on the Incidents page."
        )
        if current is None:
            reason = st.text_input("What is happening", key="incident_reason")
            pressed = st.button("Switch incident mode on", key="incident_on", type="primary")
            on = True
        else:
            if current.topic:
                st.caption(f"Spike on {escape_md(current.topic)}: only its cases are tagged.")
            if current.close_proposed_at is not None:
                st.info("Volume is back to normal: close the incident?")
            reason = st.text_input("How it ended", key="incident_end_reason")
            pressed = st.button("Switch incident mode off", key="incident_off")
            on = False
        if pressed:
            try:
                with st.spinner("Updating open cases…"):
                    message = actions.set_incident(b, on=on, reason=reason)
            except Critic2fanError as exc:
                show_error(exc)
                return
            st.cache_data.clear()
            st.session_state["overview_flash"] = message
            st.rerun()


def render() -> None:
    """The overview page."""
    b = board()
    banners(b)
    st.title("Overview")
    flash = st.session_state.pop("overview_flash", None)
    if flash:
        st.success(flash)
    gap_notice(b)
    if b.can(Permission.SWITCH_INCIDENT):
        incident_switch(b)
    days = window_days("overview_window")
    n = _numbers(str(b.engine.url), days)
    st.caption(f"{n['since']:%Y-%m-%d} to {n['until']:%Y-%m-%d} (up to the newest mention)")
    kpis(n)
    charts(n)


if __name__ == "__main__":
    render()
