"""Goodwill on the board: the budgets left where goodwill is given, and the leads' page of
requests over budget.

The case page's goodwill tab shows, before its form, what is left of each budget (for this
case, for the signed-in person today, for the team today) and the case's requests still waiting.
Going over a budget is not refused: it becomes a request (``playbooks.goodwill``) that a lead
approves (the goodwill is given then) or declines with a reason, on this page. Notes, reasons
and handles are shown with ``st.text``, never as markdown.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard.auth import Permission
from dashboard.views import actions
from dashboard.views.common import (
    Board,
    banners,
    board,
    escape_md,
    page_file,
    plain,
    playbook,
    require,
    run_action,
)
from playbooks.budget import BudgetLeft
from playbooks.goodwill import goodwill_left
from store.goodwill import PendingRequest, pending_requests

SHOWN = 100
#: How each budget is named where goodwill is given.
LABELS = ("Left for this case", "Left for you today", "Left for the team today")


def _who(actor: str) -> str:
    return actor.removeprefix("user:")


def _money(amount: float, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def budgets_left(b: Board, case_id: int) -> BudgetLeft:
    """The budgets as they stand now for this case and the signed-in person."""
    return goodwill_left(b.engine, case_id, b.actor, b.now(), playbook=playbook())


def budget_panel(b: Board, case_id: int) -> None:
    """What is left of each goodwill budget, and this case's requests waiting for a lead."""
    left = budgets_left(b, case_id)
    cols = st.columns(3)
    for col, label, allowance in zip(cols, LABELS, left.allowances, strict=True):
        col.metric(
            label,
            _money(allowance.left, left.currency),
            help=f"{_money(allowance.limit, left.currency)} {allowance.name}; "
            f"{_money(allowance.spent, left.currency)} given",
        )
    st.caption(
        f"Up to {_money(left.left, left.currency)} can be given now; more becomes a request "
        "that a lead approves or declines."
    )
    with b.engine.connect() as conn:
        waiting = pending_requests(conn, case_id=case_id)
    for request in waiting:
        plain(
            f"Request #{request.id}: {request.kind} {_money(request.amount, request.currency)} "
            f"by {_who(request.requested_by)}, waiting for a lead "
            f"(over {', '.join(request.over)})"
        )


def _do(action: Callable[[], str]) -> None:
    run_action(action, flash_key="goodwill_flash")


def request_card(b: Board, request: PendingRequest) -> None:
    """One request: who asked, for what, over which budgets; approve, or decline with a reason."""
    plain(
        f"#{request.id} · case #{request.case_id} · @{request.author_handle or '?'} · "
        f"{request.kind} {_money(request.amount, request.currency)}"
    )
    plain(
        f"asked by {_who(request.requested_by)} {request.requested_at:%Y-%m-%d %H:%M} UTC · "
        f"over {', '.join(request.over) or 'no budget now'} · "
        f"{_money(request.case_spent, request.currency)} given on the case so far"
    )
    if request.note:
        st.code(request.note, language=None, wrap_lines=True)
    if not request.case_open:
        st.info("The case is closed: goodwill cannot be given on it any more; decline it.")
    reason = st.text_input("Reason, if you decline it", key=f"goodwill_reason_{request.id}")
    c1, c2, c3 = st.columns(3)
    if c1.button(
        "Approve",
        type="primary",
        key=f"goodwill_approve_{request.id}",
        disabled=not request.case_open,
    ):
        _do(lambda: actions.approve_goodwill(b, request.id))
    if c2.button("Decline", key=f"goodwill_decline_{request.id}"):
        _do(lambda: actions.decline_goodwill(b, request.id, reason=reason))
    if c3.button("Open the case", key=f"goodwill_case_{request.id}"):
        st.switch_page(page_file("case"), query_params={"case": str(request.case_id)})


def render() -> None:
    """The Goodwill page: requests over budget, oldest first, for a lead to decide."""
    b = board()
    banners(b)
    require(b, Permission.APPROVE_GOODWILL)
    st.title("Goodwill requests")
    flash = st.session_state.pop("goodwill_flash", None)
    if flash:
        st.success(escape_md(flash))
    with b.engine.connect() as conn:
        waiting = pending_requests(conn, limit=SHOWN + 1)
    if not waiting:
        st.caption("No goodwill is waiting for a lead.")
        return
    for request in waiting[:SHOWN]:
        with st.container(border=True):
            request_card(b, request)
    if len(waiting) > SHOWN:
        st.caption(f"The {SHOWN} oldest are shown.")


if __name__ == "__main__":
    render()
