"""Case: one critic's timeline (their mentions and every event) and the actions staff take.

Every string that came from outside (mention text, names, handles, notes, replies) is shown
with ``st.text`` so it is never read as markdown or HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

import streamlit as st

from core.errors import PlaybookError
from core.names import clean_name
from dashboard.auth import Permission
from dashboard.links import safe_url
from dashboard.timeline import CaseDetail, TimelineItem, fetch_case
from dashboard.views import actions, case_history, goodwill
from dashboard.views.common import (
    Board,
    banners,
    board,
    countdown,
    escape_md,
    plain,
    playbook,
    run_action,
)
from dashboard.views.outbox import CANCELLABLE_STATES, outbox_row
from playbooks.persist import state_of
from playbooks.priority import priority_now
from playbooks.service import offers_reply
from playbooks.state import OPEN_STAGES, STAGES, WALK_AWAY, WALKAWAY_REASONS
from store.models import Mention
from store.outbox import outbox_for_case
from store.users import active_staff

TIMELINE_SHOWN = 60
BadgeColor = Literal["orange", "violet", "blue", "green", "gray", "red"]
STAGE_COLORS: dict[str, BadgeColor] = {
    "acknowledge": "orange",
    "empathize": "violet",
    "goodwill": "blue",
    "fan": "green",
    "walk_away": "gray",
}


def case_id_from_url() -> int | None:
    """The case named by ``?case=N`` (None when absent or not a number)."""
    raw = st.query_params.get("case")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def header(detail: CaseDetail, now: datetime) -> None:
    """Who the critic is and where the case stands."""
    case, author = detail.case, detail.author
    st.title(f"Case #{case.id}")
    plain(
        f"@{clean_name(author.handle)} · {clean_name(author.display_name)} · {author.platform}"
        f" · topic {case.topic} · assignee {case.assignee or 'nobody'}"
    )
    sla = countdown(case.sla_due, now) if case.is_open else "closed"
    overdue = case.is_open and case.sla_due is not None and case.sla_due < now
    badges = st.columns([1, 1, 4])
    badges[0].badge(
        f"Stage: {case.stage}", icon=":material/flag:", color=STAGE_COLORS.get(case.stage, "gray")
    )
    badges[1].badge(f"SLA: {sla}", icon=":material/timer:", color="red" if overdue else "blue")
    latest = detail.scores.get(case.latest_mention_id or -1)
    c = st.columns(5)
    current = priority_now(case.priority, case.urgency_weight, case.sla_due, case.sla_minutes, now)
    c[0].metric(
        "Priority",
        f"{current:.2f}",
        help="Grows as the SLA runs out: the queue orders by this, at this moment.",
    )
    c[1].metric("Reach", f"{author.followers or 0:,}")
    c[2].metric("Sentiment", f"{latest.sentiment:+.2f}" if latest else "—")
    c[3].metric("Troll likelihood", f"{latest.troll_likelihood:.0%}" if latest else "—")
    c[4].metric("Goodwill spent", f"{case.goodwill_spent:.2f}")
    if latest is not None and latest.troll_likelihood >= 0.5:
        st.warning(
            f"Troll likelihood {latest.troll_likelihood:.0%}. Reasons:", icon=":material/warning:"
        )
        plain(", ".join(latest.troll_reasons) or "none given")
    if case.incident:
        st.error(
            "This case is part of an incident: its holding reply is suggested. See the "
            "Incidents page.",
            icon=":material/emergency:",
        )


def timeline(items: list[TimelineItem]) -> None:
    """Mentions and events, newest first; older ones behind an expander."""
    st.subheader("Timeline")
    newest_first = list(reversed(items))

    def show(item: TimelineItem) -> None:
        with st.container(border=True):
            head = f"{item.at:%Y-%m-%d %H:%M} UTC · {item.kind} · {item.actor}"
            st.text(head + (f" · {item.detail}" if item.detail else ""))
            if item.text:
                plain(item.text)

    for item in newest_first[:TIMELINE_SHOWN]:
        show(item)
    if len(newest_first) > TIMELINE_SHOWN:
        with st.expander(f"{len(newest_first) - TIMELINE_SHOWN} older entries"):
            for item in newest_first[TIMELINE_SHOWN:]:
                show(item)


def _do(action: Callable[[], str]) -> None:
    """Run a staff action on this page (see :func:`run_action`)."""
    run_action(action, flash_key="case_flash")


def recommendation(b: Board, detail: CaseDetail) -> None:
    """The engine's walk-away recommendation, for staff to confirm or reject."""
    reason = (detail.case.state or {}).get("walkaway_recommended")
    if not reason:
        return
    case_id = detail.case.id or 0
    st.warning(
        "The playbook recommends walking away from this case. Reason:", icon=":material/logout:"
    )
    plain(str(reason))
    c1, c2 = st.columns(2)
    if c1.button("Confirm walk-away", key="walk_confirm"):
        _do(lambda: actions.confirm_walk_away(b, case_id))
    if c2.button("Keep working", key="walk_reject"):
        _do(lambda: actions.reject_walk_away(b, case_id))


