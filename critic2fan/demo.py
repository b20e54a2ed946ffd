"""The demo: the bundled sample, scored and worked by the playbook, ready for the board.

Sample times are shifted at the first load so the two weeks end minutes before that load:
every post's time and every account's creation date move by the same amount (so an account's
age at each post stays what the sample wrote), and the playbook's replay ends at the present,
so the SLA of a case opened minutes ago is still running. The replay goes in steps of an hour
of sample time, and at each step does what the live worker does (the spike check, which opens
and proposes closing the outage's incident) and what the sample's lead decides on the board
(:mod:`sample.staff`). The shift is remembered in the store, and so is how far the replay got,
so running the demo again changes nothing. That remembered
shift also marks the database as the demo's: the demo loads its sample only into an empty
database or one holding nothing but the sample it loaded itself (no staff accounts, every
mention from the sample), and refuses any other (:func:`check_demo_database`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from core.clock import SYSTEM_CLOCK, Clock
from core.errors import ConfigError
from core.records import MentionRecord
from store.contents import mention_keys_up_to
from store.summary import (
    closed_cases_by_outcome,
    first_mention_at,
    incident_counts,
    mention_counts,
    open_cases_by_stage,
    open_cases_past_sla,
    people_counts,
)
from store.topics import active_topics
from store.users import user_count
from store.writer import load_cursor, save_cursor

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from critic2fan.context import AppContext

log = logging.getLogger(__name__)

SHIFT_CURSOR = "demo:time_shift_s"
#: When the demo discovered its topics (ISO time): a second run does not discover again.
TOPICS_CURSOR = "demo:topics_discovered"
#: How far the replay got (ISO time): a second run starts there.
REPLAY_CURSOR = "demo:replayed_until"
#: The replay's step: the spike check and the lead's decisions run once per step.
REPLAY_STEP = timedelta(hours=1)
#: The sample's newest post is this old at the first demo run, so the newest cases are fresh.
LEAD_TIME = timedelta(minutes=5)


@dataclass
class DemoSummary:
    """Row counts after the demo, for the terminal and the tests."""

    mentions: int = 0
    authors: int = 0
    scored: int = 0
    critics: int = 0
    bad_rows: int = 0
    open_by_stage: dict[str, int] = field(default_factory=dict)
    closed_by_outcome: dict[str, int] = field(default_factory=dict)
    past_sla: int = 0
    incidents_opened: int = 0
    incidents_closed: int = 0
    topics: int = 0


def run_demo(actx: AppContext, *, clock: Clock = SYSTEM_CLOCK) -> DemoSummary:
    """Import, score and work the sample up to ``clock``'s now; a second run adds no rows."""
    from core.config import BrandAccounts
    from listener.importer import import_file
    from listener.matching import BrandIdentity
    from sample import MENTIONS_PATH

    engine = actx.engine()
    check_demo_database(engine)
    now = clock.now()
    shift = _time_shift(engine, now)
    # The sample is Brightloop's: its accounts are the default brand.accounts, whatever is set.
    brand = BrandIdentity.from_settings(BrandAccounts())

    def shifted(record: MentionRecord) -> MentionRecord:
        return shift_record(record, shift)

    report = import_file(engine, MENTIONS_PATH, brand=brand, now=now, transform=shifted)
    _score(actx, engine)
    _discover_topics(actx, engine, now)
    _work_playbook(actx, engine, now, clock)
    summary = summarize(engine, now)
    summary.bad_rows = len(report.bad)
    return summary


def shift_record(record: MentionRecord, shift: timedelta) -> MentionRecord:
    """``record`` moved in time by ``shift``: the post's time and its author's account date."""
    author = record.author
    if author.account_created is not None:
        author = author.model_copy(update={"account_created": author.account_created + shift})
    return record.model_copy(update={"created_at": record.created_at + shift, "author": author})


def check_demo_database(engine: Engine) -> None:
    """Refuse (``ConfigError``) a database that holds anything but the demo's own data."""
    sample = sample_keys()
    with engine.connect() as conn:
        accounts = user_count(conn)
        stored = mention_keys_up_to(conn, len(sample))
    marked = load_cursor(engine, SHIFT_CURSOR) is not None
    if accounts:
        found = f"{accounts} staff account{'s' if accounts != 1 else ''}"
    elif stored is None:
        found = "more mentions than the sample has"
    elif stored and not marked:
        found = "mentions the demo did not load"
    elif stored - sample:
        found = f"{len(stored - sample)} mentions that are not from the sample"
    else:
        return
    raise ConfigError(
        f"the database holds {found}: the demo loads its sample only into an empty database "
        "or its own; use another, e.g. --db sqlite:///demo.db"
    )


@cache
def sample_keys() -> frozenset[tuple[str, str]]:
    """The ``(source, external id)`` of every mention in the bundled sample."""
    from listener.files import GoodRow, read_import_file
    from sample import MENTIONS_PATH

    return frozenset(
        (row.record.source, row.record.external_id)
        for row in read_import_file(MENTIONS_PATH)
        if isinstance(row, GoodRow)
    )


