"""The product report as an export: CSV and Parquet read back equal to the report, its window
from --since/--until, formula-looking examples inert in CSV, and the command line."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from core.clock import FixedClock
from core.errors import InputError
from critic2fan.cli import main
from dashboard.exports import export_rows, read_export
from dashboard.exports.product_report import default_until, export_window
from scoring.topics.cluster import DiscoveryParams
from scoring.topics.report import ReportWindow
from scoring.topics.service import rediscover, report
from scoring.worker import score_pending
from store.exports import ExportFilter
from tests.scoring.conftest import BASE_TIME, add_author, add_mention
from tests.scoring.test_topics_store import EmbeddingScorer

UNTIL = BASE_TIME + timedelta(days=3)
SINCE = UNTIL - timedelta(days=2)


@pytest.fixture
def topics(engine: Engine) -> Engine:
    """Outage complaints (one of them a formula) in the window, bills the window before."""
    loud = add_author(engine, "loud", followers=5000)
    quiet = add_author(engine, "quiet", followers=7)
    day = 24 * 60
    add_mention(engine, loud, "=HYPERLINK(bad outage)", minutes=2 * day)
    for i in range(4):
        add_mention(engine, quiet, f"bad outage {i}", minutes=2 * day + i)
        add_mention(engine, quiet, f"my bill {i}", minutes=i)
    score_pending(engine, EmbeddingScorer(), clock=FixedClock(BASE_TIME))
    rediscover(engine, params=DiscoveryParams(min_cluster_size=3), now=BASE_TIME)
    return engine


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_product_report__reads_back_equal_to_the_report(
    topics: Engine, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"report.{fmt}"
    n = export_rows(topics, fmt=fmt, out=out, dataset="product_report", since=SINCE, until=UNTIL)
    got = list(read_export(out, fmt, dataset="product_report"))
    want = report(topics, ReportWindow(SINCE, UNTIL)).topics

    assert n == len(got) == len(want) == 2
    assert [r["topic_id"] for r in got] == [t.topic_id for t in want]
    outage, bill = got
    assert (outage["mentions"], outage["previous_mentions"], outage["trend"]) == (5, 0, "new")
    assert (bill["mentions"], bill["previous_mentions"], bill["trend"]) == (0, 4, "gone")
    assert outage["negative_share"] == 1.0 and bill["negative_share"] is None
    assert (outage["authors"], outage["reach"], outage["median_followers"]) == (2, 5007, 2503.5)
    assert outage["window_start"] == SINCE and outage["window_end"] == UNTIL
    assert outage["fans_won_back"] == 0
    examples = {outage["example_1"], outage["example_2"]}
    formula = "=HYPERLINK(bad outage)"
    assert (("'" + formula) if fmt == "csv" else formula) in examples
    assert outage["example_3"] in (None, "")  # two authors: two examples


def test_product_report__csv_cells_never_start_a_formula(topics: Engine, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    export_rows(topics, fmt="csv", out=out, dataset="product_report", since=SINCE, until=UNTIL)
    with out.open(encoding="utf-8", newline="") as handle:
        cells = [v for row in csv.DictReader(handle) for v in row.values()]
    assert cells and not any(v and v[0] in "=+@\t\r" for v in cells)


def test_product_report__window_defaults_and_refusals() -> None:
    clock = FixedClock(BASE_TIME + timedelta(minutes=5))
    window = export_window(ExportFilter(), clock=clock)
    assert window.until == BASE_TIME + timedelta(hours=1)
    assert window.until - window.since == timedelta(days=7)
    assert default_until(BASE_TIME) == BASE_TIME
    with pytest.raises(InputError, match="no source"):
        export_window(ExportFilter(sources=("x",)), clock=clock)
    with pytest.raises(InputError, match="window is empty"):
        export_window(ExportFilter(since=UNTIL, until=SINCE), clock=clock)


def test_product_report__from_the_command_line(
    topics: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.parquet"
    db = topics.url.render_as_string(hide_password=False)
    args = ["--db", db, "export", "-q", "-f", "parquet", "-o", str(out), "-d", "product_report"]
    args += ["--since", SINCE.isoformat(), "--until", UNTIL.isoformat(), "--tz", "UTC"]
    assert main(args) == 0
    rows = list(read_export(out, "parquet", dataset="product_report"))
    assert [r["mentions"] for r in rows] == [5, 0]
    assert "exported 2 report topics" in capsys.readouterr().err
