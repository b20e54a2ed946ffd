"""``critic2fan topics``: the listing, its JSON lines, and re-discovery from the command line."""

from __future__ import annotations

import json

from sqlalchemy.engine import Engine

from scoring.worker import score_pending
from tests.cli_helpers import run_cli
from tests.scoring.test_topics_store import EmbeddingScorer, fill


def test_topics__before_any_discovery_says_how_to_start(engine: Engine, db_url: str) -> None:
    result = run_cli("--db", db_url, "topics")
    assert result.code == 0
    assert "critic2fan topics --discover" in result.out
    assert run_cli("--db", db_url, "topics", "--json").out == ""


def test_topics__discover_then_list_as_json_lines(engine: Engine, db_url: str) -> None:
    fill(engine, [f"bad outage day {i}" for i in range(9)] + [f"my bill {i}" for i in range(9)])
    score_pending(engine, EmbeddingScorer())

    found = run_cli("--db", db_url, "topics", "--discover", "--json")
    assert found.code == 0, found.err
    assert "discovered 2 topics in 18 mentions" in found.err
    rows = [json.loads(line) for line in found.out.splitlines()]
    assert [set(r) for r in rows] == [{"id", "label", "mentions", "negative_share", "trend"}] * 2
    by_label = {r["label"]: r for r in rows}
    assert set(by_label) == {"outage", "billing"}  # the default playbook's topics as seeds
    assert by_label["outage"]["mentions"] == 9 and by_label["outage"]["negative_share"] == 1.0
    assert by_label["billing"]["negative_share"] == 0.0
    assert {r["trend"] for r in rows} <= {"new", "quiet", "surging", "rising", "steady", "falling"}

    text = run_cli("--db", db_url, "topics")
    assert text.code == 0
    assert text.out.splitlines()[0].split() == ["id", "mentions", "negative", "trend", "label"]
    assert any(line.rstrip().endswith("billing") for line in text.out.splitlines())
