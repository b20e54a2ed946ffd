"""Shared fixtures for the playbook tests: the bundled playbook and event builders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from playbooks.events import CriticReply, NewMention
from playbooks.loader import load_playbook
from playbooks.schema import Playbook

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def pb() -> Playbook:
    """The bundled default playbook (Brightloop)."""
    return load_playbook()


@pytest.fixture
def t0() -> datetime:
    """A fixed start time."""
    return T0


PostFactory = Callable[..., NewMention | CriticReply]


@pytest.fixture
def post() -> PostFactory:
    """Build a critic post: ``post(neg=0.9)``, ``post(pos=0.8, reply=True)``, ``post(troll=.9)``."""

    def make(
        *,
        neg: float = 0.0,
        pos: float = 0.0,
        troll: float = 0.0,
        reply: bool = False,
        **extra: Any,
    ) -> NewMention | CriticReply:
        cls = CriticReply if reply else NewMention
        fields: dict[str, Any] = {
            "author_id": 1,
            "p_negative": neg,
            "sentiment": pos - neg,
            "troll": troll,
        }
        fields.update(extra)
        return cls(**fields)

    return make
