"""Queue: open cases by priority, with SLA countdowns, scores and who holds them.

The table refreshes itself inside a fragment, so the filters (outside it) and anything staff are
typing elsewhere survive each refresh.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import streamlit as st

from core.names import clean_name
from dashboard.assignment import plan_assignments
from dashboard.auth import Permission
from dashboard.views.common import (
    Board,
    banners,
    board,
    countdown,
    page_file,
    refresh_interval,
    still_signed_in,
)
from store.board import (
    QueueFilters,
    QueueRow,
    count_open,
    fetch_queue,
    filter_options,
    open_load,
    unassigned_open,
)
from store.users import active_staff

PAGE_SIZE = 50
REFRESH = refresh_interval()  # board.refresh_seconds


def queue_frame(rows: list[QueueRow], now: datetime) -> pd.DataFrame:
    """The queue as a table at ``now``; every user string stays a plain text cell."""
    return pd.DataFrame(
        {
            "Case": [r.case_id for r in rows],
            "Priority": [round(r.priority, 2) for r in rows],
            "SLA": [countdown(r.sla_due, now) for r in rows],
            "Stage": [r.stage for r in rows],
            "Critic": [f"@{clean_name(r.handle)}" for r in rows],
            "Latest mention": [(r.text or "")[:160] for r in rows],
            "Sentiment": [r.sentiment for r in rows],
            "Troll": [r.troll_likelihood for r in rows],
            "Troll reasons": [", ".join(r.troll_reasons) for r in rows],
            "Reach": [r.followers or 0 for r in rows],
            "Assignee": [r.assignee or "" for r in rows],
            "Source": [r.source for r in rows],
            "Topic": [r.topic for r in rows],
        }
    )


COLUMNS = {
    "Case": st.column_config.NumberColumn(format="%d", width="small"),
    "Priority": st.column_config.NumberColumn(format="%.2f", width="small"),
    "Sentiment": st.column_config.NumberColumn(format="%+.2f", width="small"),
    "Troll": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="percent"),
    "Reach": st.column_config.NumberColumn(help="Followers", format="compact"),
    "Critic": st.column_config.TextColumn(width="small"),
    "Latest mention": st.column_config.TextColumn(width="large"),
}


def filters_bar(b: Board) -> QueueFilters:
    """The filter widgets (outside the refreshing fragment, so choices persist)."""
    options = _options(b)
    c1, c2, c3, c4 = st.columns(4)
    return QueueFilters(
        sources=tuple(c1.multiselect("Source", options["sources"], key="q_source")),
        stages=tuple(c2.multiselect("Stage", options["stages"], key="q_stage")),
        topics=tuple(c3.multiselect("Topic", options["topics"], key="q_topic")),
        assignees=tuple(c4.multiselect("Assignee", options["assignees"], key="q_assignee")),
    )


def _options(b: Board) -> dict[str, list[str]]:
    key = "q_options"
    cached = st.session_state.get(key)
    now = b.now()
    if cached is None or now - cached[0] > timedelta(minutes=1):
        with b.engine.connect() as conn:
            cached = (now, filter_options(conn))
        st.session_state[key] = cached
    return cached[1]


@st.fragment(run_every=REFRESH)
def queue_table(b: Board, filters: QueueFilters) -> None:
    """The table and the way into a case (click a row, or pick one below); reruns on its own
    every ``REFRESH``; a session that ended meanwhile goes back to the sign-in form."""
    still_signed_in()
    now = b.now()  # urgency grows with the board's clock: the order is computed at now
    with b.engine.connect() as conn:
        rows = fetch_queue(conn, filters, limit=PAGE_SIZE, now=now)
        total = count_open(conn, filters)
    st.caption(f"{len(rows)} of {total} open cases · refreshed {now:%H:%M:%S} UTC")
    if not rows:
        st.info("No open cases match these filters.")
        return
    event = st.dataframe(
        queue_frame(rows, now),
        hide_index=True,
        column_config=COLUMNS,
        width="stretch",
        height=420,
        on_select="rerun",
        selection_mode="single-row",
        key="q_table",
    )
    picked_rows = event.selection.rows if event is not None else []
    if picked_rows and picked_rows[0] < len(rows):
        st.switch_page(page_file("case"), query_params={"case": str(rows[picked_rows[0]].case_id)})
    labels = {r.case_id: f"#{r.case_id} · @{clean_name(r.handle)} · {r.stage}" for r in rows}
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    chosen = c1.selectbox("Case", list(labels), format_func=labels.__getitem__, key="q_pick")
    if c2.button("Open case", key="q_open", type="primary") and chosen is not None:
        st.switch_page(page_file("case"), query_params={"case": str(chosen)})


def auto_assign(b: Board) -> None:
    """Share unassigned open cases fairly among active agents and leads."""
    from dashboard.views.actions import assign_case

    with st.expander("Auto-assign unassigned cases"):
        strategy = st.radio(
            "How",
            ["least_loaded", "round_robin"],
            format_func={"least_loaded": "Least loaded", "round_robin": "Round robin"}.get,
            horizontal=True,
            key="q_assign_strategy",
        )
        how_many = st.number_input("Cases", 1, 500, 20, key="q_assign_n")
        if not st.button("Assign", key="q_assign_go"):
            return
        with b.engine.connect() as conn:
            staff = active_staff(conn)
            load = open_load(conn, staff)
            case_ids = unassigned_open(conn, limit=int(how_many), now=b.now())
        last = st.session_state.get("q_assign_last")
        plan = plan_assignments(case_ids, load, strategy=str(strategy), last_assignee=last)
        if not plan:
            st.info("Nothing to assign (no unassigned cases, or no active agents).")
            return
        bar = st.progress(0.0, text="Assigning…")
        for i, (case_id, who) in enumerate(plan, start=1):
            assign_case(b, case_id, who, reason=f"auto-assign ({strategy})")
            bar.progress(i / len(plan), text=f"Assigned case #{case_id} to {who}")
        st.session_state["q_assign_last"] = plan[-1][1]
        st.success(f"Assigned {len(plan)} cases.")


def render() -> None:
    """The queue page."""
    b = board()
    banners(b)
    st.title("Queue")
    filters = filters_bar(b)
    if b.can(Permission.WORK_CASES):
        auto_assign(b)
    queue_table(b, filters)


if __name__ == "__main__":
    render()
