"""The outbox: every query on replies (and the brand's standalone posts) on their way to a
platform.

::

    draft -> awaiting_approval -> approved -> sending -> sent
                                     ^           |  \\-> failed -> approved (retry)
                                     +-----------+  (429/5xx: back to approved, later)
    cancelled from draft, awaiting_approval, approved or failed

Staff operations (``create_draft`` ... ``retry``) take the caller's ``Session`` so the playbook
service writes the row and the case's audit trail in one transaction. Approval mints the row's
one idempotency key. A standalone post (an incident's status update on the brand's own channel,
:func:`create_post`) answers no case and no post; it goes the same way, once per platform.

The sender worker's calls (``claim``, ``begin_attempt``, ``mark_sent``, ``mark_failed``,
``defer``) each run and commit their own transaction, so a row is ``sending`` with its attempt
time on disk *before* the platform is called. ``uncertain`` marks a row whose platform call may
have happened without its result being recorded (a worker killed mid-send, a 5xx, a timeout): such
a row is reconciled (looked up on the platform) before any retry. Every worker update names the
worker's lease, so a worker whose lease ran out cannot overwrite its successor's result.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, literal, or_, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from core.errors import InputError
from store.models import Author, Case, Mention, OutboxItem, OutboxState
from store.types import UTCDateTime
from store.wakeup import notify

S = OutboxState

#: Approvals and retries wake the sender worker on this channel (PostgreSQL).
OUTBOX_CHANNEL = "critic2fan_outbox"
#: A reply was sent: the playbook runner counts it as the staff reply (PostgreSQL).
OUTBOX_SENT_CHANNEL = "critic2fan_outbox_sent"

#: States a reply can still be cancelled from.
CANCELLABLE = frozenset({S.DRAFT, S.AWAITING_APPROVAL, S.APPROVED, S.FAILED})
#: The platform whose replies name the thread's root as well as the parent.
THREAD_ROOT_PLATFORMS = frozenset({"bluesky"})


@dataclass(frozen=True)
class OutboxRow:
    """One outbox row as the board shows it, with the answered post's link and author."""

    id: int
    case_id: int
    mention_id: int | None
    platform: str
    private: bool
    text: str
    state: str
    drafted_by: str
    drafted_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    updated_by: str | None
    updated_at: datetime
    attempts: int
    attempt_at: datetime | None
    next_attempt_at: datetime | None
    platform_post_id: str | None
    url: str | None
    sent_at: datetime | None
    error: str | None
    echo_mention_id: int | None
    #: The answered post's URL on the platform, and its author's handle.
    mention_url: str | None
    author_handle: str | None


@dataclass(frozen=True)
class Claim:
    """An outbox row a sender worker holds under its lease, with what the sender needs."""

    id: int
    platform: str
    text: str
    private: bool
    idempotency_key: str
    in_reply_to: str | None
    thread_root: str | None
    recipient_id: str | None
    recipient_handle: str | None
    attempts: int
    first_attempt_at: datetime | None
    attempt_at: datetime | None
    #: True: an earlier attempt may have posted it; look it up on the platform before sending.
    reconcile: bool
    #: A post on the brand's own channel (answers no post, no recipient).
    standalone: bool = False


# -- staff operations (caller's session) ----------------------------------------------------


def create_draft(
    session: Session,
    *,
    case_id: int,
    mention_id: int | None,
    platform: str,
    text: str,
    private: bool,
    drafted_by: str,
    now: datetime,
) -> OutboxItem:
    """A new draft answering ``mention_id`` (its platform id is kept for the echo's match)."""
    in_reply_to = None
    if mention_id is not None:
        mention = session.get(Mention, mention_id)
        if mention is None:
            raise InputError(f"no mention #{mention_id}")
        in_reply_to = mention.external_id
    draft = _new_draft(platform=platform, text=text, drafted_by=drafted_by, now=now)
    draft.case_id, draft.mention_id = case_id, mention_id
    draft.in_reply_to, draft.private = in_reply_to, private
    return _save(session, draft)


