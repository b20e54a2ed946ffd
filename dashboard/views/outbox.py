"""Outbox: the replies on their way to the platforms, for leads.

Awaiting approval (approve, with an edit, or reject with a reason), sending (approved and being
posted), failed (retry or cancel, with the platform's own words) and sent (with links to the
post and to what it answered). An approval runs the platform's rules first and shows every
reason it is refused; nothing is cut. Every action is on the case's audit trail with the lead's
name (``playbooks.service``). Reply texts, handles and the platforms' words are shown with
``st.text``/``st.code``, never as markdown.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard.auth import Permission
from dashboard.links import safe_url
from dashboard.views import actions
from dashboard.views.common import (
    Board,
    banners,
    board,
    escape_md,
    plain,
    require,
    run_action,
)
from store.models import OutboxState
from store.outbox import OutboxRow, list_outbox

S = OutboxState
#: States a reply can still be cancelled from (``store.outbox.CANCELLABLE``).
CANCELLABLE_STATES = frozenset(
    {S.DRAFT.value, S.AWAITING_APPROVAL.value, S.APPROVED.value, S.FAILED.value}
)
#: The page's sections: (title, states).
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Awaiting approval", (S.AWAITING_APPROVAL.value,)),
    ("Sending", (S.APPROVED.value, S.SENDING.value)),
    ("Failed", (S.FAILED.value,)),
    ("Sent", (S.SENT.value,)),
)
SHOWN = 100


def _who(actor: str | None) -> str:
    return (actor or "—").removeprefix("user:")


def outbox_row(row: OutboxRow) -> None:
    """One reply: where it stands, who drafted and approved it, its text, the platform's words
    and its links. Every string from outside is plain text."""
    kind = "private message" if row.private else "public reply"
    head = (
        f"#{row.id} · case #{row.case_id} · {actions.platform_name(row.platform)} {kind}"
        f" to @{row.author_handle or '?'} · {row.state.replace('_', ' ')}"
    )
    plain(head)
    who = f"drafted by {_who(row.drafted_by)} {row.drafted_at:%Y-%m-%d %H:%M} UTC"
    if row.approved_by:
        who += f" · approved by {_who(row.approved_by)}"
        if row.approved_at is not None:
            who += f" {row.approved_at:%Y-%m-%d %H:%M} UTC"
    if row.sent_at is not None:
        who += f" · sent {row.sent_at:%Y-%m-%d %H:%M} UTC"
    if row.attempts:
        who += f" · {row.attempts} attempt{'s' if row.attempts != 1 else ''}"
    if row.echo_mention_id is not None:
        who += " · seen back on the platform"
    plain(who)
    st.code(row.text, language=None, wrap_lines=True)
    if row.error:
        label = "The platform said:" if row.state == S.FAILED.value else "Note:"
        st.caption(label)
        plain(row.error)
    links = [(f"Open the sent {kind}", row.url), ("Open the post it answers", row.mention_url)]
    shown = [(label, url) for label, url in ((lb, safe_url(u)) for lb, u in links) if url]
    if shown:
        cols = st.columns(len(shown))
        for i, (col, (label, url)) in enumerate(zip(cols, shown, strict=True)):
            col.link_button(label, url, icon=":material/open_in_new:", key=f"link_{row.id}_{i}")


def _do(action: Callable[[], str]) -> None:
    """Run a lead's action on this page (see :func:`run_action`)."""
    run_action(action, flash_key="outbox_flash")


def awaiting(b: Board, row: OutboxRow) -> None:
    """Approve (with an edit) or reject a reply; the platform's rules are shown before."""
    key = f"outbox_text_{row.id}"
    text = st.text_area("Reply (edit before approving)", row.text, key=key, height=120)
    problems = actions.reply_problems(
        row.platform, text, handle=row.author_handle, private=row.private
    )
    for problem in problems:
        st.warning(escape_md(problem.message), icon=":material/block:")
    if not actions.sending_on(row.platform):
        name = actions.platform_name(row.platform)
        st.info(
            f"Sending on {name} is off (sources.{row.platform}.send): once approved it waits "
            f"until sending is on, or copy it and post it on {name} by hand.",
            icon=":material/content_copy:",
        )
    reason = st.text_input("Reason, if you reject it", key=f"outbox_reason_{row.id}")
    c1, c2, c3 = st.columns(3)
    approve = c1.button(
        "Approve", type="primary", key=f"outbox_approve_{row.id}", disabled=bool(problems)
    )
    if approve:
        edit = text if text != row.text else None
        _do(lambda: actions.approve_reply(b, row.id, text=edit))
    if c2.button("Reject", key=f"outbox_reject_{row.id}"):
        _do(lambda: actions.reject_reply(b, row.id, reason=reason))
    if c3.button("Cancel", key=f"outbox_cancel_{row.id}"):
        _do(lambda: actions.cancel_reply(b, row.id))


def failed(b: Board, row: OutboxRow) -> None:
    """Retry a failed reply (looked up on the platform first) or cancel it."""
    c1, c2 = st.columns(2)
    if c1.button("Retry", type="primary", key=f"outbox_retry_{row.id}"):
        _do(lambda: actions.retry_reply(b, row.id))
    if c2.button("Cancel", key=f"outbox_cancel_{row.id}"):
        _do(lambda: actions.cancel_reply(b, row.id))


def section(
    b: Board, rows: list[OutboxRow], state_actions: Callable[[Board, OutboxRow], None] | None
) -> None:
    """One section's replies, newest change first."""
    if not rows:
        st.caption("Nothing here.")
        return
    for row in rows[:SHOWN]:
        with st.container(border=True):
            outbox_row(row)
            if state_actions is not None:
                state_actions(b, row)
    if len(rows) > SHOWN:
        st.caption(f"The {SHOWN} most recent are shown.")


def _count(rows: list[OutboxRow]) -> str:
    return f"{SHOWN}+" if len(rows) > SHOWN else str(len(rows))


def render() -> None:
    """The Outbox page."""
    b = board()
    banners(b)
    require(b, Permission.APPROVE_REPLY)
    st.title("Outbox")
    flash = st.session_state.pop("outbox_flash", None)
    if flash:
        st.success(escape_md(flash))
    with b.engine.connect() as conn:
        rows = {
            title: list_outbox(conn, states=states, limit=SHOWN + 1) for title, states in SECTIONS
        }
    tabs = st.tabs([f"{title} ({_count(found)})" for title, found in rows.items()])
    handlers: dict[str, Callable[[Board, OutboxRow], None] | None] = {
        "Awaiting approval": awaiting,
        "Sending": None,
        "Failed": failed,
        "Sent": None,
    }
    for tab, (title, found) in zip(tabs, rows.items(), strict=True):
        with tab:
            section(b, found, handlers[title])


if __name__ == "__main__":
    render()
