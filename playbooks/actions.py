"""What the engine asks the edge to do or record: its outputs. Each becomes a ``CaseEvent``.

Actions carry no actor: the edge names the event's actor (``engine`` or ``user:<name>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class OpenCase:
    """A new case was opened for this critic and topic."""

    topic: str
    reason: str


@dataclass(frozen=True, slots=True)
class StageChanged:
    """The case moved between stages (closing included: fan is a conversion)."""

    stage_from: str
    stage_to: str
    reason: str


@dataclass(frozen=True, slots=True)
class SuggestReply:
    """Staff should reply now; the board renders the stage's template (``paused`` in incidents)."""

    stage: str
    topic: str
    fact_ids: tuple[str, ...] = ()
    private: bool = False
    paused: bool = False


@dataclass(frozen=True, slots=True)
class SetTimer:
    """The case's single timer changed (``due`` None: no timer)."""

    kind: str | None
    due: datetime | None


#: The assignee of an escalated case while no one with the role holds it: the role's queue
#: (``queue:lead``), which the board's queue filters by and auto-assignment leaves alone.
QUEUE_PREFIX = "queue:"


def role_queue(role: str) -> str:
    """The pseudo-assignee naming ``role``'s queue (``queue:lead``)."""
    return QUEUE_PREFIX + role


@dataclass(frozen=True, slots=True)
class Escalate:
    """An SLA was breached: someone with ``to_role`` (a lead) should look.

    The engine names the role, never a person: the edge picks the lead (or the role's queue)
    and never hands the case back to the staff member who let the SLA run out.
    """

    to_role: str
    reason: str


@dataclass(frozen=True, slots=True)
class RecommendWalkAway:
    """The engine thinks staff should walk away; staff confirm or reject."""

    reason: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AlertLeads:
    """Leads should know now (a new critic during an incident)."""

    reason: str


@dataclass(frozen=True, slots=True)
class IncidentTag:
    """The case was tagged (or untagged) as part of an incident."""

    on: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Recorded:
    """Something happened that changes no stage but belongs in the audit trail."""

    kind: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Rejected:
    """The event could not be applied (for example an override along a forbidden edge)."""

    reason: str


Action = (
    OpenCase
    | StageChanged
    | SuggestReply
    | SetTimer
    | Escalate
    | RecommendWalkAway
    | AlertLeads
    | IncidentTag
    | Recorded
    | Rejected
)