def create_post(
    session: Session,
    *,
    incident_update_id: int,
    platform: str,
    text: str,
    drafted_by: str,
    now: datetime,
) -> OutboxItem:
    """A standalone post carrying an incident's status update on ``platform``; the update has
    one row per platform at most (a second call returns the first row)."""
    existing = session.exec(
        select(OutboxItem)
        .where(col(OutboxItem.incident_update_id) == incident_update_id)
        .where(col(OutboxItem.platform) == platform)
    ).first()
    if existing is not None:
        return existing
    draft = _new_draft(platform=platform, text=text, drafted_by=drafted_by, now=now)
    draft.incident_update_id = incident_update_id
    return _save(session, draft)


def submit_for_approval(
    session: Session, item_id: int, *, by: str, now: datetime, text: str | None = None
) -> OutboxItem:
    """A draft waits for a lead's approval (``text`` replaces the draft's)."""
    item = _item(session, item_id, {S.DRAFT})
    _touch(item, S.AWAITING_APPROVAL, by, now, text=text)
    item.error = None
    return _save(session, item)


def approve(
    session: Session, item_id: int, *, approved_by: str, now: datetime, text: str | None = None
) -> OutboxItem:
    """Approve a draft or a reply awaiting approval (``text``: the approver's edit); mints the
    idempotency key the sender worker posts it under."""
    item = _item(session, item_id, {S.DRAFT, S.AWAITING_APPROVAL})
    _touch(item, S.APPROVED, approved_by, now, text=text)
    item.approved_by, item.approved_at = approved_by, now
    item.idempotency_key = secrets.token_hex(16)
    item.next_attempt_at, item.error = None, None
    notify(session.connection(), OUTBOX_CHANNEL)
    return _save(session, item)


def reject(
    session: Session, item_id: int, *, by: str, now: datetime, reason: str | None = None
) -> OutboxItem:
    """Send a reply awaiting approval back to draft, with the lead's reason."""
    item = _item(session, item_id, {S.AWAITING_APPROVAL})
    _touch(item, S.DRAFT, by, now)
    item.error = f"rejected by {by}" + (f": {reason}" if reason else "")
    return _save(session, item)


def cancel(
    session: Session, item_id: int, *, by: str, now: datetime, reason: str | None = None
) -> OutboxItem:
    """Cancel a reply that is not being sent and was not sent."""
    item = _item(session, item_id, CANCELLABLE)
    _touch(item, S.CANCELLED, by, now)
    if reason:
        item.error = reason
    item.next_attempt_at = None
    return _save(session, item)


def retry(session: Session, item_id: int, *, by: str, now: datetime) -> OutboxItem:
    """A failed reply is approved again under the same idempotency key; a reply tried before is
    reconciled (looked up on the platform) before it is posted again."""
    item = _item(session, item_id, {S.FAILED})
    _touch(item, S.APPROVED, by, now)
    item.next_attempt_at = None
    item.uncertain = item.attempts > 0
    notify(session.connection(), OUTBOX_CHANNEL)
    return _save(session, item)


def get_item(session: Session, item_id: int) -> OutboxItem:
    """The outbox row ``item_id`` (``InputError`` when there is none)."""
    item = session.get(OutboxItem, item_id)
    if item is None:
        raise InputError(f"no outbox reply #{item_id}")
    return item


# -- the board's reads ----------------------------------------------------------------------


def list_outbox(
    conn: Connection, *, states: Iterable[str] | None = None, limit: int = 200
) -> list[OutboxRow]:
    """Outbox rows in the given states (all when None), newest change first."""
    stmt = _rows_query()
    if states is not None:
        stmt = stmt.where(col(OutboxItem.state).in_([str(s) for s in states]))
    stmt = stmt.order_by(col(OutboxItem.updated_at).desc(), col(OutboxItem.id).desc())
    return [_row(r) for r in conn.execute(stmt.limit(limit))]


