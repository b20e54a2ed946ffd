"""``critic2fan run``: a mention heard on a platform ends on the board with a score and a case."""

from __future__ import annotations

import signal

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from store.models import Case, Mention, Score
from tests.cli_helpers import run_cli
from tests.fakes.mastodon import MastodonFake, serve, status

pytestmark = pytest.mark.slow


def test_run__heard_mention_is_scored_and_opens_a_case(
    engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    angry = "Three outages this week and #brightloop still bills me full price. Furious."
    fake = MastodonFake(statuses=[status(1, angry), status(2, "lunch was nice")])
    before = signal.getsignal(signal.SIGINT)
    with serve(fake) as server:
        monkeypatch.setenv("CRITIC2FAN_SOURCES__MASTODON__API_BASE_URL", server.url)
        monkeypatch.setenv("CRITIC2FAN_SOURCES__MASTODON__ACCESS_TOKEN", "t")
        monkeypatch.setenv("CRITIC2FAN_BRAND__KEYWORDS", '["#brightloop"]')
        result = run_cli(
            "--db", db_url, "run", "--source", "mastodon", "--for", "25", "--interval", "1"
        )

    assert result.code == 0, result.err
    with Session(engine) as session:
        mentions = session.exec(select(Mention)).scalars().all()
        scores = session.exec(select(Score)).scalars().all()
        cases = session.exec(select(Case)).scalars().all()
    assert [m.external_id for m in mentions] == ["1"]
    assert len(scores) == 1 and scores[0].sentiment_label == "negative"
    assert len(cases) == 1 and cases[0].stage == "acknowledge" and cases[0].sla_due is not None
    assert "1 mentions, 1 scored; open cases: acknowledge 1" in result.out
    assert signal.getsignal(signal.SIGINT) is before


def test_run__without_sources_says_so_and_still_works(db_url: str) -> None:
    result = run_cli("--db", db_url, "run", "--for", "1", "--interval", "1")

    assert result.code == 0, result.err
    assert "no source is listening" in result.err
