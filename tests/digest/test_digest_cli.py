"""``critic2fan digest`` in-process: --out and --send against a down server."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from critic2fan.cli import main

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
