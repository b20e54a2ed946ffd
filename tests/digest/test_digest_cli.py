"""``critic2fan digest`` in-process: --out, --send against a down server, and scheduling."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from core.errors import Critic2fanError, InputError
from critic2fan.cli import main
from dashboard.digest.schedule import guarded, make_scheduler, next_run, parse_hhmm

from .conftest import Inbox, free_port


def _db(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("CRITIC2FAN_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CRITIC2FAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CRITIC2FAN_BRAND__TIMEZONE", "Europe/Paris")
    monkeypatch.setenv("CRITIC2FAN_SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("CRITIC2FAN_SMTP__SECURITY", "none")
    monkeypatch.setenv("CRITIC2FAN_SMTP__RECIPIENTS", '{"lead": ["boss@brand.example"]}')
    return tmp_path


def test_cli_digest__out_writes_an_eml(
    day: Engine, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = env / "d.eml"
    assert main(["--db", _db(day), "digest", "--date", "2024-05-02", "--out", str(out)]) == 0
    msg = message_from_bytes(out.read_bytes(), policy=policy.default)
    assert "2024-05-02" in str(msg["Subject"])
    assert f"written to {out}" in capsys.readouterr().err


def test_cli_digest__without_out_prints_the_text(
    day: Engine, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", _db(day), "digest", "--date", "2024-05-02", "--tz", "UTC"]) == 0
    assert "NEW CRITICS" in capsys.readouterr().out


def test_cli_digest__send_to_a_down_server_exits_nonzero_and_keeps_the_file(
    day: Engine, env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRITIC2FAN_SMTP__PORT", str(free_port()))
    code = main(["--db", _db(day), "digest", "--date", "2024-05-02", "--send", "--attempts", "1"])
    err = capsys.readouterr().err
    assert code != 0
    assert "error: could not send the digest through 127.0.0.1" in err
    kept = env / "data" / "digests" / "digest-2024-05-02-lead.eml"
    assert kept.is_file() and str(kept) in err


def test_cli_digest__send_arrives(
    day: Engine, env: Path, monkeypatch: pytest.MonkeyPatch, smtp_server: Inbox
) -> None:
    monkeypatch.setenv("CRITIC2FAN_SMTP__PORT", str(smtp_server.port))
    assert main(["--db", _db(day), "digest", "--date", "2024-05-02", "--send"]) == 0
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [
        ["boss@brand.example", "lena@brand.example"]
    ]


def test_schedule__parses_times_and_finds_the_next_run() -> None:
    assert parse_hhmm("8:05") == (8, 5)
    with pytest.raises(InputError, match="HH:MM"):
        parse_hhmm("25:00")
    paris = ZoneInfo("Europe/Paris")
    fire = next_run("08:00", paris, datetime(2024, 5, 2, 7, tzinfo=UTC))  # 09:00 in Paris
    assert fire == datetime(2024, 5, 3, 8, tzinfo=paris)


def test_schedule__a_failed_run_does_not_stop_the_schedule(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def boom() -> None:
        raise Critic2fanError("smtp down")

    guarded(boom)()
    assert "daily digest failed: smtp down" in caplog.text


def test_schedule__the_job_fires_in_a_real_scheduler() -> None:
    fired = threading.Event()
    scheduler = make_scheduler(fired.set, "08:00", ZoneInfo("Europe/Paris"), blocking=False)
    (job,) = scheduler.get_jobs()
    assert str(job.trigger) == "cron[hour='8', minute='0']"
    scheduler.start()
    try:
        job.modify(next_run_time=datetime.now(UTC))
        assert fired.wait(10)
    finally:
        scheduler.shutdown(wait=True)
