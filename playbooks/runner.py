"""The I/O edge: feed scored mentions and due timers to the engine, persist cases and events.

Progress is the ``SourceCursor`` row ``stage:playbook``: a watermark over (created_at, id) plus
the highest mention id seen (so a post fetched late, with an older created_at, is still
picked up). It is saved in the same transaction as the cases and events a batch writes, so
a crash neither loses nor repeats work. A mention that is not scored yet stops the batch
there; the next run resumes at it.

Clock: each mention is handled at its own ``created_at`` (never going backwards), so replaying
history (``now=None``) opens, escalates and closes cases as they would have happened live;
timers fall due as that clock passes them. With ``now`` given, timers up to ``now`` fire at
the end.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from core.clock import utcnow
from core.errors import StorageError
from playbooks.events import StaffReply, TimerFired
from playbooks.persist import apply_event, edge_data, set_edge_data
from playbooks.schema import Playbook
from playbooks.service import incident_active, set_incident
from playbooks.spike import SpikeCheck, bucketize, detect_spike
from playbooks.text import GENERAL_TOPIC, classify_topic, critic_post
from store.engine import session_scope
from store.models import Author, Case, Incident, Mention, Score, SourceCursor
from store.writer import save_cursor

log = logging.getLogger(__name__)

#: Longest pause between retries while the database is unreachable.
MAX_BACKOFF_S = 10.0

CURSOR_NAME = "stage:playbook"
BATCH_SIZE = 500
#: How many of the brand's posts a case remembers (to route critics' replies to it).
REMEMBERED_BRAND_POSTS = 20


@dataclass
class RunSummary:
    """What one run did."""

    mentions: int = 0
    staff_replies: int = 0
    critic_posts: int = 0
    cases_opened: int = 0
    case_events: int = 0
    timers_fired: int = 0
    waiting_for_scores: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return asdict(self)


@dataclass
class _Cursor:
    at: datetime | None = None
    id: int = 0
    max_id: int = 0

    def dump(self) -> str:
        at = self.at.isoformat() if self.at else None
        return json.dumps({"at": at, "id": self.id, "max_id": self.max_id})

    @classmethod
    def load(cls, value: str | None) -> _Cursor:
        if not value:
            return cls()
        data = json.loads(value)
        at = datetime.fromisoformat(data["at"]) if data.get("at") else None
        return cls(at=at, id=int(data.get("id", 0)), max_id=int(data.get("max_id", 0)))


def process_pending(
    engine: Engine,
    playbook: Playbook,
    *,
    now: datetime | None = None,
    model: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> RunSummary:
    """Work every scored, not yet processed mention in created_at order; then fire due timers.

    ``model`` picks whose scores to use (a ``Score.model_name``); None takes the newest score.
    """
    summary = RunSummary()
    clock: datetime | None = None
    while True:
        with session_scope(engine) as session:
            batch = _Batch(session, playbook, summary, model)
            done, clock = batch.run(batch_size, clock, now)
        if done:
            break
    final = now or clock
    if final is not None:
        summary.timers_fired += fire_due_timers(engine, playbook, final)
    log.info("playbook run: %s", summary.as_dict())
    return summary


def fire_due_timers(engine: Engine, playbook: Playbook, now: datetime) -> int:
    """Fire every open case's timer that is due at ``now``; returns how many fired."""
    with session_scope(engine) as session:
        return _fire_due(session, playbook, now, RunSummary())


def run_once(engine: Engine, playbook: Playbook, *, now: datetime | None = None) -> RunSummary:
    """One pass of the live worker: spike check, mentions handled, timers due by ``now`` fired."""
    now = now or utcnow()
    check_spike(engine, playbook, now)
    return process_pending(engine, playbook, now=now)


def check_spike(engine: Engine, playbook: Playbook, now: datetime) -> SpikeCheck:
    """Look for a spike in the buckets ending at ``now``; on one, switch incident mode on."""
    rules = playbook.spike
    window = timedelta(minutes=rules.bucket_minutes * (rules.baseline_buckets + 1))
    with Session(engine) as session:
        rows = session.exec(
            select(Mention.created_at, func.max(Score.p_negative))
            .join(Score, col(Score.mention_id) == col(Mention.id))
            .where(col(Mention.created_at) >= now - window, col(Mention.created_at) < now)
            .group_by(col(Mention.id), col(Mention.created_at))
        ).all()
    negative = playbook.thresholds.open_negativity
    buckets = bucketize(((at, p >= negative) for at, p in rows), end=now, rules=rules)
    verdict = detect_spike(buckets, rules)
    if verdict.spike and not incident_active(engine):
        log.warning("spike detected: %s", "; ".join(verdict.reasons))
        set_incident(
            engine,
            True,
            "engine",
            "spike: " + "; ".join(verdict.reasons),
            now,
            kind="spike",
            playbook=playbook,
        )
    return verdict