def outbox_for_case(conn: Connection, case_id: int) -> list[OutboxRow]:
    """Every outbox row of one case, oldest first."""
    stmt = _rows_query().where(col(OutboxItem.case_id) == case_id).order_by(col(OutboxItem.id))
    return [_row(r) for r in conn.execute(stmt)]


# -- the sender worker (own transactions) ---------------------------------------------------


def _due(now: datetime) -> Any:
    approved = and_(
        col(OutboxItem.state) == S.APPROVED.value,
        or_(col(OutboxItem.next_attempt_at).is_(None), col(OutboxItem.next_attempt_at) <= now),
    )
    abandoned = and_(
        col(OutboxItem.state) == S.SENDING.value,
        or_(col(OutboxItem.lease_until).is_(None), col(OutboxItem.lease_until) <= now),
    )
    return or_(approved, abandoned)


def claim(
    engine: Engine,
    *,
    worker: str,
    limit: int,
    lease: timedelta,
    now: datetime,
    platforms: Sequence[str] | None = None,
) -> list[Claim]:
    """Claim up to ``limit`` due rows for ``worker`` and commit them as ``sending``.

    Due: approved (and past any retry time), or sending under an expired lease (its worker
    died). A row no earlier attempt may have posted gets its attempt stamped here, in this
    committed transaction, before any platform call; a row that may have been posted comes back
    with ``reconcile`` set and is stamped by :func:`begin_attempt` only once the lookup says so.
    """
    pick = select(col(OutboxItem.id), col(OutboxItem.state), col(OutboxItem.uncertain))
    pick = pick.where(_due(now))
    if platforms is not None:
        pick = pick.where(col(OutboxItem.platform).in_(list(platforms)))
    pick = pick.order_by(col(OutboxItem.id)).limit(limit)
    if engine.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    claimed: list[tuple[int, bool]] = []
    with engine.begin() as conn:
        for item_id, state, uncertain in conn.execute(pick).all():
            assert item_id is not None
            reconcile = bool(uncertain) or state == S.SENDING.value
            values: dict[str, object] = {
                "state": S.SENDING.value,
                "lease_owner": worker,
                "lease_until": now + lease,
                "uncertain": True,
            }
            if not reconcile:
                values.update(_attempt_values(now))
            result = conn.execute(
                update(OutboxItem)
                .where(col(OutboxItem.id) == item_id, _due(now))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                claimed.append((item_id, reconcile))
        return _claims(conn, dict(claimed))


def begin_attempt(
    engine: Engine, item_id: int, *, worker: str, lease: timedelta, now: datetime
) -> bool:
    """Stamp a new attempt on a reconciled row (committed before the platform call); False when
    ``worker`` no longer holds it."""
    values = {"lease_until": now + lease, **_attempt_values(now)}
    return _update_held(engine, item_id, worker, values)


def mark_sent(
    engine: Engine,
    item_id: int,
    *,
    worker: str,
    platform_post_id: str,
    url: str | None,
    now: datetime,
) -> bool:
    """Record what the platform posted; False when ``worker`` no longer holds the row."""
    values = {
        "state": S.SENT.value,
        "platform_post_id": platform_post_id,
        "url": url,
        "sent_at": now,
        "updated_at": now,
        "error": None,
        **_released(),
    }
    return _update_held(engine, item_id, worker, values)


def mark_failed(engine: Engine, item_id: int, *, worker: str, reason: str, now: datetime) -> bool:
    """Record the platform's final refusal, in its own words; never retried by itself."""
    values = {"state": S.FAILED.value, "error": reason, "updated_at": now, **_released()}
    return _update_held(engine, item_id, worker, values)


def defer(
    engine: Engine,
    item_id: int,
    *,
    worker: str,
    until: datetime,
    uncertain: bool,
    reason: str,
    now: datetime,
) -> bool:
    """Put a row back to approved until ``until`` (a rate limit's reset, a backoff, an echo's
    grace period); ``uncertain`` when the platform may hold the post already."""
    values = {
        "state": S.APPROVED.value,
        "next_attempt_at": until,
        "error": reason,
        "updated_at": now,
        **_released(),
        "uncertain": uncertain,
    }
    return _update_held(engine, item_id, worker, values)


# -- the echo and the staff-reply count (caller's session) ----------------------------------


def link_echo(
    session: Session,
    *,
    platform: str,
    external_id: str,
    in_reply_to: str | None,
    text: str,
    mention_id: int,
    now: datetime,
) -> OutboxItem | None:
    """Link the brand's own post, as the listener stored it, to the outbox row that sent it.

    Matched by the platform's id of a sent row, or, for a row whose send was never recorded
    (``uncertain``), by the post it answers and its text: that row is then recorded as sent.
    None: the post was not sent from the outbox (typed on the platform by hand).
    """
    item = session.exec(
        select(OutboxItem)
        .where(col(OutboxItem.platform) == platform)
        .where(col(OutboxItem.platform_post_id) == external_id)
        .order_by(col(OutboxItem.id))
        .limit(1)
    ).first()
    if item is None and in_reply_to is not None:
        candidates = session.exec(
            select(OutboxItem)
            .where(col(OutboxItem.platform) == platform)
            .where(col(OutboxItem.in_reply_to) == in_reply_to)
            .where(col(OutboxItem.uncertain))
            .where(col(OutboxItem.state).in_([S.SENDING.value, S.APPROVED.value]))
            .order_by(col(OutboxItem.id))
        ).all()
        for cand in candidates:
            if same_text(cand.text, text):
                item = cand
                item.state, item.platform_post_id, item.sent_at = S.SENT.value, external_id, now
                item.updated_at, item.error, item.next_attempt_at = now, None, None
                item.uncertain, item.lease_owner, item.lease_until = False, None, None
                break
    if item is None:
        return None
    if item.echo_mention_id is None:
        item.echo_mention_id = mention_id
    session.add(item)
    return item


def sent_uncounted(session: Session, *, limit: int = 100) -> list[OutboxItem]:
    """Sent rows the case has not counted as its staff reply yet, oldest first."""
    return list(
        session.exec(
            select(OutboxItem)
            .where(col(OutboxItem.state) == S.SENT.value)
            .where(col(OutboxItem.counted).is_(False))
            .where(col(OutboxItem.case_id).is_not(None))
            .order_by(col(OutboxItem.id))
            .limit(limit)
        ).all()
    )


def same_text(sent: str, seen: str) -> bool:
    """Whether ``seen`` (the post as the listener stored it) is the reply ``sent``: the same
    words, perhaps after a handle the platform put first."""
    a, b = " ".join(sent.split()), " ".join(seen.split())
    return bool(a) and (a == b or b.endswith(" " + a))


# -- helpers --------------------------------------------------------------------------------


def _item(session: Session, item_id: int, allowed: Iterable[OutboxState]) -> OutboxItem:
    item = get_item(session, item_id)
    allowed = set(allowed)
    if item.state not in {s.value for s in allowed}:
        want = " or ".join(sorted(s.value for s in allowed))
        raise InputError(f"outbox reply #{item_id} is {item.state}, not {want}")
    return item


def _new_draft(*, platform: str, text: str, drafted_by: str, now: datetime) -> OutboxItem:
    """An unsaved draft row, stamped as drafted and last changed by ``drafted_by``."""
    return OutboxItem(
        platform=platform,
        text=text,
        state=S.DRAFT.value,
        drafted_by=drafted_by,
        drafted_at=now,
        updated_by=drafted_by,
        updated_at=now,
    )


def _touch(
    item: OutboxItem, state: OutboxState, by: str, now: datetime, *, text: str | None = None
) -> None:
    item.state, item.updated_by, item.updated_at = state.value, by, now
    if text is not None:
        item.text = text


def _save(session: Session, item: OutboxItem) -> OutboxItem:
    session.add(item)
    session.flush()
    return item


def _attempt_values(now: datetime) -> dict[str, object]:
    return {
        "attempts": col(OutboxItem.attempts) + 1,
        "attempt_at": now,
        "first_attempt_at": _coalesce_first(now),
        "updated_at": now,
    }


def _coalesce_first(now: datetime) -> Any:
    return func.coalesce(col(OutboxItem.first_attempt_at), literal(now, UTCDateTime()))


def _released() -> dict[str, object]:
    return {"lease_owner": None, "lease_until": None, "uncertain": False}


def _update_held(engine: Engine, item_id: int, worker: str, values: dict[str, object]) -> bool:
    stmt = (
        update(OutboxItem)
        .where(col(OutboxItem.id) == item_id)
        .where(col(OutboxItem.state) == S.SENDING.value)
        .where(col(OutboxItem.lease_owner) == worker)
        .values(**values)
    )
    with engine.begin() as conn:
        done = conn.execute(stmt).rowcount == 1
        if done and values.get("state") == S.SENT.value:
            notify(conn, OUTBOX_SENT_CHANNEL)
        return done


def _claims(conn: Connection, reconcile: dict[int, bool]) -> list[Claim]:
    if not reconcile:
        return []
    stmt = (
        select(
            OutboxItem,
            col(Mention.thread_id),
            col(Author.platform_id),
            col(Author.handle),
        )
        .outerjoin(Case, col(Case.id) == col(OutboxItem.case_id))
        .outerjoin(Author, col(Author.id) == col(Case.author_id))
        .outerjoin(Mention, col(Mention.id) == col(OutboxItem.mention_id))
        .where(col(OutboxItem.id).in_(list(reconcile)))
        .order_by(col(OutboxItem.id))
    )
    out = []
    for row in conn.execute(stmt):
        m = row._mapping
        assert m["id"] is not None
        root = m["thread_id"] if m["platform"] in THREAD_ROOT_PLATFORMS else None
        out.append(
            Claim(
                id=m["id"],
                platform=m["platform"],
                text=m["text"],
                private=m["private"],
                idempotency_key=m["idempotency_key"] or "",
                in_reply_to=m["in_reply_to"],
                thread_root=root,
                recipient_id=m["platform_id"],
                recipient_handle=m["handle"],
                attempts=m["attempts"],
                first_attempt_at=m["first_attempt_at"],
                attempt_at=m["attempt_at"],
                reconcile=reconcile[m["id"]],
                standalone=m["case_id"] is None,
            )
        )
    return out


def _rows_query() -> Any:
    return (
        select(OutboxItem, col(Mention.url).label("mention_url"), col(Author.handle))
        .join(Case, col(Case.id) == col(OutboxItem.case_id))
        .join(Author, col(Author.id) == col(Case.author_id))
        .outerjoin(Mention, col(Mention.id) == col(OutboxItem.mention_id))
    )


def _row(r: Any) -> OutboxRow:
    m = r._mapping
    return OutboxRow(
        id=m["id"],
        case_id=m["case_id"],
        mention_id=m["mention_id"],
        platform=m["platform"],
        private=m["private"],
        text=m["text"],
        state=m["state"],
        drafted_by=m["drafted_by"],
        drafted_at=m["drafted_at"],
        approved_by=m["approved_by"],
        approved_at=m["approved_at"],
        updated_by=m["updated_by"],
        updated_at=m["updated_at"],
        attempts=m["attempts"],
        attempt_at=m["attempt_at"],
        next_attempt_at=m["next_attempt_at"],
        platform_post_id=m["platform_post_id"],
        url=m["url"],
        sent_at=m["sent_at"],
        error=m["error"],
        echo_mention_id=m["echo_mention_id"],
        mention_url=m["mention_url"],
        author_handle=m["handle"],
    )
