"""Figures for the board and the digest: pure functions over cases and events.

The pure functions take any objects with the ``Case`` / ``CaseEvent`` attributes they read,
so they work on rows, on test doubles and on exported data alike.

- conversion rate: fans / cases that reached an outcome (fan or walk-away);
- time to acknowledge: minutes from a case opening to the first staff reply or goodwill;
- time in stage: minutes between entering a stage and leaving it (open cases: until ``now``);
- SLA hit rate: SLA windows that ended without a breach / SLA windows started;
- funnel: cases that reached each stage (a case that went straight to goodwill counts as
  acknowledged and empathized too).

:func:`report` is the one edge: it reads a window's cases and events through ``store.cases``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from statistics import median
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from playbooks.state import ACKNOWLEDGE, EMPATHIZE, FAN, GOODWILL, STAGES, WALK_AWAY
from store.cases import cases_opened_between, events_for_cases

_ORDER = {stage: i for i, stage in enumerate((ACKNOWLEDGE, EMPATHIZE, GOODWILL, FAN))}


def conversion_rate(cases: Iterable[Any]) -> float | None:
    """Fans among cases with an outcome (None when no case has one yet)."""
    outcomes = Counter(c.stage for c in cases if not c.is_open)
    decided = outcomes[FAN] + outcomes[WALK_AWAY]
    return outcomes[FAN] / decided if decided else None


def minutes_to_acknowledge(cases: Iterable[Any]) -> list[float]:
    """Minutes from opening to the first staff answer, for each acknowledged case."""
    out = []
    for c in cases:
        ack = (c.state or {}).get("acknowledged_at")
        if ack:
            at = datetime.fromisoformat(ack) if isinstance(ack, str) else ack
            out.append((at - c.opened_at).total_seconds() / 60.0)
    return out


def minutes_in_stage(events: Iterable[Any], now: datetime) -> dict[str, list[float]]:
    """Minutes spent in each stage per visit, from the ``opened`` and ``stage`` events."""
    entries: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for e in events:
        if e.kind in ("opened", "stage") and e.stage_to:
            entries[e.case_id].append((e.at, e.stage_to))
    spent: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for visits in entries.values():
        visits.sort(key=lambda v: v[0])
        for (at, stage), nxt in zip(visits, [*visits[1:], None], strict=True):
            if stage in (FAN, WALK_AWAY):
                continue
            until = nxt[0] if nxt is not None else now
            spent[stage].append((until - at).total_seconds() / 60.0)
    return spent


def walkaways_by_reason(cases: Iterable[Any]) -> dict[str, int]:
    """Closed walk-aways counted by their recorded reason."""
    return dict(Counter(c.walkaway_reason or "unknown" for c in cases if c.stage == WALK_AWAY))


def sla_hit_rate(events: Iterable[Any]) -> float | None:
    """Share of SLA windows that ended without a breach (None when none started)."""
    started = breached = 0
    for e in events:
        if e.kind == "timer" and (e.data or {}).get("timer") == "sla":
            started += 1
        elif e.kind == "escalated":
            breached += 1
    return (started - breached) / started if started else None


def funnel(cases: Iterable[Any]) -> dict[str, int]:
    """How many cases reached each stage, plus how many were walked away from."""
    counts = dict.fromkeys(STAGES, 0)
    for c in cases:
        reached = _ORDER.get(c.stage)
        if c.stage == WALK_AWAY:
            counts[WALK_AWAY] += 1
            reached = _ORDER[ACKNOWLEDGE]
            if (c.state or {}).get("acknowledged_at"):
                reached = _ORDER[EMPATHIZE]
        for stage, rank in _ORDER.items():
            if reached is not None and rank <= reached:
                counts[stage] += 1
    return counts


def _summary_of(values: Sequence[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "median": None, "max": None}
    return {"n": len(values), "median": round(median(values), 1), "max": round(max(values), 1)}


def summarize(cases: Sequence[Any], events: Sequence[Any], now: datetime) -> dict[str, Any]:
    """Every figure at once, as plain data (for the digest and JSON output)."""
    return {
        "cases": len(cases),
        "open": sum(1 for c in cases if c.is_open),
        "conversion_rate": conversion_rate(cases),
        "minutes_to_acknowledge": _summary_of(minutes_to_acknowledge(cases)),
        "minutes_in_stage": {
            stage: _summary_of(v) for stage, v in minutes_in_stage(events, now).items() if v
        },
        "walkaways_by_reason": walkaways_by_reason(cases),
        "sla_hit_rate": sla_hit_rate(events),
        "funnel": funnel(cases),
    }


# -- over the store ----------------------------------------------------------------------------


def report(engine: Engine, since: datetime, until: datetime) -> dict[str, Any]:
    """All figures for the cases opened in [since, until), measured at ``until``."""
    with Session(engine) as session:
        cases = cases_opened_between(session, since, until)
        events = events_for_cases(session, [c.id for c in cases if c.id is not None])
    return summarize(cases, events, until)
