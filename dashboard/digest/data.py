"""Reading one day's digest from the store.

Figures defined once in ``playbooks.metrics`` (SLA hit rate, time to acknowledge,
walk-aways by reason) are used from there; this module only selects the day's rows.
Every query is bounded by the day (and the day before), served by the ``created_at``,
``opened_at`` and ``at`` indexes, so the digest costs the same on a year-old database.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from statistics import mean, median
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.clock import utcnow
from dashboard.digest.model import (
    Breach,
    Conversion,
    CriticRow,
    Digest,
    Headline,
    HourBucket,
    IncidentRow,
    Voice,
)
from dashboard.digest.window import DayWindow
from playbooks import metrics
from store.models import Author, Case, CaseEvent, Incident, Mention, Score

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
) -> Digest:
    """Gather the day's digest (and the day before, for comparison)."""
    prev = window.previous
    digest = Digest(brand=brand, window=window, generated_at=now or utcnow())
    with Session(engine) as s:
        mentions = _mentions(s, prev.start, window.end)
        today = [m for m in mentions if m["created_at"] >= window.start]
        before = [m for m in mentions if m["created_at"] < window.start]
        opened_today = _cases(s, col(Case.opened_at), window)
        opened_before = _cases(s, col(Case.opened_at), prev)
        closed_today = _cases(s, col(Case.closed_at), window)
        closed_before = _cases(s, col(Case.closed_at), prev)
        events_today = _events(s, window)
        events_before = _events(s, prev)
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
        digest.voices = _voices(s, today, VOICES_N)
    log.info(
        "digest for %s: %d mentions, %d new critics", window.day, len(today), len(opened_today)
    )
    return digest


