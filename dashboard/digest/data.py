"""Reading one day's digest from the store.

Figures defined once in ``playbooks.metrics`` (SLA hit rate, time to acknowledge,
walk-aways by reason) are used from there; the day's rows come from ``store.digest``,
``store.cases`` and ``store.incidents``, every read bounded by the day (and the day before),
so the digest costs the same on a year-old database. This module shapes them.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from statistics import mean, median

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.clock import utcnow
from dashboard.digest.model import (
    Breach,
    Conversion,
    CoverageGap,
    CriticRow,
    Digest,
    EmergingTopic,
    Headline,
    HourBucket,
    IncidentRow,
    Voice,
)
from dashboard.digest.product_report import product_report_section
from dashboard.digest.what_works import what_works
from dashboard.digest.window import DayWindow
from playbooks import metrics
from playbooks.priority import priority_now
from playbooks.schema import Playbook
from store.cases import (
    cases_by_id,
    cases_closed_between,
    cases_opened_between,
    events_between,
    events_for_cases,
)
from store.digest import DayMention, authors_by_id, mention_texts, mentions_between
from store.gaps import gaps_overlapping
from store.incidents import affected_counts, incidents_overlapping
from store.models import Case, CaseEvent

log = logging.getLogger(__name__)

#: Rows shown per list (the totals are still reported).
TOP_N = 10
VOICES_N = 5


def build_digest(
    engine: Engine,
    window: DayWindow,
    *,
    brand: str,
    now: datetime | None = None,
    top_n: int = TOP_N,
    playbook: Playbook | None = None,
) -> Digest:
    """Gather the day's digest (and the day before, for comparison); ``playbook`` is the
    brand's (None: the bundled one), whose templates and learning settings What works uses."""
    prev = window.previous
    digest = Digest(brand=brand, window=window, generated_at=now or utcnow())
    with Session(engine) as s:
        mentions = mentions_between(s, prev.start, window.end)
        today = [m for m in mentions if m.created_at >= window.start]
        before = [m for m in mentions if m.created_at < window.start]
        opened_today = cases_opened_between(s, window.start, window.end)
        opened_before = cases_opened_between(s, prev.start, prev.end)
        closed_today = cases_closed_between(s, window.start, window.end)
        closed_before = cases_closed_between(s, prev.start, prev.end)
        events_today = events_between(s, window.start, window.end)
        events_before = events_between(s, prev.start, prev.end)
        digest.hourly = _hourly(today, before, window, prev)
        digest.headlines = _headlines(
            today,
            before,
            opened_today,
            opened_before,
            closed_today,
            closed_before,
            events_today,
            events_before,
        )
        digest.new_critics_total = len(opened_today)
        digest.new_critics = _new_critics(s, opened_today, window, top_n)
        digest.breaches = _breaches(s, events_today, window)[:top_n]
        digest.conversions = _conversions(s, closed_today)[:top_n]
        digest.walkaways = dict(
            sorted(
                metrics.walkaways_by_reason(closed_today).items(), key=lambda kv: (-kv[1], kv[0])
            )
        )
        digest.incidents = _incidents(s, window)
        digest.gaps = _gaps(s, window)
        digest.emerging = emerging_topics(engine, now=window.end)
        digest.voices = _voices(s, today, VOICES_N)
    digest.what_works = what_works(engine, now=window.end, playbook=playbook)
    digest.product_report = product_report_section(engine, now=window.end)
    log.info(
        "digest for %s: %d mentions, %d new critics", window.day, len(today), len(opened_today)
    )
    return digest


def _hourly(
    today: Sequence[DayMention],
    before: Sequence[DayMention],
    window: DayWindow,
    prev: DayWindow,
) -> list[HourBucket]:
    """Per local hour of day (a 25-hour day folds its repeated hour into one bucket)."""
    counts: Counter[int] = Counter(m.created_at.astimezone(window.zone).hour for m in today)
    negative: Counter[int] = Counter(
        m.created_at.astimezone(window.zone).hour for m in today if m.label == "negative"
    )
    earlier: Counter[int] = Counter(m.created_at.astimezone(prev.zone).hour for m in before)
    return [HourBucket(h, counts[h], negative[h], earlier[h]) for h in range(24)]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _median_ack(cases: Sequence[Case]) -> float | None:
    values = metrics.minutes_to_acknowledge(cases)
    return round(median(values), 1) if values else None


