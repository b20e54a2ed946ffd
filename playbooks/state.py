"""The case state the engine works on, its stages and the edges between them.

Plain frozen slots dataclasses (no validation) so the engine stays fast; the edge turns a
state into JSON for ``Case.state`` and back with :func:`state_to_json` / :func:`state_from_json`.
Stage names come from ``core.stages``, the one list the store and the board share.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.stages import CLOSED_STAGES as CLOSED_STAGES
from core.stages import OPEN_STAGES as OPEN_STAGES
from core.stages import STAGES as STAGES
from core.stages import Stage

ACKNOWLEDGE: str = Stage.ACKNOWLEDGE.value
EMPATHIZE: str = Stage.EMPATHIZE.value
GOODWILL: str = Stage.GOODWILL.value
FAN: str = Stage.FAN.value
WALK_AWAY: str = Stage.WALK_AWAY.value


#: Where a case may go from each stage. Forward only, except that staff may reopen a
#: walk-away they disagree with (back to acknowledge).
ALLOWED_EDGES: dict[str, frozenset[str]] = {
    ACKNOWLEDGE: frozenset({EMPATHIZE, GOODWILL, FAN, WALK_AWAY}),
    EMPATHIZE: frozenset({GOODWILL, FAN, WALK_AWAY}),
    GOODWILL: frozenset({FAN, WALK_AWAY}),
    FAN: frozenset(),
    WALK_AWAY: frozenset({ACKNOWLEDGE}),
}

WALKAWAY_REASONS: tuple[str, ...] = (
    "troll",
    "bad_faith",
    "cannot_be_pleased",
    "agreed_to_disagree",
    "no_answer",
)

#: Whose turn it is: staff owe a reply (an SLA timer runs) or the critic does (a no-answer timer).
STAFF = "staff"
CRITIC = "critic"

TIMER_SLA = "sla"
TIMER_NO_ANSWER = "no_answer"


def edge_allowed(stage_from: str, stage_to: str) -> bool:
    """True when a case may move from ``stage_from`` to ``stage_to``."""
    return stage_to in ALLOWED_EDGES.get(stage_from, frozenset())


@dataclass(frozen=True, slots=True)
class CaseState:
    """Everything the engine knows about one critic's case on one topic."""

    author_id: int
    topic: str
    stage: str
    opened_at: datetime
    stage_since: datetime
    updated_at: datetime
    is_open: bool = True
    waiting_on: str = STAFF
    sla_due: datetime | None = None
    timer_due: datetime | None = None
    timer_kind: str | None = None
    priority: float = 0.0
    negativity: float = 0.0
    sentiment: float = 0.0
    troll: float = 0.0
    troll_reasons: tuple[str, ...] = ()
    followers: int = 0
    mentions: int = 0
    staff_replies: int = 0
    critic_replies: int = 0
    goodwill_rounds: int = 0
    goodwill_spent: float = 0.0
    escalated: bool = False
    incident: bool = False
    assignee: str | None = None
    outcome: str | None = None
    walkaway_reason: str | None = None
    walkaway_recommended: str | None = None
    walkaway_rejected: bool = False
    private_suggested: bool = False
    facts: tuple[str, ...] = ()
    acknowledged_at: datetime | None = None
    closed_at: datetime | None = None
    latest_mention_id: int | None = None
    #: The first post of the pile-on this case is part of (None: not part of one).
    pileon_of: int | None = None
    #: This case carries the pile-on's one public statement; the others get no reply.
    pileon_lead: bool = False


_DATETIME_FIELDS = frozenset(
    f.name for f in dataclasses.fields(CaseState) if "datetime" in str(f.type)
)
_TUPLE_FIELDS = frozenset(f.name for f in dataclasses.fields(CaseState) if "tuple" in str(f.type))
_FIELD_NAMES = frozenset(f.name for f in dataclasses.fields(CaseState))


def state_to_json(state: CaseState) -> dict[str, Any]:
    """The state as JSON-ready data (datetimes as ISO strings, tuples as lists)."""
    out: dict[str, Any] = {}
    for name in _FIELD_NAMES:
        value = getattr(state, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[name] = value
    return out


def state_from_json(data: dict[str, Any]) -> CaseState:
    """Rebuild a state from :func:`state_to_json` output; unknown keys are ignored."""
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        if name not in _FIELD_NAMES:
            continue
        if name in _DATETIME_FIELDS and isinstance(value, str):
            value = datetime.fromisoformat(value)
        elif name in _TUPLE_FIELDS and value is not None:
            value = tuple(value)
        kwargs[name] = value
    return CaseState(**kwargs)


def _make_evolve() -> Any:
    """Build ``evolve(state, changes)``: ``dataclasses.replace`` without its per-call overhead
    (generated once; sets the slots directly, so the engine's hot path stays cheap)."""
    names = [f.name for f in dataclasses.fields(CaseState)]
    lines = ["def evolve(c, ch):", "    n = new(CaseState)"]
    lines += [f"    put(n, {name!r}, c.{name})" for name in names]
    lines += ["    for k, v in ch.items():", "        put(n, k, v)", "    return n"]
    scope: dict[str, Any] = {
        "new": object.__new__,
        "put": object.__setattr__,
        "CaseState": CaseState,
    }
    exec("\n".join(lines), scope)  # noqa: S102 (trusted, generated from the field names)
    return scope["evolve"]


#: ``evolve(state, {"stage": ..., ...})`` -> a new state with those fields changed.
evolve = _make_evolve()
