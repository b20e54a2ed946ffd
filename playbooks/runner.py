"""The I/O edge: feed scored mentions and due timers to the engine, persist cases and events.

Progress is the ``SourceCursor`` row ``stage:playbook`` (:class:`store.playbook_feed.FeedCursor`):
a watermark over (created_at, id) plus the highest mention id seen (so a post fetched late, with
an older created_at, is still picked up). It is saved in the same transaction as the cases and
events a batch writes, so a crash neither loses nor repeats work. A mention that is not scored
yet stops the batch there; the next run resumes at it.

The live worker runs in :func:`store.polling.run_until_stopped`: idle, it waits for the
scorer's notification of new scores on PostgreSQL (a short poll on SQLite), or for the next
case timer, whichever comes first.

One worker per database: it works only while it holds the ``playbook`` lock
(:mod:`store.leader`: an advisory lock on PostgreSQL, a file lock beside SQLite). A second
worker stands by and takes over within about half a second when the first dies; a worker that
loses its lock (its lock connection broke) stops before its next batch and stands by again.

Clock: each mention is handled at its own ``created_at`` (never going backwards), so replaying
history (``now=None``) opens, escalates and closes cases as they would have happened live;
timers fall due as that clock passes them. With ``now`` given, timers up to ``now`` fire at
the end.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.backoff import Backoff
from core.clock import SYSTEM_CLOCK, Clock
from core.errors import ConfigError
from core.pileon import PILEON_WINDOW, fingerprint
from playbooks.actions import IncidentTag
from playbooks.events import PileOnFound, StaffReply, TimerFired
from playbooks.persist import apply_event, edge_data, set_edge_data
from playbooks.pileon import find_pileon, in_pileon
from playbooks.schema import Playbook, SpikeRules
from playbooks.service import count_sent_reply, incident_active, set_incident
from playbooks.spike import (
    SpikeCheck,
    back_to_baseline,
    bucketize,
    detect_spike,
    spike_topic,
    topic_baseline,
)
from playbooks.text import GENERAL_TOPIC, classify_topic, critic_post
from store.case_timers import cases_due, next_timer_due, next_timer_due_in
from store.engine import session_scope
from store.incidents import (
    in_scope,
    link_covering,
    newest_open_incident,
    propose_close,
    scored_mentions_between,
)
from store.leader import STANDBY_RETRY_S, LeaderLock, LockLost, leader_lock, wait_to_lead
from store.models import Case
from store.open_cases import (
    all_incidents,
    is_brand_author,
    open_cases_of,
    open_cases_of_authors,
)
from store.outbox import OUTBOX_SENT_CHANNEL, link_echo, sent_uncounted
from store.playbook_feed import (
    critic_posts_between,
    mentions_after,
    newest_scores,
    parent_post,
    read_feed_cursor,
    save_feed_cursor,
)
from store.polling import run_until_stopped
from store.wakeup import SCORES_CHANNEL, Wakeup, wakeup_for

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from store.models import Author, Mention, Score

log = logging.getLogger(__name__)

#: Longest pause between retries while the database is unreachable.
MAX_BACKOFF_S = 10.0
#: SQLite has no notifications: an idle worker looks for new scores this often.
SQLITE_POLL_S = 0.2

CURSOR_NAME = "stage:playbook"
BATCH_SIZE = 500
#: How many of the brand's posts a case remembers (to route critics' replies to it).
REMEMBERED_BRAND_POSTS = 20
#: The lock only one playbook worker per database holds (:mod:`store.leader`).
LOCK_NAME = "playbook"


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


def process_pending(
    engine: Engine,
    playbook: Playbook,
    *,
    now: datetime | None = None,
    model: str | None = None,
    batch_size: int = BATCH_SIZE,
    clock: Clock = SYSTEM_CLOCK,
    guard: Callable[[], None] | None = None,
    until: datetime | None = None,
) -> RunSummary:
    """Work every scored, not yet processed mention in created_at order; then fire due timers.

    ``until`` stops at mentions posted after it (a replay in steps of time, as the demo does).

    ``model`` picks whose scores to use (a ``Score.model_name``); None takes the newest score.
    ``clock`` only stamps the saved cursor; the cases' time is ``now`` or the mentions' own.
    ``guard`` runs before each batch and may stop the run by raising (the worker's lock check).
    """
    summary = RunSummary()
    at: datetime | None = None
    while True:
        if guard is not None:
            guard()
        with session_scope(engine) as session:
            batch = _Batch(session, playbook, summary, model, saved_at=clock.now())
            done, at = batch.run(batch_size, at, now, until)
        if done:
            break
    final = now or at
    if final is not None:
        if guard is not None:
            guard()
        summary.timers_fired += fire_due_timers(engine, playbook, final)
    if summary.mentions or summary.timers_fired:
        log.info("playbook run: %s", summary.as_dict())
    else:
        log.debug("playbook run: nothing to do")
    return summary


def fire_due_timers(engine: Engine, playbook: Playbook, now: datetime) -> int:
    """Fire every open case's timer that is due at ``now``; returns how many fired."""
    with session_scope(engine) as session:
        return _fire_due(session, playbook, now, RunSummary())


def run_once(
    engine: Engine,
    playbook: Playbook,
    *,
    now: datetime | None = None,
    clock: Clock = SYSTEM_CLOCK,
    lock: LeaderLock | None = None,
) -> RunSummary:
    """One pass of the live worker: spike check, mentions handled, timers due by ``now`` fired.

    It holds the worker's lock for the pass, so it never runs beside a worker: when one holds
    the lock, ``ConfigError`` says so and nothing is done.
    """
    now = now or clock.now()
    lock = lock or leader_lock(engine, LOCK_NAME)
    if not lock.try_acquire():
        raise ConfigError(
            "a playbook worker is running against this database (it holds the playbook "
            "lock): it does this work already; stop it first to run a pass by hand"
        )
    try:
        check_spike(engine, playbook, now)
        return process_pending(engine, playbook, now=now, clock=clock, guard=lock.check)
    finally:
        lock.release()


def check_spike(engine: Engine, playbook: Playbook, now: datetime) -> SpikeCheck:
    """Look for a spike in the buckets ending at ``now``.

    On one, incident mode opens for the spike's topic (the topic most of the latest bucket's
    mentions have): only that topic's open cases are tagged. While a spike's incident is open,
    the check proposes closing it once that topic's volume is back at the baseline it had when
    the spike was detected; closing stays with a lead.
    """
    rules = playbook.spike
    window = timedelta(minutes=rules.bucket_minutes * (rules.baseline_buckets + 1))
    with session_scope(engine) as session:
        rows = scored_mentions_between(session, now - window, now)
    negative = playbook.thresholds.open_negativity
    buckets = bucketize(((at, p >= negative) for at, p, _ in rows), end=now, rules=rules)
    verdict = detect_spike(buckets, rules)
    topics = [(at, classify_topic(text, playbook)) for at, _, text in rows]
    if verdict.spike and not incident_active(engine):
        topic = spike_topic(topics, end=now, rules=rules)
        baseline = topic_baseline(topics, topic, end=now, rules=rules)
        log.warning("spike detected on %s: %s", topic, "; ".join(verdict.reasons))
        set_incident(
            engine,
            True,
            "engine",
            f"spike on {topic}: " + "; ".join(verdict.reasons),
            now,
            kind="spike",
            playbook=playbook,
            topic=topic,
            data={"baseline_per_bucket": baseline},
        )
    elif not verdict.spike:
        _propose_close_if_calm(engine, topics, now, rules)
    return verdict


def _propose_close_if_calm(
    engine: Engine, topics: list[tuple[datetime, str]], now: datetime, rules: SpikeRules
) -> None:
    with session_scope(engine) as session:
        incident = newest_open_incident(session)
        if incident is None or incident.kind != "spike" or incident.topic is None:
            return
        if incident.close_proposed_at is not None or incident.id is None:
            return
        baseline = float(incident.data.get("baseline_per_bucket", 0.0))
        if back_to_baseline(topics, incident.topic, baseline, end=now, rules=rules):
            propose_close(session, incident.id, now)
            log.warning(
                "%s volume back to its baseline: closing the incident is proposed", incident.topic
            )


def run_worker(
    engine: Engine,
    playbook: Playbook,
    *,
    interval_s: float = 5.0,
    stop: threading.Event | None = None,
    wake: Wakeup | None = None,
    backoff: Backoff | None = None,
    sqlite_poll_s: float = SQLITE_POLL_S,
    clock: Clock = SYSTEM_CLOCK,
    lock: LeaderLock | None = None,
    standby_retry_s: float = STANDBY_RETRY_S,
) -> None:
    """Keep working until ``stop`` is set: at once on new scores, sooner for a due timer.

    Only while holding ``lock`` (default: the database's ``playbook`` lock): without it the
    worker stands by, asking again every ``standby_retry_s``, and takes over when the holder
    is gone; losing it stops the work before the next batch and returns to standing by.

    ``wake`` defaults to the database's own (LISTEN for new scores on PostgreSQL, a
    ``sqlite_poll_s`` poll on SQLite); without one a pass runs every ``interval_s``. The spike
    check runs at most every ``interval_s``. Timers live in the database, so after a restart
    the first pass fires whatever fell due while the worker was down.
    """
    stop = stop or threading.Event()
    lock = lock or leader_lock(engine, LOCK_NAME)
    wake = wake or wakeup_for(
        engine, [SCORES_CHANNEL, OUTBOX_SENT_CHANNEL], sqlite_poll_s=sqlite_poll_s
    )
    spike_checked_at: float | None = None
    log.info("playbook worker started (every %.1fs at the latest)", interval_s)

    def step() -> int:
        nonlocal spike_checked_at
        lock.check()
        now = clock.now()
        if spike_checked_at is None or time.monotonic() - spike_checked_at >= interval_s:
            check_spike(engine, playbook, now)
            spike_checked_at = time.monotonic()
        summary = process_pending(engine, playbook, now=now, clock=clock, guard=lock.check)
        return summary.mentions + summary.timers_fired

    try:
        while wait_to_lead(lock, stop, what="playbook worker", retry_s=standby_retry_s):
            try:
                run_until_stopped(
                    step,
                    stop=stop,
                    wake=wake,
                    idle_s=lambda: _sleep_for(engine, interval_s, clock.now()),
                    backoff=backoff or Backoff(base=0.5, cap=MAX_BACKOFF_S),
                    name="playbook worker",
                )
            except LockLost as exc:
                log.warning("playbook worker: %s; stopped working, standing by", exc)
                lock.release()
                continue
            break
    except KeyboardInterrupt:
        pass
    finally:
        lock.release()
        wake.close()
    log.info("playbook worker stopped")


def _sleep_for(engine: Engine, interval_s: float, now: datetime) -> float:
    """Until the next case timer falls due, at most ``interval_s``."""
    due = next_timer_due_in(engine)
    if due is None:
        return interval_s
    return max(0.05, min(interval_s, (due - now).total_seconds()))


def _fire_due(session: Session, playbook: Playbook, until: datetime, summary: RunSummary) -> int:
    fired = 0
    while True:
        rows = cases_due(session, until, limit=BATCH_SIZE)
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
        self,
        session: Session,
        playbook: Playbook,
        summary: RunSummary,
        model: str | None,
        *,
        saved_at: datetime,
    ) -> None:
        self.session = session
        self.pb = playbook
        self.summary = summary
        self.model = model
        self.saved_at = saved_at
        self.incidents = all_incidents(session)
        self.next_due = next_timer_due(session)
        #: Pile-ons this batch answered: their words -> (first post, accounts).
        self.pileons: dict[str, tuple[int, int]] = {}

    def run(
        self, limit: int, clock: datetime | None, now: datetime | None, until: datetime | None
    ) -> tuple[bool, datetime | None]:
        cursor = read_feed_cursor(self.session, CURSOR_NAME)
        self._count_sent(clock, now)
        rows = mentions_after(self.session, cursor, limit, until=until)
        if not rows:
            return True, clock
        ids = [m.id for m, _ in rows if m.id is not None]
        scores = newest_scores(self.session, ids, model=self.model)
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
        save_feed_cursor(self.session, CURSOR_NAME, cursor, now=self.saved_at)
        return blocked or len(rows) < limit, clock

    def _count_sent(self, clock: datetime | None, now: datetime | None) -> None:
        """Replies the outbox sent count as the staff reply, each once, at their send time."""
        for item in sent_uncounted(self.session):
            at = item.sent_at or now or item.updated_at
            at = max(clock, at) if clock is not None else at
            if count_sent_reply(self.session, item, at, self.pb) is not None:
                self.summary.staff_replies += 1

    def _fire_until(self, clock: datetime) -> None:
        if self.next_due is None or self.next_due > clock:
            return
        self.summary.timers_fired += _fire_due(self.session, self.pb, clock, self.summary)
        self.next_due = next_timer_due(self.session)

    def _incident_at(self, at: datetime, topic: str, platform: str) -> bool:
        """Whether an incident whose scope covers ``topic`` on ``platform`` was live at ``at``."""
        return any(
            i.started_at <= at
            and (i.ended_at is None or i.ended_at > at)
            and in_scope(i, topic=topic, platform=platform)
            for i in self.incidents
        )

    def _handle(self, mention: Mention, author: Author, score: Score | None, at: datetime) -> None:
        self.summary.mentions += 1
        parent = parent_post(self.session, mention)
        if author.is_brand:
            if parent is None or parent.author_id in (None, author.id):
                return  # no critic's post answered: nobody's case moves
            assert mention.id is not None
            echo = link_echo(
                self.session,
                platform=mention.source,
                external_id=mention.external_id,
                in_reply_to=mention.in_reply_to,
                text=mention.text,
                mention_id=mention.id,
                now=at,
            )
            row = self._case_for(parent.author_id, parent, topic_text=parent.text)
            if echo is not None:  # sent from the outbox: counted once, by its send
                row = self.session.get(Case, echo.case_id)
                if count_sent_reply(self.session, echo, at, self.pb, mention_id=mention.id):
                    self.summary.staff_replies += 1
            elif row is not None:  # typed on the platform by hand
                self.summary.staff_replies += 1
                reply = StaffReply(f"user:{author.handle}", mention.text, mention.id)
                self._apply(row, reply, at, mention.source)
            if row is None or not row.is_open:
                return
            edge = edge_data(row)
            posts = [*edge.get("brand_posts", []), mention.id][-REMEMBERED_BRAND_POSTS:]
            set_edge_data(row, {**edge, "brand_posts": posts})
            return
        assert score is not None and author.id is not None
        reply_to_brand = (
            parent is not None
            and parent.author_id is not None
            and is_brand_author(self.session, parent.author_id)
        )
        row = self._case_for(author.id, parent if reply_to_brand else None, mention.text)
        topic = row.topic if row is not None else classify_topic(mention.text, self.pb)
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
            incident=self._incident_at(at, topic, mention.source),
            topic=topic,
        )
        self._apply(row, event, at, mention.source)
        if in_pileon(score.troll_reasons or ()):
            self._answer_pileon(mention.text, author.id, at)

    def _answer_pileon(self, text: str, author_id: int, at: datetime) -> None:
        """Tell every open case of the pile-on ``text`` is part of; the earliest one with an
        open case carries the single statement (unless one already does).

        The window is searched once per pile-on and batch: a later post of a pile-on the batch
        already answered only tells its own author's cases, so a campaign of a thousand
        accounts costs a thousand small steps, not a thousand searches of the hour.
        """
        words = fingerprint(text)
        known = self.pileons.get(words)
        if known is not None:
            first_mention_id, accounts = known
            authors = [author_id]
        else:
            posts = critic_posts_between(self.session, at - PILEON_WINDOW, at)
            pileon = find_pileon(text, posts)
            if pileon is None:
                return
            first_mention_id, accounts = pileon.first_mention_id, pileon.accounts
            self.pileons[words] = (first_mention_id, accounts)
            authors = pileon.authors()
        cases = open_cases_of_authors(self.session, authors)
        led = known is not None or any(row.state.get("pileon_lead") for row in cases)
        for row in cases:
            if row.state.get("pileon_of") is not None:
                continue
            found = PileOnFound(first_mention_id, accounts, lead=not led)
            led = True
            self._apply(row, found, at, row.source)

    def _apply(self, row: Case | None, event: Any, at: datetime, source: str) -> None:
        opened = row is None
        applied = apply_event(self.session, row, event, at, self.pb, source=source)
        self.summary.case_events += len(applied.actions)
        if applied.row is not None and any(
            isinstance(a, IncidentTag) and a.on for a in applied.actions
        ):
            link_covering(self.session, applied.row, at)
        if applied.row is not None and (opened or applied.row is not row):
            self.summary.cases_opened += 1
        due = applied.state.timer_due if applied.state is not None else None
        if due is not None and (self.next_due is None or due < self.next_due):
            self.next_due = due

    def _case_for(self, author_id: int, parent: Mention | None, topic_text: str) -> Case | None:
        """The author's open case this post belongs to (None: no open case fits)."""
        open_cases = open_cases_of(self.session, author_id)
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
