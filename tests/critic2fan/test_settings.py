"""Settings: every one documented, the sections live below the shell, the defaults resolved here."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from core.config import BoardSettings, ModelSettings, SmtpSettings
from critic2fan.board import board_context
from critic2fan.settings import Settings, default_cache_dir, load_settings


def _undocumented(model: type[BaseModel], prefix: str = "") -> list[str]:
    missing = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if not (info.description or "").strip():
            missing.append(path)
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            missing += _undocumented(annotation, prefix=f"{path}.")
    return missing


def test_settings__every_setting_has_help_text() -> None:
    assert _undocumented(Settings) == []


def test_settings__walk_reaches_every_section() -> None:
    # the walk above would pass vacuously if it never descended into the sections
    sections = {
        name
        for name, info in Settings.model_fields.items()
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
    }
    assert {"brand", "sources", "model", "smtp", "board"} <= sections


def test_settings__an_undocumented_field_is_caught() -> None:
    class Sloppy(BaseModel):
        documented: int = Field(0, description="ok")
        inner: Inner = Field(default_factory=lambda: Inner(), description="ok")
        bare: SmtpSettings = SmtpSettings()

    class Inner(BaseModel):
        hidden: int = 0

    Sloppy.model_rebuild()
    assert _undocumented(Sloppy) == ["inner.hidden", "bare"]


def test_settings__sections_come_from_core() -> None:
    assert Settings.model_fields["model"].annotation is ModelSettings
    assert Settings.model_fields["board"].annotation is BoardSettings


def test_cache_dir__default_follows_the_environment(tmp_path: Path) -> None:
    assert default_cache_dir({"CRITIC2FAN_CACHE_DIR": str(tmp_path / "c2f")}) == tmp_path / "c2f"
    xdg = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert default_cache_dir(xdg) == tmp_path / "xdg" / "critic2fan"
    assert default_cache_dir({}) == Path.home() / ".cache" / "critic2fan"


def test_cache_dir__resolved_by_the_shell_so_the_scorer_gets_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRITIC2FAN_CACHE_DIR", str(tmp_path / "shared"))
    assert load_settings().model.cache_dir == tmp_path / "shared"

    monkeypatch.setenv("CRITIC2FAN_MODEL__CACHE_DIR", str(tmp_path / "chosen"))
    assert load_settings().model.cache_dir == tmp_path / "chosen"


def test_board_settings__refresh_from_the_environment_reaches_the_board_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRITIC2FAN_BOARD__REFRESH_SECONDS", "7.5")
    monkeypatch.setenv("CRITIC2FAN_DATABASE_URL", "sqlite:///board.db")
    monkeypatch.setenv("CRITIC2FAN_SECRET_KEY", "s3cret")

    ctx = board_context(load_settings(), demo=True)

    assert ctx.refresh_seconds == 7.5
    assert ctx.database_url == "sqlite:///board.db"
    assert ctx.demo is True
    assert ctx.secret_key is not None and ctx.secret_key.get_secret_value() == "s3cret"


def test_board_settings__refresh_must_be_positive(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.errors import ConfigError

    monkeypatch.setenv("CRITIC2FAN_BOARD__REFRESH_SECONDS", "0")
    with pytest.raises(ConfigError, match="board.refresh_seconds"):
        load_settings()


def test_board_settings__session_and_lockout_limits_reach_the_board_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import timedelta

    defaults = board_context(load_settings(), demo=False)
    assert defaults.idle_timeout == timedelta(hours=8)
    assert defaults.lockout.window == timedelta(minutes=15)
    assert (defaults.lockout.per_account, defaults.lockout.per_address) == (5, 20)

    monkeypatch.setenv("CRITIC2FAN_BOARD__IDLE_TIMEOUT_HOURS", "0.25")
    monkeypatch.setenv("CRITIC2FAN_BOARD__LOCKOUT_MINUTES", "30")
    monkeypatch.setenv("CRITIC2FAN_BOARD__MAX_FAILURES_PER_ACCOUNT", "3")
    monkeypatch.setenv("CRITIC2FAN_BOARD__MAX_FAILURES_PER_ADDRESS", "0")
    ctx = board_context(load_settings(), demo=False)

    assert ctx.idle_timeout == timedelta(minutes=15)
    assert ctx.lockout.window == timedelta(minutes=30)
    assert (ctx.lockout.per_account, ctx.lockout.per_address) == (3, 0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("IDLE_TIMEOUT_HOURS", "0"),
        ("LOCKOUT_MINUTES", "-1"),
        ("MAX_FAILURES_PER_ACCOUNT", "0"),
        ("MAX_FAILURES_PER_ADDRESS", "-1"),
    ],
)
def test_board_settings__session_and_lockout_limits_are_checked(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    from core.errors import ConfigError

    monkeypatch.setenv(f"CRITIC2FAN_BOARD__{name}", value)
    with pytest.raises(ConfigError, match=f"board.{name.lower()}"):
        load_settings()


def test_settings__the_old_global_send_switch_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from core.errors import ConfigError

    config = tmp_path / "critic2fan.toml"
    config.write_text("send_replies = true\n", encoding="utf-8")
    monkeypatch.setenv("CRITIC2FAN_CONFIG", str(config))
    with pytest.raises(ConfigError) as err:
        load_settings()
    message = str(err.value)
    assert "sources.<name>.send" in message and "\n" not in message