def _headlines(
    today: Sequence[DayMention],
    before: Sequence[DayMention],
    opened_today: Sequence[Case],
    opened_before: Sequence[Case],
    closed_today: Sequence[Case],
    closed_before: Sequence[Case],
    events_today: Sequence[CaseEvent],
    events_before: Sequence[CaseEvent],
) -> list[Headline]:
    def negatives(rows: Sequence[DayMention]) -> float | None:
        return _share(sum(1 for m in rows if m.label == "negative"), len(rows))

    def closed(cases: Sequence[Case], stage: str) -> int:
        return sum(1 for c in cases if c.stage == stage and not c.is_open)

    return [
        Headline("Mentions", len(today), len(before), "int", "neither"),
        Headline("Negative share", negatives(today), negatives(before), "pct", "down"),
        Headline("New critics", len(opened_today), len(opened_before), "int", "down"),
        Headline(
            "Critics turned fans",
            closed(closed_today, "fan"),
            closed(closed_before, "fan"),
            "int",
            "up",
        ),
        Headline(
            "Walk-aways",
            closed(closed_today, "walk_away"),
            closed(closed_before, "walk_away"),
            "int",
            "down",
        ),
        Headline(
            "SLA hit rate",
            metrics.sla_hit_rate(events_today),
            metrics.sla_hit_rate(events_before),
            "pct",
            "up",
        ),
        Headline(
            "Median minutes to acknowledge",
            _median_ack(opened_today),
            _median_ack(opened_before),
            "min",
            "down",
        ),
    ]


def _case_events(s: Session, case_ids: Sequence[int]) -> dict[int, list[CaseEvent]]:
    by_case: dict[int, list[CaseEvent]] = defaultdict(list)
    for e in events_for_cases(s, case_ids):
        by_case[e.case_id].append(e)
    return by_case


def _current_priority(case: Case, now: datetime) -> float:
    return priority_now(case.priority, case.urgency_weight, case.sla_due, case.sla_minutes, now)


def _new_critics(
    s: Session, cases: Sequence[Case], window: DayWindow, top_n: int
) -> list[CriticRow]:
    now = window.end
    top = sorted(cases, key=lambda c: (-_current_priority(c, now), c.opened_at))[:top_n]
    ids = [c.id for c in top if c.id is not None]
    opened = {
        cid: next((e.mention_id for e in evs if e.kind == "opened" and e.mention_id), None)
        for cid, evs in _case_events(s, ids).items()
    }
    first = {c.id: opened.get(c.id or -1) or c.latest_mention_id for c in top}
    texts = mention_texts(s, first.values())
    authors = authors_by_id(s, {c.author_id for c in top})
    rows = []
    for c in top:
        a = authors.get(c.author_id)
        rows.append(
            CriticRow(
                case_id=c.id or 0,
                handle=a.handle if a else "?",
                source=c.source,
                topic=c.topic,
                priority=_current_priority(c, now),
                followers=a.followers if a else None,
                text=texts.get(first[c.id] or -1, ""),
                opened_at=c.opened_at.astimezone(window.zone),
            )
        )
    return rows


def _breaches(s: Session, events: Sequence[CaseEvent], window: DayWindow) -> list[Breach]:
    escalations = [e for e in events if e.kind == "escalated"]
    cases = cases_by_id(s, {e.case_id for e in escalations})
    authors = authors_by_id(s, {c.author_id for c in cases.values()})
    out = []
    for e in escalations:
        c = cases.get(e.case_id)
        a = authors.get(c.author_id) if c else None
        out.append(
            Breach(
                case_id=e.case_id,
                handle=a.handle if a else "?",
                stage=c.stage if c else "?",
                at=e.at.astimezone(window.zone),
                reason=e.reason or "SLA breached",
                assignee=(e.data or {}).get("to") or (c.assignee if c else None),
            )
        )
    return out


