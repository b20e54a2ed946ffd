"""The demo's pages have something true to show: outcomes, templates and signed agents, and the
What works page says its figures are the sample's."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.clock import SYSTEM_CLOCK
from playbooks.learning.attribution import LearningPolicy
from playbooks.learning.care import care_by_agent
from playbooks.learning.load import attributions
from playbooks.learning.stats import conversion_table, decided
from playbooks.loader import load_active_playbook
from store.analytics import newest_mention_time
from store.engine import make_engine
from tests.cli_helpers import run_cli
from tests.dashboard.board_helpers import APP, VIEWS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder: Path = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'demo.db'}"
    result = run_cli("--db", url, "demo", "--no-board")
    assert result.code == 0, result.err
    return url


def test_demo__attribution_has_outcomes_templates_and_signed_agents(demo_url: str) -> None:
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        newest = newest_mention_time(conn)
    assert newest is not None
    now = SYSTEM_CLOCK.now()
    rows = attributions(
        engine,
        newest - timedelta(days=30),
        newest + timedelta(seconds=1),
        now=now,
        playbook=load_active_playbook(),
    )
    done = decided(rows)
    assert sum(a.converted for a in done) >= 10 and len(done) >= 50
    ranked = [r for r in conversion_table(rows, "template", LearningPolicy()) if r.rank]
    assert len(ranked) >= 2 and all(r.n >= 10 for r in ranked)
    agents = {c.agent for c in care_by_agent(rows)}
    assert {"AK", "Priya"} <= agents  # the sample team's signatures
    fans = [a for a in done if a.converted]
    assert all(a.durability is not None for a in fans)


def test_demo__what_works_page_is_marked_as_sample_data(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRITIC2FAN_DATABASE_URL", demo_url)
    monkeypatch.setenv("CRITIC2FAN_BOARD_DEMO", "1")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(str(VIEWS / "what_works.py"))
    at.run()
    assert not at.exception, at.exception
    assert any("Sample data" in i.value for i in at.info)
    assert "Care by agent" in [s.value for s in at.subheader]  # demo mode works as a lead
    template = at.dataframe[0].value
    assert (template["rank"] != "too few").sum() >= 2
