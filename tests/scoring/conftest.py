"""Shared fixtures: the real default scorer (loaded once) and a fast fake scorer."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from scoring.base import TextInput, TextScore
from scoring.default import DefaultScorer
from store.engine import session_scope
from store.models import Author, Mention


@pytest.fixture(scope="session")
def default_scorer() -> DefaultScorer:
    """The bundled offline scorer; loading MiniLM takes seconds, so once per session."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return DefaultScorer(threads=2)


class FakeScorer:
    """Toxic when the text says 'idiot'; negative when it says 'bad'. Counts its calls."""

    model_name = "fake"

    def __init__(self, version: str = "1") -> None:
        self.model_version = version
        self.seen: list[str] = []

    def score(self, batch: Sequence[TextInput]) -> list[TextScore]:
        self.seen.extend(item.text for item in batch)
        out = []
        for item in batch:
            bad = "bad" in item.text
            tox = 0.9 if "idiot" in item.text else 0.05
            probs = (0.8, 0.1, 0.1) if bad else (0.1, 0.2, 0.7)
            out.append(TextScore(*probs, tox, "en", True, self.model_name, self.model_version))
        return out


BASE_TIME = datetime(2026, 11, 7, 12, 0, tzinfo=UTC)


def add_author(engine: Engine, handle: str, **extra: object) -> int:
    """Insert an author; returns its id."""
    with session_scope(engine) as session:
        author = Author(platform="x", platform_id=handle, handle=handle, **extra)
        session.add(author)
        session.flush()
        assert author.id is not None
        return author.id


def add_mention(
    engine: Engine, author_id: int, text: str, *, minutes: float = 0, deleted: bool = False
) -> int:
    """Insert a mention ``minutes`` after BASE_TIME; returns its id."""
    with session_scope(engine) as session:
        mention = Mention(
            source="x",
            external_id=f"{author_id}-{text[:20]}-{minutes}",
            author_id=author_id,
            text=text,
            created_at=BASE_TIME + timedelta(minutes=minutes),
            deleted=deleted,
        )
        session.add(mention)
        session.flush()
        assert mention.id is not None
        return mention.id
