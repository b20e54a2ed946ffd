"""The stages of a critic's case: the one list the store, the engine and the board share."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Where a critic's case stands."""

    ACKNOWLEDGE = "acknowledge"
    EMPATHIZE = "empathize"
    GOODWILL = "goodwill"
    FAN = "fan"
    WALK_AWAY = "walk_away"


#: Every stage in the order a case moves through them.
STAGES: tuple[str, ...] = tuple(stage.value for stage in Stage)
#: Stages of a case still being worked.
OPEN_STAGES: frozenset[str] = frozenset({Stage.ACKNOWLEDGE, Stage.EMPATHIZE, Stage.GOODWILL})
#: Stages that end a case.
CLOSED_STAGES: frozenset[str] = frozenset({Stage.FAN, Stage.WALK_AWAY})