def run_worker(
    engine: Engine,
    playbook: Playbook,
    *,
    interval_s: float = 5.0,
    stop: threading.Event | None = None,
) -> None:
    """Keep working until ``stop`` is set: a pass every ``interval_s``, sooner for a due timer.

    Timers live in the database, so after a restart the first pass fires whatever fell due
    while the worker was down.
    """
    stop = stop or threading.Event()
    log.info("playbook worker started (every %.1fs)", interval_s)
    backoff = 0.0
    try:
        while not stop.is_set():
            try:
                run_once(engine, playbook)
                wait = _sleep_for(engine, interval_s)
                backoff = 0.0
            except (DBAPIError, StorageError) as exc:  # the database went away: retry
                backoff = min(MAX_BACKOFF_S, max(0.5, backoff * 2))
                log.warning("database unavailable (%s); retrying in %.1fs", exc, backoff)
                wait = backoff
            stop.wait(wait)
    except KeyboardInterrupt:
        pass
    log.info("playbook worker stopped")


def _sleep_for(engine: Engine, interval_s: float) -> float:
    with Session(engine) as session:
        due = session.exec(
            select(Case.timer_due)
            .where(col(Case.is_open).is_(True), col(Case.timer_due).is_not(None))
            .order_by(col(Case.timer_due))
            .limit(1)
        ).first()
    if due is None:
        return interval_s
    return max(0.05, min(interval_s, (due - utcnow()).total_seconds()))


def _fire_due(session: Session, playbook: Playbook, until: datetime, summary: RunSummary) -> int:
    fired = 0
    while True:
        rows = session.exec(
            select(Case)
            .where(col(Case.is_open).is_(True), col(Case.timer_due) <= until)
            .order_by(col(Case.timer_due), col(Case.id))
            .limit(BATCH_SIZE)
        ).all()
        if not rows:
            return fired
        for row in rows:
            assert row.timer_due is not None
            applied = apply_event(session, row, TimerFired(), row.timer_due, playbook)
            summary.case_events += len(applied.actions)
            fired += 1
        session.flush()


