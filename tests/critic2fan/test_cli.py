"""The CLI shell: help for every command, settings shown masked, clear errors for bad setup."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli

EXPECTED_COMMANDS = ("demo", "import", "config", "db")


def test_help__lists_every_command_with_a_line_of_help() -> None:
    result = run_cli("--help")

    assert result.code == 0
    commands = result.out.split("Commands:")[1]
    for name in EXPECTED_COMMANDS:
        line = next(ln for ln in commands.splitlines() if ln.strip().startswith(name + " "))
        assert len(line.split(name, 1)[1].strip()) > 10, line


def test_config_show__masks_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRITIC2FAN_SOURCES__X__BEARER_TOKEN", "AAAA-very-secret-token")
    monkeypatch.setenv("CRITIC2FAN_SMTP__PASSWORD", "hunter2")
    monkeypatch.setenv("CRITIC2FAN_DATABASE_URL", "postgresql://app:pgsecret@db.example/c2f")

    result = run_cli("config", "show", "--json")

    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["sources"]["x"]["bearer_token"] == "**********"
    assert data["smtp"]["password"] == "**********"
    for secret in ("very-secret", "hunter2", "pgsecret"):
        assert secret not in result.out


def test_config_show__reads_toml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "brand.toml"
    config.write_text(
        '[brand]\nname = "Acme"\nkeywords = ["acme", "#acmefail"]\n[smtp]\nport = 2525\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("CRITIC2FAN_CONFIG", str(config))

    result = run_cli("config", "show")

    assert result.code == 0, result.err
    assert 'brand.name = "Acme"' in result.out
    assert 'brand.keywords = ["acme", "#acmefail"]' in result.out
    assert "smtp.port = 2525" in result.out


def test_settings__unknown_key_in_toml_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[brand]\nnmae = "typo"\n', encoding="utf-8")
    monkeypatch.setenv("CRITIC2FAN_CONFIG", str(config))

    result = run_cli("config", "show")

    assert result.code == 2
    assert "brand.nmae" in result.err


def test_config__env_overrides_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[brand]\nname = "FromFile"\n', encoding="utf-8")
    monkeypatch.setenv("CRITIC2FAN_CONFIG", str(config))
    monkeypatch.setenv("CRITIC2FAN_BRAND__NAME", "FromEnv")

    result = run_cli("config", "show", "--json")

    assert json.loads(result.out)["brand"]["name"] == "FromEnv"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"CRITIC2FAN_SMTP__PORT": "not-a-port"}, "smtp.port"),
        ({"CRITIC2FAN_BRAND__HANDLES": "not-a-list"}, "brand"),
        ({"CRITIC2FAN_CONFIG": "/nonexistent/c2f.toml"}, "not a readable file"),
    ],
)
def test_settings__malformed_is_one_clear_line(
    env: dict[str, str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    result = run_cli("config", "show")

    assert result.code == 2
    assert expected in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


def test_settings__broken_toml_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[brand\nname = 1\n", encoding="utf-8")
    monkeypatch.setenv("CRITIC2FAN_CONFIG", str(config))

    result = run_cli("config", "show")

    assert result.code == 2
    assert "cannot read settings" in result.err


@pytest.mark.parametrize(
    ("url", "expected", "code"),
    [
        ("nonsense", "not a database URL", 2),
        ("mysql://u:p@localhost/x", "unsupported database", 2),
        ("postgresql://u:topsecret@127.0.0.1:1/x", "cannot reach the database", 3),
    ],
)
def test_db_upgrade__bad_url_is_a_clear_error(url: str, expected: str, code: int) -> None:
    result = run_cli("--db", url, "db", "upgrade")

    assert result.code == code
    assert expected in result.err
    assert "topsecret" not in result.err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_db__unwritable_data_folder_is_a_clear_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)

    result = run_cli("--db", f"sqlite:///{locked}/sub/c.db", "db", "upgrade")

    assert result.code == 3
    assert "cannot create the data folder" in result.err


def test_db__data_folder_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")

    result = run_cli("--db", f"sqlite:///{blocker}/c.db", "db", "upgrade")

    assert result.code == 3
    assert "data folder" in result.err


def test_db_upgrade__twice_is_harmless(db_url: str) -> None:
    first = run_cli("--db", db_url, "db", "upgrade")
    second = run_cli("--db", db_url, "db", "upgrade")

    assert first.code == 0 and "empty ->" in first.out
    from store.migrate import head_revision

    head = head_revision()
    assert second.code == 0 and f"{head} -> {head}" in second.out


def test_logging__the_one_off_encoder_build_is_announced_without_verbose(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import logging

    from critic2fan.cli import configure_logging

    configure_logging(False)
    logging.getLogger("scoring.onnx_build").info("building the scoring encoder")
    logging.getLogger("scoring.default").info("a routine detail")
    err = capsys.readouterr().err
    assert "building the scoring encoder" in err
    assert "a routine detail" not in err  # everything else stays at warnings
