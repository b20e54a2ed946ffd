"""``critic2fan export`` end to end, in-process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from critic2fan.cli import main
from dashboard.exports import read_export


def _db(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_cli_export__writes_the_file_and_reports(
    engine: Engine, seed: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(9, sources=("x", "reddit"))
    out = tmp_path / "out.parquet"
    code = main(
        [
            "--db",
            _db(engine),
            "export",
            "--format",
            "parquet",
            "--out",
            str(out),
            "--source",
            "reddit",
            "--since",
            "2024-05-01",
            "--tz",
            "Europe/Paris",
        ]
    )
    assert code == 0
    rows = list(read_export(out, "parquet"))
    assert len(rows) == 4 and {r["source"] for r in rows} == {"reddit"}
    assert "exported 4 mentions" in capsys.readouterr().err


def test_cli_export__anonymize_without_salt_fails_clearly(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.delenv("CRITIC2FAN_SECRET_KEY", raising=False)
    code = main(
        ["--db", _db(engine), "export", "-f", "csv", "-o", str(tmp_path / "a.csv"), "--anonymize"]
    )
    assert code != 0
    assert "need a salt" in capsys.readouterr().err


def test_cli_export__bad_date_fails_clearly(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "--db",
            _db(engine),
            "export",
            "-f",
            "csv",
            "-o",
            str(tmp_path / "a.csv"),
            "--since",
            "yesterday",
        ]
    )
    assert code != 0
    assert "--since: expected YYYY-MM-DD" in capsys.readouterr().err