def answered_post(detail: CaseDetail) -> Mention | None:
    """The post a reply answers: the case's latest mention (else the newest one shown)."""
    latest = detail.case.latest_mention_id
    found = [m for m in detail.mentions if m.id == latest]
    if found:
        return found[0]
    return max(detail.mentions, key=lambda m: m.created_at, default=None)


def post_link(post: Mention | None, *, key: str) -> None:
    """A button to the original post on its platform (only a plain http(s) address)."""
    url = safe_url(post.url if post is not None else None)
    if url is None:
        st.caption("No link to the original post is stored.")
        return
    name = actions.platform_name(post.source) if post is not None else "the platform"
    st.link_button(f"Open the post on {name}", url, icon=":material/open_in_new:", key=key)


def reply_tab(b: Board, detail: CaseDetail) -> None:
    """Write a reply, see it as it will be posted (and every rule it breaks), then send it,
    ask a lead to approve it, or, where the board does not send, copy it and record it."""
    case_id = detail.case.id
    assert case_id is not None
    post = answered_post(detail)
    platform = post.source if post is not None else detail.author.platform
    handle = detail.author.handle or None
    try:
        suggestion = actions.suggested_reply(b, case_id)
    except PlaybookError as exc:  # a template over its limits: staff write the reply
        suggestion = ""
        st.warning(f"No suggested reply: {exc}")
    key = f"reply_text_{case_id}"
    text = st.text_area("Reply (suggested, edit freely)", suggestion, height=140, key=key)
    private = choose_private(detail)
    sending = actions.sending_on(platform)
    ready = private is not None and bool(text.strip())
    if ready:
        problems = actions.reply_problems(platform, text, handle=handle, private=bool(private))
        for problem in problems:
            st.warning(escape_md(problem.message), icon=":material/block:")
        if not problems and sending:
            what = "private message" if private else "reply"
            st.caption(f"The {what} as {actions.platform_name(platform)} will get it:")
            st.code(
                actions.as_posted(platform, text, handle=handle, private=bool(private)),
                language=None,
                wrap_lines=True,
            )
        ready = not problems
    if not sending:
        sending_off(platform, text, post)
        if st.button("Record reply", type="primary", key=f"record_reply_{case_id}"):
            _do(lambda: _forget(key, actions.record_reply(b, case_id, text)))
        return
    direct = actions.may_send(b, detail.case.stage)
    label = "Send" if direct else "Send for approval"
    help_text = None if private is not None else "Choose public or private first."
    if st.button(
        label, type="primary", key=f"send_reply_{case_id}", disabled=not ready, help=help_text
    ):
        go = actions.send_reply if direct else actions.submit_reply
        _do(
            lambda: _forget(
                key,
                go(b, case_id, text, platform=platform, handle=handle, private=bool(private)),
            )
        )


def choose_private(detail: CaseDetail) -> bool | None:
    """Public or private: an explicit choice (None until made) when the playbook suggests
    moving to private, else public unless staff pick private."""
    suggested = bool((detail.case.state or {}).get("private_suggested"))
    options = ["Public reply", "Private message"]
    if suggested:
        st.info(
            "The playbook suggests moving this conversation to private: choose how the reply "
            "goes. A private message is shown below exactly as it will be sent.",
            icon=":material/lock:",
        )
    picked = st.radio(
        "Send as",
        options,
        index=None if suggested else 0,
        horizontal=True,
        key=f"reply_private_{detail.case.id}",
    )
    return None if picked is None else picked == options[1]


def sending_off(platform: str, text: str, post: Mention | None) -> None:
    """While the board does not send on this platform: say so, offer the reply to copy and
    the post to answer it on."""
    name = actions.platform_name(platform)
    st.info(
        f"Sending on {name} is off (sources.{platform}.send): copy the reply, post it on "
        f"{name} yourself, then record it here.",
        icon=":material/content_copy:",
    )
    st.code(text, language=None, wrap_lines=True)
    post_link(post, key="copy_post_link")


def _forget(key: str, message: str) -> str:
    """Empty the reply box after it was sent (the next run shows the new suggestion)."""
    st.session_state.pop(key, None)
    return message


def case_outbox(b: Board, case_id: int) -> None:
    """This case's replies on their way to the platform, with their states and links."""
    with b.engine.connect() as conn:
        rows = outbox_for_case(conn, case_id)
    if not rows:
        return
    st.subheader("Outbox")
    for row in rows:
        with st.container(border=True):
            outbox_row(row)
            mine = row.drafted_by == b.actor
            may_cancel = mine or b.can(Permission.APPROVE_REPLY)
            if row.state in CANCELLABLE_STATES and b.can(Permission.WORK_CASES) and may_cancel:
                cancel_button(b, row.id)