class _Batch:
    """One transaction's worth of mentions."""

    def __init__(
        self, session: Session, playbook: Playbook, summary: RunSummary, model: str | None
    ) -> None:
        self.session = session
        self.pb = playbook
        self.summary = summary
        self.model = model
        self.incidents = session.exec(select(Incident)).all()
        self.next_due = self._next_due()

    def run(
        self, limit: int, clock: datetime | None, now: datetime | None
    ) -> tuple[bool, datetime | None]:
        stored = self.session.get(SourceCursor, CURSOR_NAME)
        cursor = _Cursor.load(stored.value if stored else None)
        rows = self._pending(cursor, limit)
        if not rows:
            return True, clock
        scores = self._scores([m.id for m, _ in rows if m.id is not None])
        blocked = False
        for mention, author in rows:
            score = scores.get(mention.id or 0)
            if score is None and not author.is_brand and not mention.deleted:
                blocked = True
                self.summary.waiting_for_scores = True
                break
            at = mention.created_at if clock is None else max(clock, mention.created_at)
            clock = min(at, now) if now is not None else at
            self._fire_until(clock)
            if not mention.deleted:
                self._handle(mention, author, score, clock)
            assert mention.id is not None
            cursor.at, cursor.id = mention.created_at, mention.id
            cursor.max_id = max(cursor.max_id, mention.id)
        save_cursor(self.session.connection(), CURSOR_NAME, cursor.dump(), now=utcnow())
        return blocked or len(rows) < limit, clock

    def _pending(self, cursor: _Cursor, limit: int) -> list[tuple[Mention, Author]]:
        query = select(Mention, Author).join(Author, col(Author.id) == col(Mention.author_id))
        if cursor.at is not None:
            after = or_(
                col(Mention.created_at) > cursor.at,
                and_(col(Mention.created_at) == cursor.at, col(Mention.id) > cursor.id),
                col(Mention.id) > cursor.max_id,
            )
            query = query.where(after)
        query = query.order_by(col(Mention.created_at), col(Mention.id)).limit(limit)
        return [(m, a) for m, a in self.session.exec(query).all()]

    def _scores(self, ids: list[int]) -> dict[int, Score]:
        query = select(Score).where(col(Score.mention_id).in_(ids))
        if self.model is not None:
            query = query.where(col(Score.model_name) == self.model)
        newest: dict[int, Score] = {}
        for score in self.session.exec(query.order_by(col(Score.scored_at), col(Score.id))):
            newest[score.mention_id] = score
        return newest

    def _next_due(self) -> datetime | None:
        return self.session.exec(
            select(Case.timer_due)
            .where(col(Case.is_open).is_(True), col(Case.timer_due).is_not(None))
            .order_by(col(Case.timer_due))
            .limit(1)
        ).first()

    def _fire_until(self, clock: datetime) -> None:
        if self.next_due is None or self.next_due > clock:
            return
        self.summary.timers_fired += _fire_due(self.session, self.pb, clock, self.summary)
        self.next_due = self._next_due()

    def _incident_at(self, at: datetime) -> bool:
        return any(
            i.started_at <= at and (i.ended_at is None or i.ended_at > at) for i in self.incidents
        )

    def _handle(self, mention: Mention, author: Author, score: Score | None, at: datetime) -> None:
        self.summary.mentions += 1
        parent = self._parent(mention)
        if author.is_brand:
            if parent is None or parent.author_id == author.id:
                return
            row = self._case_for(parent.author_id, parent, topic_text=parent.text)
            if row is None:
                return
            self.summary.staff_replies += 1
            reply = StaffReply(f"user:{author.handle}", mention.text, mention.id)
            self._apply(row, reply, at, mention.source)
            edge = edge_data(row)
            posts = [*edge.get("brand_posts", []), mention.id][-REMEMBERED_BRAND_POSTS:]
            set_edge_data(row, {**edge, "brand_posts": posts})
            return
        assert score is not None and author.id is not None
        reply_to_brand = parent is not None and self._is_brand(parent.author_id)
        row = self._case_for(author.id, parent if reply_to_brand else None, mention.text)
        self.summary.critic_posts += 1
        event = critic_post(
            self.pb,
            text=mention.text,
            author_id=author.id,
            p_negative=score.p_negative,
            sentiment=score.sentiment,
            troll=score.troll_likelihood,
            troll_reasons=tuple(score.troll_reasons or ()),
            followers=author.followers or 0,
            mention_id=mention.id,
            reply=reply_to_brand,
            incident=self._incident_at(at),
            topic=row.topic if row is not None else None,
        )
        self._apply(row, event, at, mention.source)

    def _apply(self, row: Case | None, event: Any, at: datetime, source: str) -> None:
        opened = row is None
        applied = apply_event(self.session, row, event, at, self.pb, source=source)
        self.summary.case_events += len(applied.actions)
        if applied.row is not None and (opened or applied.row is not row):
            self.summary.cases_opened += 1
        due = applied.state.timer_due if applied.state is not None else None
        if due is not None and (self.next_due is None or due < self.next_due):
            self.next_due = due

    def _parent(self, mention: Mention) -> Mention | None:
        ref = mention.in_reply_to or mention.thread_id
        if not ref or ref == mention.external_id:
            return None
        return self.session.exec(
            select(Mention).where(
                col(Mention.source) == mention.source, col(Mention.external_id) == ref
            )
        ).first()

    def _is_brand(self, author_id: int) -> bool:
        author = self.session.get(Author, author_id)
        return bool(author and author.is_brand)

    def _case_for(self, author_id: int, parent: Mention | None, topic_text: str) -> Case | None:
        """The author's open case this post belongs to (None: no open case fits)."""
        open_cases = self.session.exec(
            select(Case)
            .where(col(Case.author_id) == author_id, col(Case.is_open).is_(True))
            .order_by(col(Case.updated_at).desc())
        ).all()
        if not open_cases:
            return None
        if parent is not None:
            for row in open_cases:
                if row.latest_mention_id == parent.id:
                    return row
                if parent.id in edge_data(row).get("brand_posts", []):
                    return row
        topic = classify_topic(topic_text, self.pb)
        for row in open_cases:
            if row.topic == topic:
                return row
        # A reply in a thread, or a post naming no topic, continues the latest conversation.
        return open_cases[0] if parent is not None or topic == GENERAL_TOPIC else None
