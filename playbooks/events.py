"""What can happen to a case: the engine's inputs. Frozen, unvalidated, cheap to build.

The edge (runner, service) builds these from rows; :func:`playbooks.text.critic_post`
fills the text-derived fields (topic, claimed facts, thanks) so the engine never reads text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CriticPost:
    """A post by the critic, with its scores: base of ``NewMention`` and ``CriticReply``."""

    author_id: int
    p_negative: float
    sentiment: float
    troll: float = 0.0
    troll_reasons: tuple[str, ...] = ()
    followers: int = 0
    topic: str = "general"
    fact_ids: tuple[str, ...] = ()
    thanked: bool = False
    mention_id: int | None = None
    incident: bool = False


@dataclass(frozen=True, slots=True)
class NewMention(CriticPost):
    """The critic mentioned the brand."""


@dataclass(frozen=True, slots=True)
class CriticReply(CriticPost):
    """The critic answered one of the brand's posts."""


@dataclass(frozen=True, slots=True)
class StaffReply:
    """Staff answered the critic (through the board, or the brand account posted in the thread)."""

    actor: str
    text: str = ""
    mention_id: int | None = None


@dataclass(frozen=True, slots=True)
class SentimentChanged:
    """A new scoring of the critic's latest words (for example a newer model)."""

    sentiment: float
    p_negative: float


@dataclass(frozen=True, slots=True)
class GoodwillGiven:
    """Staff spent goodwill on the case (budget already checked by the edge)."""

    actor: str
    kind: str
    amount: float
    approved_by: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class TimerFired:
    """The clock passed the case's ``timer_due``."""


@dataclass(frozen=True, slots=True)
class PileOnFound:
    """The critic's post is part of a pile-on: many accounts posting the same words at once.

    ``first_mention_id`` names the pile-on; ``lead`` marks the one case whose thread gets
    the single public statement (the others are answered by it).
    """

    first_mention_id: int
    accounts: int
    lead: bool = False


#: What a :class:`StaffOverride` may do.
OVERRIDE_ACTIONS: tuple[str, ...] = (
    "stage",
    "walk_away",
    "confirm_walk_away",
    "reject_walk_away",
    "assign",
    "reopen",
)


@dataclass(frozen=True, slots=True)
class StaffOverride:
    """A staff decision that the engine follows: see :data:`OVERRIDE_ACTIONS`."""

    actor: str
    action: str
    stage: str | None = None
    reason: str | None = None
    assignee: str | None = None


@dataclass(frozen=True, slots=True)
class IncidentMode:
    """Incident mode switched on or off for the brand."""

    on: bool
    actor: str = "engine"
    reason: str | None = None


Event = (
    NewMention
    | CriticReply
    | StaffReply
    | SentimentChanged
    | GoodwillGiven
    | TimerFired
    | StaffOverride
    | IncidentMode
    | PileOnFound
)
