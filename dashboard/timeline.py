"""A case's timeline: the critic's mentions and every event on the case, merged in time.

The rows come from ``store.board.case_history``; this module only turns them into the lines
the case page shows, so it is testable without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from store.board import case_history
from store.models import Author, Case, CaseEvent, Mention, Score


@dataclass(frozen=True)
class TimelineItem:
    """One line of a critic's timeline: a mention of theirs or an event on the case."""

    at: datetime
    kind: str
    actor: str
    text: str
    detail: str = ""
    mention_id: int | None = None


@dataclass(frozen=True)
class CaseDetail:
    """Everything the case page shows about one case."""

    case: Case
    author: Author
    mentions: list[Mention]
    scores: dict[int, Score]
    events: list[CaseEvent]
    timeline: list[TimelineItem] = field(default_factory=list)


def fetch_case(conn: Connection, case_id: int, *, mention_limit: int = 200) -> CaseDetail | None:
    """A case with its critic, their recent mentions (with newest scores), events and timeline."""
    found = case_history(conn, case_id, mention_limit=mention_limit)
    if found is None:
        return None
    return CaseDetail(
        case=found.case,
        author=found.author,
        mentions=found.mentions,
        scores=found.scores,
        events=found.events,
        timeline=build_timeline(found.mentions, found.events, found.scores),
    )


def build_timeline(
    mentions: Sequence[Mention], events: Sequence[CaseEvent], scores: dict[int, Score]
) -> list[TimelineItem]:
    """Mentions and events merged, oldest first; every string stays as the user wrote it."""
    items: list[TimelineItem] = []
    for m in mentions:
        s = scores.get(m.id or -1)
        detail = f"{m.source}"
        if s is not None:
            detail += (
                f" · {s.sentiment_label} ({s.sentiment:+.2f}) · troll {s.troll_likelihood:.0%}"
            )
        if m.deleted:
            detail += " · deleted on the platform"
        items.append(
            TimelineItem(
                at=m.created_at,
                kind="mention",
                actor="critic",
                text=m.text,
                detail=detail,
                mention_id=m.id,
            )
        )
    for e in events:
        parts = []
        if e.stage_from or e.stage_to:
            parts.append(f"{e.stage_from or '—'} → {e.stage_to or '—'}")
        if e.reason:
            parts.append(f"reason: {e.reason}")
        parts.extend(_event_details(e.kind, e.data or {}))
        items.append(
            TimelineItem(
                at=e.at,
                kind=e.kind,
                actor=e.actor,
                text=e.body or "",
                detail=" · ".join(parts),
                mention_id=e.mention_id,
            )
        )
    items.sort(key=lambda i: i.at)
    return items


def _event_details(kind: str, data: dict[str, Any]) -> list[str]:
    """The few ``CaseEvent.data`` fields worth a glance on the timeline."""
    if kind == "timer":
        due = str(data.get("due") or "")[:16].replace("T", " ")
        return [f"{data.get('timer') or 'no'} timer" + (f" due {due} UTC" if due else " cleared")]
    if kind == "suggestion":
        paused = " (paused: incident)" if data.get("paused") else ""
        return [f"reply suggested for {data.get('stage', '?')}{paused}"]
    out = []
    for key in ("amount", "currency", "approved_by", "assignee", "status", "to", "details"):
        if data.get(key) not in (None, "", []):
            out.append(f"{key}: {data[key]}")
    return out
