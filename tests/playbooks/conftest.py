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


class Feed:
    """Writes authors, mentions and scores with a plain loop (the tests' own tiny writer)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.counter = 0

    def author(self, handle: str, *, brand: bool = False, followers: int = 100) -> int:
        from sqlmodel import Session, select

        from store.models import Author

        with Session(self.engine) as s:
            found = s.exec(select(Author).where(Author.handle == handle)).first()
            if found is not None:
                assert found.id is not None
                return found.id
            row = Author(
                platform="x",
                platform_id=f"id-{handle}",
                handle=handle,
                display_name=handle.title(),
                followers=followers,
                is_brand=brand,
            )
            s.add(row)
            s.commit()
            assert row.id is not None
            return row.id

    def say(
        self,
        handle: str,
        text: str,
        at: datetime,
        *,
        neg: float = 0.0,
        pos: float = 0.0,
        troll: float = 0.0,
        reply_to: int | None = None,
        brand: bool = False,
        scored: bool = True,
        reasons: list[str] | None = None,
    ) -> int:
        """Store one mention (and its score unless ``scored`` is False); returns its id."""
        from sqlmodel import Session

        from store.models import Mention

        author_id = self.author(handle, brand=brand)
        self.counter += 1
        with Session(self.engine) as s:
            parent = s.get(Mention, reply_to) if reply_to else None
            row = Mention(
                source="x",
                external_id=f"m{self.counter}",
                author_id=author_id,
                text=text,
                created_at=at,
                in_reply_to=parent.external_id if parent else None,
                thread_id=parent.thread_id or parent.external_id if parent else None,
            )
            s.add(row)
            s.commit()
            assert row.id is not None
            mention_id = row.id
        if scored and not brand:
            self.score(mention_id, neg=neg, pos=pos, troll=troll, reasons=reasons)
        return mention_id

    def score(
        self,
        mention_id: int,
        *,
        neg: float,
        pos: float,
        troll: float = 0.0,
        reasons: list[str] | None = None,
    ) -> None:
        """Store a score for a mention."""
        from sqlmodel import Session

        from store.models import Score

        neu = max(0.0, 1.0 - neg - pos)
        label = max((neg, "negative"), (neu, "neutral"), (pos, "positive"))[1]
        with Session(self.engine) as s:
            s.add(
                Score(
                    mention_id=mention_id,
                    model_name="fake",
                    model_version="1",
                    sentiment_label=label,
                    p_negative=neg,
                    p_neutral=neu,
                    p_positive=pos,
                    sentiment=pos - neg,
                    toxicity=troll,
                    troll_likelihood=troll,
                    troll_reasons=reasons
                    if reasons is not None
                    else (["insults"] if troll >= 0.7 else []),
                )
            )
            s.commit()


@pytest.fixture
def feed(engine: Any) -> Feed:
    """A tiny writer bound to the test's migrated database."""
    return Feed(engine)