def cancel_button(b: Board, item_id: int) -> None:
    """Cancel one of this case's replies that has not gone."""
    if st.button("Cancel this reply", key=f"case_outbox_cancel_{item_id}"):
        _do(lambda: actions.cancel_reply(b, item_id))


def action_panel(b: Board, detail: CaseDetail) -> None:
    """The actions an agent (or above) can take on an open case."""
    case_id = detail.case.id
    assert case_id is not None
    tabs = st.tabs(["Reply", "Stage", "Goodwill", "Walk away", "Assign", "Note"])
    with tabs[0]:
        reply_tab(b, detail)
    with tabs[1], st.form(f"stage_{case_id}"):
        stages = [s for s in STAGES if s != WALK_AWAY]
        here = stages.index(detail.case.stage) if detail.case.stage in stages else 0
        stage = st.selectbox("Move to stage", stages, index=here)
        reason = st.text_input("Why", key=f"stage_reason_{case_id}")
        if st.form_submit_button("Override stage"):
            _do(lambda: actions.override_stage(b, case_id, str(stage), reason=reason))
    with tabs[2]:
        goodwill.budget_panel(b, case_id)
    with tabs[2], st.form(f"goodwill_{case_id}"):
        budget = playbook().goodwill
        kind = st.selectbox("Kind", budget.kinds)
        amount = st.number_input("Amount", min_value=0.0, max_value=100_000.0, step=5.0)
        note = st.text_input("Note")
        approve = b.can(Permission.APPROVE_GOODWILL) and st.checkbox(
            "I approve this as a lead, even over budget"
        )
        if st.form_submit_button("Give goodwill"):
            _do(
                lambda: actions.give_goodwill(
                    b, case_id, kind=str(kind), amount=float(amount), note=note, approve=approve
                )
            )
    with tabs[3], st.form(f"walk_{case_id}"):
        why = st.selectbox("Reason", WALKAWAY_REASONS, format_func=lambda r: r.replace("_", " "))
        if st.form_submit_button("Walk away"):
            _do(lambda: actions.walk_away(b, case_id, reason=str(why)))
    with tabs[4], st.form(f"assign_{case_id}"):
        with b.engine.connect() as conn:
            staff = active_staff(conn)
        choices = ["(nobody)", *staff]
        if b.user.username not in staff:
            choices.append(b.user.username)
        current = detail.case.assignee
        who = st.selectbox(
            "Assignee", choices, index=choices.index(current) if current in choices else 0
        )
        if st.form_submit_button("Assign"):
            target = None if who == "(nobody)" else str(who)
            _do(lambda: actions.assign_case(b, case_id, target))
    with tabs[5], st.form(f"note_{case_id}", clear_on_submit=True):
        note = st.text_area("Note for colleagues", height=100)
        if st.form_submit_button("Add note"):
            _do(lambda: actions.add_note(b, case_id, note))


def render() -> None:
    """The case page."""
    b = board()
    banners(b)
    case_id = case_id_from_url()
    if case_id is None:
        st.title("Case")
        picked = st.number_input("Case number", min_value=1, step=1, value=None)
        if picked is None:
            st.info("Open a case from the queue, or type its number.")
            return
        case_id = int(picked)
        st.query_params["case"] = str(case_id)
    with b.engine.connect() as conn:
        detail = fetch_case(conn, case_id)
    if detail is None:
        st.error(f"There is no case #{case_id}.")
        return
    flash = st.session_state.pop("case_flash", None)
    if flash:
        st.success(flash)
    header(detail, b.now())
    post_link(answered_post(detail), key="case_post_link")
    left, right = st.columns([3, 2], gap="large")
    with left:
        timeline(detail.timeline)
    with right:
        if detail.case.stage in OPEN_STAGES and b.can(Permission.WORK_CASES):
            st.subheader("Actions")
            recommendation(b, detail)
            action_panel(b, detail)
        elif not detail.case.is_open:
            plain(
                f"Closed: {detail.case.outcome or 'closed'}"
                + (f" ({detail.case.walkaway_reason})" if detail.case.walkaway_reason else "")
            )
            may_reopen = detail.case.stage == WALK_AWAY and b.can(Permission.WORK_CASES)
            if may_reopen and st.button("Reopen this case", key="case_reopen"):
                _do(lambda: actions.reopen(b, detail.case.id or 0))
            state = state_of(detail.case)
            if b.can(Permission.WORK_CASES) and state is not None and offers_reply(state):
                # A new fan gets a thank-you; a courteous walk-away its last word.
                st.subheader("Reply")
                reply_tab(b, detail)
        else:
            st.info("Your role can read cases but not work them.")
        case_outbox(b, detail.case.id or 0)
    case_history.render(b, detail)


if __name__ == "__main__":
    render()
