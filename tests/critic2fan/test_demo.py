"""``critic2fan demo --no-board``: the sample imported, scored and worked; idempotent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from store.models import Case, CaseEvent, Mention, Score
from tests.cli_helpers import run_cli

pytestmark = pytest.mark.slow


def _counts(db_url: str) -> dict[str, int]:
    from store.engine import make_engine

    with Session(make_engine(db_url)) as session:
        return {
            table.__name__: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (Mention, Score, Case, CaseEvent)
        }


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, str]:
    folder: Path = tmp_path_factory.mktemp("demo")
    db_url = f"sqlite:///{folder / 'demo.db'}"
    first = run_cli("--db", db_url, "demo", "--no-board")
    assert first.code == 0, first.err
    second = run_cli("--db", db_url, "demo", "--no-board")
    assert second.code == 0, second.err
    return db_url, first.out, second.out


def test_demo__twice_leaves_the_same_rows(demo_run: tuple[str, str, str]) -> None:
    db_url, first, second = demo_run

    assert _numbers(first) == _numbers(second)
    counts = _counts(db_url)
    assert counts["Mention"] >= 600
    assert counts["Score"] == counts["Mention"] - _deleted(db_url)


def test_demo__reaches_every_stage(demo_run: tuple[str, str, str]) -> None:
    db_url, first, _ = demo_run
    from store.engine import make_engine

    with Session(make_engine(db_url)) as session:
        stages = set(session.execute(select(Case.stage).distinct()).scalars())
        outcomes = set(session.execute(select(Case.outcome).distinct()).scalars())

    assert {"acknowledge", "empathize", "goodwill", "fan", "walk_away"} <= stages
    assert "fan" in outcomes
    assert "mentions" in first and "critics" in first


def test_demo__latest_sample_mention_is_recent(demo_run: tuple[str, str, str]) -> None:
    db_url, _, _ = demo_run
    from core.clock import utcnow
    from store.engine import make_engine

    with Session(make_engine(db_url)) as session:
        latest = session.execute(select(func.max(Mention.created_at))).scalar_one()
    from store.types import UTCDateTime

    assert latest is not None
    age = utcnow() - UTCDateTime().process_result_value(latest, None)  # type: ignore[arg-type]
    assert age.total_seconds() < 3 * 3600


def _numbers(output: str) -> list[str]:
    return re.findall(r"\d+", output)


def _deleted(db_url: str) -> int:
    from store.engine import make_engine

    with Session(make_engine(db_url)) as session:
        return session.execute(
            select(func.count()).select_from(Mention).where(Mention.deleted.is_(True))  # type: ignore[attr-defined]
        ).scalar_one()
