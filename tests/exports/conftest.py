"""A migrated SQLite database with authors, mentions, scores and cases for export tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from store.engine import make_engine, session_scope
from store.migrate import upgrade
from store.models import Author, Case, Mention, Score

BASE = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)

HOSTILE_TEXTS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1 for the refund",
    "-2 stars, never again",
    "@brightloop you broke my order",
    "\tindented with a tab",
    "\rcarriage return first",
    "<script>alert(1)</script>",
    'plain complaint, with a comma and "quotes"\nand a second line',
    "emoji 😡🔥 and 日本語のテキスト",
    "",
]


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """An empty database at the newest schema."""
    eng = make_engine("sqlite:///" + str(tmp_path / "t.db"))
    upgrade(eng)
    return eng


Seeder = Callable[..., list[int]]


@pytest.fixture
def seed(engine: Engine) -> Seeder:
    """Insert ``n`` mentions over a few authors; some scored twice, some authors with cases."""

    def _seed(n: int = 20, *, sources: tuple[str, ...] = ("x", "reddit", "bluesky")) -> list[int]:
        return seed_into(engine, n, sources=sources)

    return _seed


def seed_into(
    engine: Engine, n: int = 20, *, sources: tuple[str, ...] = ("x", "reddit", "bluesky")
) -> list[int]:
    """The rows behind ``seed``, in any database."""
    with session_scope(engine) as s:
        authors = [
            Author(
                platform="x",
                platform_id=f"pid-{k}",
                handle=f"critic_{k}" if k else "=cmd|' /C calc'!A0",
                display_name=f"Critic {k}" if k % 2 else None,
                followers=k * 10 if k % 3 else None,
            )
            for k in range(4)
        ]
        s.add_all(authors)
        s.flush()
        ids: list[int] = []
        for i in range(n):
            author = authors[i % len(authors)]
            m = Mention(
                source=sources[i % len(sources)],
                external_id=f"ext-{i}",
                author_id=author.id,
                text=HOSTILE_TEXTS[i % len(HOSTILE_TEXTS)],
                lang="en" if i % 2 else None,
                url=f"https://x.example/{author.handle}/{i}",
                created_at=BASE + timedelta(hours=i),
                fetched_at=BASE + timedelta(hours=i, seconds=5),
                in_reply_to=f"ext-{i - 1}" if i % 4 == 1 else None,
                deleted=i % 7 == 6,
            )
            s.add(m)
            s.flush()
            ids.append(m.id)
            if i % 5 == 4:
                continue  # unscored
            for version, minutes in (("1", 1), ("2", 9)) if i % 3 == 0 else (("1", 1),):
                neg = (i % 10) / 10
                s.add(
                    Score(
                        mention_id=m.id,
                        model_name="sentiment-default",
                        model_version=version,
                        sentiment_label="negative" if neg > 0.5 else "neutral",
                        p_negative=neg,
                        p_neutral=1 - neg,
                        p_positive=0.0,
                        sentiment=-neg,
                        toxicity=0.125 * (i % 8),
                        troll_likelihood=0.01 * i,
                        troll_reasons=["new_account"] if i % 2 else [],
                        scored_at=m.created_at + timedelta(minutes=minutes),
                    )
                )
        # author 0: a closed case then a newer open one; author 1: closed only; 2, 3: none
        s.add(
            Case(
                author_id=authors[0].id,
                source="x",
                stage="walk_away",
                is_open=False,
                outcome="walk_away",
                walkaway_reason="troll",
                updated_at=BASE,
                closed_at=BASE,
            )
        )
        s.add(
            Case(
                author_id=authors[0].id,
                source="x",
                stage="empathize",
                updated_at=BASE + timedelta(days=1),
            )
        )
        s.add(
            Case(
                author_id=authors[1].id,
                source="x",
                stage="fan",
                is_open=False,
                outcome="fan",
                updated_at=BASE,
                closed_at=BASE,
            )
        )
    return ids