def _mentions(s: Session, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Mentions in [since, until) with their latest score's label and sentiment."""
    rows = s.exec(
        select(  # type: ignore[call-overload]
            Mention.id,
            Mention.created_at,
            Mention.author_id,
            Mention.text,
            Score.sentiment_label,
            Score.sentiment,
            Score.scored_at,
            Score.id,
        )
        .join(Score, col(Score.mention_id) == col(Mention.id), isouter=True)
        .where(col(Mention.created_at) >= since, col(Mention.created_at) < until)
        .where(col(Mention.deleted).is_(False))
        .order_by(col(Mention.id))
    ).all()
    latest: dict[int, dict[str, Any]] = {}
    for mid, created, author, text, label, sentiment, scored_at, score_id in rows:
        seen = latest.get(mid)
        key = (scored_at, score_id) if scored_at is not None else None
        if seen is None or (key is not None and (seen["key"] is None or key > seen["key"])):
            latest[mid] = {
                "id": mid,
                "created_at": created,
                "author_id": author,
                "text": text,
                "label": label,
                "sentiment": sentiment,
                "key": key,
            }
    return list(latest.values())


def _cases(s: Session, column: Any, window: DayWindow) -> list[Case]:
    return list(s.exec(select(Case).where(column >= window.start, column < window.end)).all())


def _events(s: Session, window: DayWindow) -> list[CaseEvent]:
    query = select(CaseEvent).where(
        col(CaseEvent.at) >= window.start, col(CaseEvent.at) < window.end
    )
    return list(s.exec(query.order_by(col(CaseEvent.at), col(CaseEvent.id))).all())


def _hourly(
    today: Sequence[dict[str, Any]],
    before: Sequence[dict[str, Any]],
    window: DayWindow,
    prev: DayWindow,
) -> list[HourBucket]:
    """Per local hour of day (a 25-hour day folds its repeated hour into one bucket)."""
    counts: Counter[int] = Counter(m["created_at"].astimezone(window.zone).hour for m in today)
    negative: Counter[int] = Counter(
        m["created_at"].astimezone(window.zone).hour for m in today if m["label"] == "negative"
    )
    earlier: Counter[int] = Counter(m["created_at"].astimezone(prev.zone).hour for m in before)
    return [HourBucket(h, counts[h], negative[h], earlier[h]) for h in range(24)]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _median_ack(cases: Sequence[Case]) -> float | None:
    values = metrics.minutes_to_acknowledge(cases)
    return round(median(values), 1) if values else None


def _headlines(
    today: Sequence[dict[str, Any]],
    before: Sequence[dict[str, Any]],
    opened_today: Sequence[Case],
    opened_before: Sequence[Case],
    closed_today: Sequence[Case],
    closed_before: Sequence[Case],
    events_today: Sequence[CaseEvent],
    events_before: Sequence[CaseEvent],
) -> list[Headline]:
    def negatives(rows: Sequence[dict[str, Any]]) -> float | None:
        return _share(sum(1 for m in rows if m["label"] == "negative"), len(rows))

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


def _authors(s: Session, ids: set[int]) -> dict[int, Author]:
    if not ids:
        return {}
    out: dict[int, Author] = {}
    ordered = sorted(ids)
    for i in range(0, len(ordered), 500):
        rows = s.exec(select(Author).where(col(Author.id).in_(ordered[i : i + 500]))).all()
        out.update({a.id: a for a in rows if a.id is not None})
    return out


def _texts(s: Session, ids: set[int]) -> dict[int, str]:
    ordered = sorted(i for i in ids if i is not None)
    out: dict[int, str] = {}
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        query = select(Mention.id, Mention.text).where(col(Mention.id).in_(chunk))
        out.update((mid, text) for mid, text in s.exec(query).all() if mid is not None)
    return out


def _case_events(s: Session, case_ids: Sequence[int]) -> dict[int, list[CaseEvent]]:
    by_case: dict[int, list[CaseEvent]] = defaultdict(list)
    for i in range(0, len(case_ids), 500):
        query = select(CaseEvent).where(col(CaseEvent.case_id).in_(case_ids[i : i + 500]))
        for e in s.exec(query.order_by(col(CaseEvent.at), col(CaseEvent.id))).all():
            by_case[e.case_id].append(e)
    return by_case


def _new_critics(
    s: Session, cases: Sequence[Case], window: DayWindow, top_n: int
) -> list[CriticRow]:
    top = sorted(cases, key=lambda c: (-c.priority, c.opened_at))[:top_n]
    ids = [c.id for c in top if c.id is not None]
    opened = {
        cid: next((e.mention_id for e in evs if e.kind == "opened" and e.mention_id), None)
        for cid, evs in _case_events(s, ids).items()
    }
    first = {c.id: opened.get(c.id or -1) or c.latest_mention_id for c in top}
    texts = _texts(s, {m for m in first.values() if m is not None})
    authors = _authors(s, {c.author_id for c in top})
    rows = []
    for c in top:
        a = authors.get(c.author_id)
        rows.append(
            CriticRow(
                case_id=c.id or 0,
                handle=a.handle if a else "?",
                source=c.source,
                topic=c.topic,
                priority=c.priority,
                followers=a.followers if a else None,
                text=texts.get(first[c.id] or -1, ""),
                opened_at=c.opened_at.astimezone(window.zone),
            )
        )
    return rows


def _breaches(s: Session, events: Sequence[CaseEvent], window: DayWindow) -> list[Breach]:
    escalations = [e for e in events if e.kind == "escalated"]
    cases = {
        c.id: c
        for c in s.exec(
            select(Case).where(col(Case.id).in_(sorted({e.case_id for e in escalations}) or [-1]))
        ).all()
    }
    authors = _authors(s, {c.author_id for c in cases.values()})
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
    texts = _texts(s, {m for pair in mention_ids.values() for m in pair if m is not None})
    authors = _authors(s, {c.author_id for c in fans})
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
            )
        )
    return out


def _incidents(s: Session, window: DayWindow) -> list[IncidentRow]:
    live = and_(
        col(Incident.started_at) < window.end,
        or_(col(Incident.ended_at).is_(None), col(Incident.ended_at) >= window.start),
    )
    rows = s.exec(select(Incident).where(live).order_by(col(Incident.started_at))).all()
    return [
        IncidentRow(
            kind=i.kind,
            started_at=i.started_at.astimezone(window.zone),
            ended_at=i.ended_at.astimezone(window.zone) if i.ended_at else None,
            reason=i.reason or "",
            started_by=i.started_by,
        )
        for i in rows
    ]


def _voices(s: Session, today: Sequence[dict[str, Any]], n: int) -> list[Voice]:
    by_author: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in today:
        by_author[m["author_id"]].append(m)
    authors = _authors(s, set(by_author))
    ranked = sorted(
        (a for a in authors.values() if not a.is_brand),
        key=lambda a: (-(a.followers or 0), -len(by_author[a.id or 0]), a.handle),
    )[:n]
    out = []
    for a in ranked:
        posts = sorted(by_author[a.id or 0], key=lambda m: m["created_at"])
        scores = [m["sentiment"] for m in posts if m["sentiment"] is not None]
        out.append(
            Voice(
                handle=a.handle,
                source=a.platform,
                followers=a.followers or 0,
                mentions=len(posts),
                mean_sentiment=mean(scores) if scores else None,
                sample_text=posts[-1]["text"],
            )
        )
    return out
