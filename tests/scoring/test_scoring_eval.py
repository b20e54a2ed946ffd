"""``critic2fan eval``: a report, then one JSON object with the metrics as the last line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from scoring.default import DefaultScorer
from tests.cli_helpers import run_cli

SENTIMENT_ROWS = [
    ("@brightloop worst outage ever, three days without internet", "negative"),
    ("my bill doubled and nobody answers the phone", "negative"),
    ("@brightloop thank you, the technician was great", "positive"),
    ("love the new router, super fast", "positive"),
    ("what time does the store open on sunday", "neutral"),
    ("brightloop is changing its plans next month", "neutral"),
]
TOXICITY_ROWS = [
    ("you are a pathetic moron", "1"),
    ("shut up you stupid idiot", "1"),
    ("I disagree with your point about the plans", "0"),
    ("the weather is nice today", "0"),
]


def _write(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


@pytest.fixture
def use_session_scorer(monkeypatch: pytest.MonkeyPatch, default_scorer: DefaultScorer) -> None:
    import scoring.factory

    monkeypatch.setattr(scoring.factory, "load_scorer", lambda _settings: default_scorer)


@pytest.mark.usefixtures("use_session_scorer")
def test_eval__sentiment_last_line_is_json_metrics(tmp_path: Path) -> None:
    data = _write(tmp_path / "s.csv", SENTIMENT_ROWS)
    result = run_cli("eval", "--task", "sentiment", "--data", str(data), "--baseline", "vader")
    assert result.code == 0, result.err
    lines = result.out.strip().splitlines()
    metrics = json.loads(lines[-1])
    assert 0.0 <= metrics["macro_f1"] <= 1.0
    assert 0.0 <= metrics["accuracy"] <= 1.0
    assert metrics["rows"] == len(SENTIMENT_ROWS)
    assert metrics["baseline"]["name"] == "vader"
    assert "negative" in result.out and "positive" in result.out


@pytest.mark.usefixtures("use_session_scorer")
def test_eval__toxicity_reports_roc_auc(tmp_path: Path) -> None:
    data = _write(tmp_path / "t.csv", TOXICITY_ROWS)
    result = run_cli("eval", "--task", "toxicity", "--data", str(data))
    assert result.code == 0, result.err
    metrics = json.loads(result.out.strip().splitlines()[-1])
    assert 0.0 <= metrics["roc_auc"] <= 1.0
    assert metrics["roc_auc"] > 0.5


def test_eval__bad_label_is_one_clear_error_line(tmp_path: Path) -> None:
    data = _write(tmp_path / "bad.csv", [("fine", "maybe")])
    result = run_cli("eval", "--task", "sentiment", "--data", str(data))
    assert result.code != 0
    assert "line 2" in result.err and "Traceback" not in result.err


def test_eval__missing_columns_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("body,score\nhello,1\n", encoding="utf-8")
    result = run_cli("eval", "--task", "toxicity", "--data", str(path))
    assert result.code != 0
    assert "text,label" in result.err
