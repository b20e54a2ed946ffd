"""The relationship with a critic, on the case page: their one thing, their other cases on
every account staff linked as the same person (platform, dates, outcome, goodwill received),
and the controls to link and unlink accounts.

Everything the critic or staff wrote (handles, names, the one thing, goodwill notes) is shown
with :func:`plain` (``st.text``) or as a selectbox option, never as markdown or HTML; labels,
captions and buttons carry only the board's own words and numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

from core.names import clean_name
from dashboard.auth import Permission
from dashboard.timeline import CaseDetail
from dashboard.views.common import Board, page_file, plain, run_action
from playbooks.state import FAN, WALK_AWAY
from store.engine import session_scope
from store.models import Case
from store.one_thing import MAX_CHARS, set_one_thing
from store.people import (
    Account,
    PastCase,
    Relationship,
    find_authors,
    link_accounts,
    linked_people,
    relationship,
    unlink_account,
)

log = logging.getLogger(__name__)

FLASH_KEY = "case_flash"
#: Accounts offered for a handle typed in the link search.
FOUND_SHOWN = 10


def outcome_label(case: PastCase) -> str:
    """How a case ended, in a few words: open, fan, no answer, or walk-away with its reason."""
    if case.is_open:
        return "open"
    if FAN in (case.stage, case.outcome):
        return "fan"
    if case.walkaway_reason == "no_answer":
        return "no answer"
    if WALK_AWAY in (case.stage, case.outcome):
        reason = (case.walkaway_reason or "").replace("_", " ")
        return f"walk-away ({reason})" if reason else "walk-away"
    return (case.outcome or "closed").replace("_", " ")


def account_label(account: Account) -> str:
    """``@handle (platform)``, cleaned of invisible characters."""
    return f"@{clean_name(account.handle)} ({account.platform})"


def case_line(case: PastCase) -> str:
    """One past case on one line: number, account, topic, dates and outcome."""
    closed = f"closed {case.closed_at:%Y-%m-%d}" if case.closed_at else "not closed"
    return (
        f"#{case.id} · {case.platform} @{clean_name(case.handle)} · {case.topic}"
        f" · opened {case.opened_at:%Y-%m-%d} · {closed} · {outcome_label(case)}"
    )


def goodwill_lines(case: PastCase) -> list[str]:
    """The goodwill the case received: a total, then each spend with who gave it."""
    if not case.goodwill:
        return []
    lines = [f"Goodwill received: {case.goodwill_total:.2f}"]
    for g in case.goodwill:
        note = f" ({g.note})" if g.note else ""
        lines.append(f"  {g.at:%Y-%m-%d} · {g.kind} {g.amount:.2f} {g.currency} · {g.actor}{note}")
    return lines


def save_one_thing(b: Board, case_id: int, text: str) -> str:
    """Set or clear the case's one thing (the change goes on the case's trail)."""
    with session_scope(b.engine) as session:
        changed = set_one_thing(session, case_id, text, actor=b.actor, now=b.now())
    if not changed:
        return "The one thing is unchanged."
    return "One thing saved." if text.strip() else "One thing cleared."


def link(b: Board, author_id: int, other_id: int, case_id: int | None) -> str:
    """Link two accounts as one person (noted on the case's trail when done from a case)."""
    with session_scope(b.engine) as session:
        link_accounts(session, author_id, other_id, actor=b.actor, now=b.now(), case_id=case_id)
    return "Accounts linked: their cases now read as one person's."


def unlink(b: Board, author_id: int, case_id: int | None) -> str:
    """Take one account out of its person."""
    with session_scope(b.engine) as session:
        unlink_account(session, author_id, actor=b.actor, now=b.now(), case_id=case_id)
    return "Account unlinked."


def _do(action: Callable[[], str]) -> None:
    run_action(action, flash_key=FLASH_KEY)


def render(b: Board, detail: CaseDetail) -> None:
    """The case page's relationship panel: the one thing, the history, linking."""
    case_id, author_id = detail.case.id or 0, detail.author.id or 0
    st.divider()
    one_thing(b, detail.case)
    with b.engine.connect() as conn:
        rel = relationship(conn, author_id)
    history(rel, case_id)
    if b.can(Permission.WORK_CASES):
        linking(b, rel, author_id=author_id, case_id=case_id)


def one_thing(b: Board, case: Case) -> None:
    """What would fix it for this critic, and (for staff who work cases) the form to edit it."""
    st.subheader("The one thing")
    if case.one_thing:
        plain(case.one_thing)
    else:
        st.caption("Not written yet: what one thing would fix it for this critic?")
    if not b.can(Permission.WORK_CASES) or case.id is None:
        return
    case_id = case.id
    with st.form(f"one_thing_{case_id}"):
        text = st.text_input(
            "What would fix it for them (empty to clear)",
            value=case.one_thing or "",
            max_chars=MAX_CHARS,
        )
        if st.form_submit_button("Save the one thing"):
            _do(lambda: save_one_thing(b, case_id, text))


def history(rel: Relationship, case_id: int) -> None:
    """The person's other cases on every linked account, with outcomes and goodwill."""
    st.subheader("History")
    others = [c for c in rel.cases if c.id != case_id]
    n_accounts = len(rel.accounts)
    st.caption(
        f"{len(others)} other case{'s' if len(others) != 1 else ''} on "
        f"{n_accounts} account{'s' if n_accounts != 1 else ''} · goodwill received on all "
        f"their cases: {rel.goodwill_total:.2f}"
    )
    if rel.person_id is not None:
        plain("Linked as one person: " + ", ".join(account_label(a) for a in rel.accounts) + ".")
    if not others:
        st.info("No other cases from this person.")
    for case in others:
        with st.container(border=True):
            plain(case_line(case))
            if case.one_thing:
                plain(f"One thing: {case.one_thing}")
            for line in goodwill_lines(case):
                plain(line)
            if st.button(f"Open case #{case.id}", key=f"history_open_{case.id}"):
                st.switch_page(page_file("case"), query_params={"case": str(case.id)})
    if rel.links:
        names = {a.author_id: account_label(a) for a in rel.accounts}
        with st.expander(f"Link history ({len(rel.links)})"):
            for rec in rel.links:
                who = names.get(rec.author_id, f"account #{rec.author_id}")
                other = ""
                if rec.other_author_id is not None:
                    other = " with " + names.get(
                        rec.other_author_id, f"account #{rec.other_author_id}"
                    )
                plain(f"{rec.at:%Y-%m-%d %H:%M} UTC · {rec.kind} {who}{other} · {rec.actor}")


def linking(b: Board, rel: Relationship, *, author_id: int, case_id: int) -> None:
    """Find an account by handle and link it as the same person; unlink one of theirs."""
    mine = {a.author_id for a in rel.accounts}
    with st.expander("Link or unlink accounts of this person"):
        query = st.text_input("Find an account by handle", key=f"link_search_{case_id}")
        if query.strip():
            with b.engine.connect() as conn:
                found = find_authors(conn, query, limit=FOUND_SHOWN + len(mine))
            found = [a for a in found if a.author_id not in mine][:FOUND_SHOWN]
            if not found:
                st.caption("No other account has a handle like that.")
            else:
                pick = st.selectbox(
                    "Account to link",
                    found,
                    format_func=account_label,
                    key=f"link_pick_{case_id}",
                )
                if pick is not None and st.button(
                    "Link as the same person", key=f"link_go_{case_id}"
                ):
                    other = pick.author_id
                    _do(lambda: link(b, author_id, other, case_id))
        if rel.person_id is not None and len(rel.accounts) > 1:
            gone = st.selectbox(
                "Account to unlink",
                rel.accounts,
                format_func=account_label,
                key=f"unlink_pick_{case_id}",
            )
            if gone is not None and st.button("Unlink this account", key=f"unlink_go_{case_id}"):
                target = gone.author_id
                _do(lambda: unlink(b, target, case_id))


def people_section(b: Board) -> None:
    """The People page's list of accounts staff linked, one person a line."""
    st.subheader("Linked accounts (one person each)")
    with b.engine.connect() as conn:
        people = linked_people(conn)
    if not people:
        st.info("No accounts are linked yet. Link them from a case page (Link or unlink).")
        return
    st.caption("Link and unlink accounts from a case page of any of them.")
    for accounts in people:
        plain(", ".join(account_label(a) for a in accounts))
