"""The board's staff actions: thin calls into ``playbooks.service`` naming the signed-in user.

The case logic (what a reply or an override does to the stage, goodwill budgets, incidents)
lives in the service; these functions pass the board's user, the clock and the active playbook
along, and turn the outcome into a sentence for the page. Replies on their way to a platform
are checked against its rules (``outbound.rules``) before they are drafted, sent or approved;
a refusal names every reason and nothing is cut. A refused action raises ``InputError``
with the service's reason and writes nothing.
"""

from __future__ import annotations

import logging

from dashboard.auth import Permission
from dashboard.views.common import Board, context, playbook
from outbound import rules
from outbound.rules import RuleProblem
from playbooks import goodwill, service
from store.models import OutboxItem

log = logging.getLogger(__name__)


def record_reply(b: Board, case_id: int, text: str) -> str:
    """Record a reply staff posted on the platform by hand (where the board does not send)."""
    service.record_reply(b.engine, case_id, b.actor, text, b.now(), playbook=playbook())
    return "Reply recorded."


def add_note(b: Board, case_id: int, text: str) -> str:
    """Add a staff note to the audit trail."""
    service.add_note(b.engine, case_id, b.actor, text, b.now())
    return "Note added."


def assign_case(b: Board, case_id: int, assignee: str | None, *, reason: str = "") -> str:
    """Give the case to ``assignee`` (None: nobody)."""
    service.assign(b.engine, case_id, b.actor, assignee, b.now(), playbook=playbook())
    if reason:
        log.info("case %d assigned to %s (%s)", case_id, assignee, reason)
    return f"Assigned to {assignee}." if assignee else "Unassigned."


def override_stage(b: Board, case_id: int, stage: str, *, reason: str) -> str:
    """Move the case to ``stage`` against the playbook's suggestion."""
    row = service.override_stage(
        b.engine, case_id, b.actor, stage, reason, b.now(), playbook=playbook()
    )
    return f"Stage is now {row.stage}."


def give_goodwill(
    b: Board, case_id: int, *, kind: str, amount: float, note: str, approve: bool
) -> str:
    """Spend goodwill on the case within budget (or over it, approved by this lead); over
    budget without approval it becomes a request a lead decides."""
    outcome = goodwill.give_goodwill(
        b.engine,
        case_id,
        b.actor,
        kind,
        amount,
        note,
        b.now(),
        approved_by=b.actor if approve else None,
        playbook=playbook(),
    )
    request = outcome.request
    if request is not None:
        return (
            f"Over the budget ({', '.join(request.over)}): request #{request.id} for "
            f"{request.amount:g} {request.currency} waits for a lead on the Goodwill page."
        )
    return f"Goodwill given: {outcome.case.goodwill_spent:g} spent on this case so far."


def approve_goodwill(b: Board, request_id: int) -> str:
    """A lead approves a goodwill request: it is given now, with this lead as approver."""
    row = goodwill.approve_goodwill(
        b.engine, request_id, b.actor, b.now(), role=b.user.role, playbook=playbook()
    )
    return f"Request #{request_id} approved: {row.goodwill_spent:g} spent on case #{row.id}."


def decline_goodwill(b: Board, request_id: int, *, reason: str) -> str:
    """A lead declines a goodwill request with a reason; nothing is spent."""
    goodwill.decline_goodwill(b.engine, request_id, b.actor, reason, b.now(), role=b.user.role)
    return f"Request #{request_id} declined."


def walk_away(b: Board, case_id: int, *, reason: str) -> str:
    """Close the case as walked away, with a reason."""
    service.walk_away(b.engine, case_id, b.actor, reason, b.now(), playbook=playbook())
    return f"Walked away ({reason})."


def confirm_walk_away(b: Board, case_id: int) -> str:
    """Agree with the playbook's walk-away recommendation."""
    row = service.confirm_walk_away(b.engine, case_id, b.actor, b.now(), playbook=playbook())
    return f"Walked away ({row.walkaway_reason})."


def reject_walk_away(b: Board, case_id: int) -> str:
    """Keep working a case the playbook recommended walking away from."""
    service.reject_walk_away(b.engine, case_id, b.actor, b.now(), playbook=playbook())
    return "Recommendation rejected: keep working this case."


def reopen(b: Board, case_id: int) -> str:
    """Reopen a walked-away case."""
    row = service.reopen(b.engine, case_id, b.actor, b.now(), playbook=playbook())
    return f"Reopened: stage {row.stage}."


def suggested_reply(b: Board, case_id: int) -> str:
    """The playbook's suggested reply for the case now (the holding reply during an incident;
    empty where the playbook keeps silent)."""
    return service.suggested_reply(b.engine, case_id, playbook(), now=b.now())