def _conversions(s: Session, closed: Sequence[Case]) -> list[Conversion]:
    fans = sorted((c for c in closed if c.stage == "fan"), key=lambda c: c.closed_at or c.opened_at)
    events = _case_events(s, [c.id for c in fans if c.id is not None])
    mention_ids: dict[int, tuple[int | None, int | None]] = {}
    paths: dict[int, tuple[str, ...]] = {}
    for c in fans:
        evs = events.get(c.id or -1, [])
        path = [e.stage_to for e in evs if e.kind in ("opened", "stage") and e.stage_to]
        if not path or path[0] != "acknowledge":
            path.insert(0, "acknowledge")
        if path[-1] != "fan":
            path.append("fan")
        paths[c.id or 0] = tuple(p for i, p in enumerate(path) if i == 0 or p != path[i - 1])
        with_mentions = [e.mention_id for e in evs if e.mention_id]
        first = with_mentions[0] if with_mentions else None
        mention_ids[c.id or 0] = (first, c.latest_mention_id or first)
    texts = mention_texts(s, [m for pair in mention_ids.values() for m in pair])
    authors = authors_by_id(s, {c.author_id for c in fans})
    out = []
    for c in fans:
        first, last = mention_ids[c.id or 0]
        a = authors.get(c.author_id)
        out.append(
            Conversion(
                case_id=c.id or 0,
                handle=a.handle if a else "?",
                path=paths[c.id or 0],
                days=((c.closed_at or c.updated_at) - c.opened_at).total_seconds() / 86400,
                goodwill_spent=c.goodwill_spent,
                first_text=texts.get(first or -1, ""),
                last_text=texts.get(last or -1, "") if last != first else "",
                one_thing=c.one_thing or "",
            )
        )
    return out


def _incidents(s: Session, window: DayWindow) -> list[IncidentRow]:
    rows = incidents_overlapping(s, window.start, window.end)
    counts = affected_counts(s.connection(), [i.id for i in rows if i.id is not None])
    return [
        IncidentRow(
            kind=i.kind,
            started_at=i.started_at.astimezone(window.zone),
            ended_at=i.ended_at.astimezone(window.zone) if i.ended_at else None,
            reason=i.reason or "",
            started_by=i.started_by,
            topic=i.topic or "",
            commander=(i.commander or "").removeprefix("user:"),
            affected=counts.get(i.id or -1, (0, 0))[0],
            root_cause=i.root_cause or "",
            fix=i.fix or "",
        )
        for i in rows
    ]


def emerging_topics(engine: Engine, *, now: datetime) -> list[EmergingTopic]:
    """Topics beyond their normal range in the 24 hours before ``now`` (the day's end)."""
    from scoring.topics.service import summaries

    return [
        EmergingTopic(t.label, t.trend.volume, t.trend.reasons, (t.examples or [""])[0])
        for t in summaries(engine, now=now)
        if t.trend.alert
    ]


def _gaps(s: Session, window: DayWindow) -> list[CoverageGap]:
    return [
        CoverageGap(
            source=g.source,
            start=max(g.start, window.start).astimezone(window.zone),
            end=min(g.end, window.end).astimezone(window.zone),
            reason=g.reason,
            backfilled=g.backfilled,
        )
        for g in gaps_overlapping(s, window.start, window.end)
    ]


def _voices(s: Session, today: Sequence[DayMention], n: int) -> list[Voice]:
    by_author: dict[int, list[DayMention]] = defaultdict(list)
    for m in today:
        if m.author_id is not None:  # a post with no known author is nobody's voice
            by_author[m.author_id].append(m)
    authors = authors_by_id(s, set(by_author))
    ranked = sorted(
        (a for a in authors.values() if not a.is_brand),
        key=lambda a: (-(a.followers or 0), -len(by_author[a.id or 0]), a.handle),
    )[:n]
    out = []
    for a in ranked:
        posts = sorted(by_author[a.id or 0], key=lambda m: m.created_at)
        scores = [m.sentiment for m in posts if m.sentiment is not None]
        out.append(
            Voice(
                handle=a.handle,
                source=a.platform,
                followers=a.followers or 0,
                mentions=len(posts),
                mean_sentiment=mean(scores) if scores else None,
                sample_text=posts[-1].text,
            )
        )
    return out