def _time_shift(engine: Engine, now: datetime) -> timedelta:
    """The shift applied to sample times: fixed at the first run, then reused."""
    stored = load_cursor(engine, SHIFT_CURSOR)
    if stored is not None:
        return timedelta(seconds=float(stored))
    from listener.files import GoodRow, read_import_file
    from sample import MENTIONS_PATH

    latest = max(
        row.record.created_at for row in read_import_file(MENTIONS_PATH) if isinstance(row, GoodRow)
    )
    shift = (now - LEAD_TIME) - latest
    shift = timedelta(minutes=int(shift.total_seconds() // 60))
    with engine.begin() as conn:
        save_cursor(conn, SHIFT_CURSOR, str(shift.total_seconds()), now=now)
    return shift


def _score(actx: AppContext, engine: Engine) -> None:
    from scoring.factory import load_scorer
    from scoring.worker import score_pending

    scorer = load_scorer(actx.settings.model)
    score_pending(engine, scorer, batch_size=actx.settings.model.batch_size, progress=True)


def _discover_topics(actx: AppContext, engine: Engine, now: datetime) -> None:
    """Find the complaint topics in the scored sample once (the playbook's topics as seeds),
    as a lead would with ``critic2fan topics --discover``, so the board's Topics page and the
    product report have topics. Discovery is deterministic (fixed seeds, stable sorts)."""
    if load_cursor(engine, TOPICS_CURSOR) is not None:
        return
    from playbooks import load_active_playbook
    from scoring.topics.service import rediscover

    playbook = load_active_playbook(actx.settings.playbook_path, actx.settings.facts_path)
    seeds = {name: topic.keywords for name, topic in playbook.topics.items()}
    report = rediscover(engine, seeds=seeds, now=now)
    log.info("demo: %d topics in %d mentions", report.topics, report.mentions)
    with engine.begin() as conn:
        save_cursor(conn, TOPICS_CURSOR, now.isoformat(), now=now)


def _work_playbook(actx: AppContext, engine: Engine, now: datetime, clock: Clock) -> None:
    """Replay the sample at each post's own time, an hour at a time with the spike check and
    the sample lead's decisions, then bring every case's timers up to now."""
    from playbooks import load_active_playbook
    from playbooks.runner import check_spike, fire_due_timers, process_pending
    from sample.staff import SampleLead

    playbook = load_active_playbook(actx.settings.playbook_path, actx.settings.facts_path)
    lead = SampleLead(engine, playbook)
    step = _replayed_until(engine)
    while step is not None and step < now:
        step = min(step + REPLAY_STEP, now)
        check_spike(engine, playbook, step)
        process_pending(engine, playbook, now=step, until=step, clock=clock)
        lead.act(step)
    process_pending(engine, playbook, now=now, clock=clock)
    fire_due_timers(engine, playbook, now)
    with engine.begin() as conn:
        save_cursor(conn, REPLAY_CURSOR, now.isoformat(), now=now)


def _replayed_until(engine: Engine) -> datetime | None:
    """Where the replay starts: where the last run stopped, or the hour of the first post."""
    stored = load_cursor(engine, REPLAY_CURSOR)
    if stored is not None:
        return datetime.fromisoformat(stored)
    with engine.connect() as conn:
        first = first_mention_at(conn)
    return first.replace(minute=0, second=0, microsecond=0) if first is not None else None


def summarize(engine: Engine, now: datetime) -> DemoSummary:
    """Count what the store holds: mentions, authors, critics, cases by stage and outcome, open
    cases past their SLA at ``now``, incidents."""
    with engine.connect() as conn:
        mentions, people = mention_counts(conn), people_counts(conn)
        summary = DemoSummary(
            mentions=mentions.mentions,
            authors=people.authors,
            scored=mentions.scored,
            critics=people.critics,
        )
        summary.open_by_stage.update(open_cases_by_stage(conn))
        summary.past_sla = open_cases_past_sla(conn, now)
        summary.incidents_opened, summary.incidents_closed = incident_counts(conn)
        summary.topics = len(active_topics(conn))
        for (outcome, reason), count in closed_cases_by_outcome(conn).items():
            key = f"{outcome}: {reason}" if reason else str(outcome)
            summary.closed_by_outcome[key] = count
    return summary


def print_summary(summary: DemoSummary) -> None:
    """Print the summary as tables on the terminal."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="critic2fan demo", show_header=False)
    table.add_row("mentions", str(summary.mentions))
    table.add_row("authors", str(summary.authors))
    table.add_row("mentions scored", str(summary.scored))
    table.add_row("critics (authors with a case)", str(summary.critics))
    for stage in ("acknowledge", "empathize", "goodwill", "fan", "walk_away"):
        if stage in summary.open_by_stage:
            table.add_row(f"open cases: {stage}", str(summary.open_by_stage[stage]))
    table.add_row("open cases past their SLA", str(summary.past_sla))
    for outcome, count in sorted(summary.closed_by_outcome.items()):
        table.add_row(f"closed: {outcome}", str(count))
    table.add_row(
        "incidents (opened / closed)", f"{summary.incidents_opened} / {summary.incidents_closed}"
    )
    table.add_row("complaint topics found", str(summary.topics))
    console.print(table)