def set_incident(b: Board, *, on: bool, reason: str) -> str:
    """Switch incident mode (templated replies pause while it is on)."""
    changed = service.set_incident(
        b.engine, on, b.actor, reason.strip() or None, b.now(), playbook=playbook()
    )
    state = "on" if on else "off"
    return f"Incident mode {state}; {changed} open cases updated."


# -- replies that reach the critic (the outbox) ---------------------------------------------

PLATFORM_NAMES = {"x": "X", "reddit": "Reddit", "mastodon": "Mastodon", "bluesky": "Bluesky"}


def platform_name(platform: str) -> str:
    """How the board names a platform (``X``, ``Mastodon``...)."""
    return PLATFORM_NAMES.get(platform, platform)


def sending_on(platform: str) -> bool:
    """Whether the sender worker posts replies on ``platform`` (``sources.<name>.send``)."""
    return platform in context().sending_platforms


def may_send(b: Board, stage: str) -> bool:
    """Whether this person's reply goes without a lead's approval: a lead's always, an agent's
    at the stages the playbook's ``sending.agent_may_send`` lists."""
    if b.can(Permission.APPROVE_REPLY):
        return True
    return b.can(Permission.SEND_REPLY) and stage in playbook().sending.agent_may_send


def reply_problems(
    platform: str, text: str, *, handle: str | None, private: bool
) -> list[RuleProblem]:
    """Every reason ``text`` cannot go to ``platform`` as it is (empty when it can)."""
    return rules.check_reply(platform, text, recipient_handle=handle, private=private)


def as_posted(platform: str, text: str, *, handle: str | None, private: bool) -> str:
    """The text as the platform will get it (the author's handle added where it is needed)."""
    return rules.prepare_text(platform, text, recipient_handle=handle, private=private)


def check_reply(item: OutboxItem, handle: str | None) -> str:
    """The service's check before an approval: the platform's rules, refused with every reason
    (``ReplyRefused``), else the text as it will be posted."""
    return rules.ensure_sendable(
        item.platform, item.text, recipient_handle=handle, private=item.private
    )


def send_reply(
    b: Board, case_id: int, text: str, *, platform: str, handle: str | None, private: bool
) -> str:
    """Draft a reply and send it: a lead's send is their approval; an agent's only at the
    stages the playbook allows (elsewhere :func:`submit_reply`). The rules run first, so a
    refused reply leaves no draft behind."""
    rules.ensure_sendable(platform, text, recipient_handle=handle, private=private)
    item = service.draft_reply(b.engine, case_id, b.actor, text, b.now(), private=private)
    assert item.id is not None
    service.send_reply(
        b.engine,
        item.id,
        b.actor,
        b.now(),
        role=b.user.role,
        check=check_reply,
        playbook=playbook(),
    )
    what = "private message" if private else "reply"
    return f"The {what} is approved; it goes to {platform_name(platform)} shortly."


def submit_reply(
    b: Board, case_id: int, text: str, *, platform: str, handle: str | None, private: bool
) -> str:
    """Draft a reply and ask a lead to approve it (the rules run first)."""
    rules.ensure_sendable(platform, text, recipient_handle=handle, private=private)
    item = service.draft_reply(b.engine, case_id, b.actor, text, b.now(), private=private)
    assert item.id is not None
    service.submit_reply(b.engine, item.id, b.actor, b.now())
    return "Sent for a lead's approval: it waits in the Outbox."


def approve_reply(b: Board, item_id: int, *, text: str | None = None) -> str:
    """A lead approves a reply (with their edit); the platform's rules run first."""
    item = service.approve_reply(
        b.engine, item_id, b.actor, b.now(), role=b.user.role, text=text, check=check_reply
    )
    return f"Reply #{item_id} approved; it goes to {platform_name(item.platform)} shortly."


def reject_reply(b: Board, item_id: int, *, reason: str) -> str:
    """A lead sends a reply back to its author as a draft, with the reason."""
    service.reject_reply(
        b.engine, item_id, b.actor, b.now(), reason=reason.strip() or None, role=b.user.role
    )
    return f"Reply #{item_id} rejected: it is a draft again."


def cancel_reply(b: Board, item_id: int) -> str:
    """Cancel a reply that has not gone (its author, or a lead)."""
    service.cancel_reply(b.engine, item_id, b.actor, b.now(), role=b.user.role)
    return f"Reply #{item_id} cancelled."


def retry_reply(b: Board, item_id: int) -> str:
    """A lead sends a failed reply again (looked up on the platform first, never posted twice)."""
    service.retry_reply(b.engine, item_id, b.actor, b.now(), role=b.user.role)
    return f"Reply #{item_id} goes again; it is looked up on the platform before it is posted."
