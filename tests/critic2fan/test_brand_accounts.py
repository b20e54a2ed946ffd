"""``brand.accounts`` from the settings to ``import``: one clear error, one warning line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.errors import ConfigError
from critic2fan.settings import load_settings
from store.models import Author
from tests.cli_helpers import run_cli


def test_settings__brand_handles_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRITIC2FAN_BRAND__HANDLES", '["acme"]')

    with pytest.raises(ConfigError) as err:
        load_settings()

    message = str(err.value)
    assert "brand.accounts" in message and "Value error" not in message
    assert "\n" not in message


def test_settings__accounts_per_platform_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRITIC2FAN_BRAND__ACCOUNTS__MASTODON", '["@acme@mastodon.social"]')

    settings = load_settings()

    assert settings.brand.accounts.mastodon == ["acme@mastodon.social"]
    assert settings.brand.accounts.x == ["brightloop"]  # the others keep their defaults


def test_import__untrusted_is_brand_is_one_warning_and_exit_zero(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRITIC2FAN_BRAND__ACCOUNTS__X", '["acme"]')
    path = tmp_path / "m.jsonl"
    rows = [
        {"source": "x", "id": "1", "author": "acme", "text": "hi", "created_at": "2026-03-01"},
        {"source": "reddit", "id": "2", "author": "acme", "text": "hi", "created_at": "2026-03-01",
         "is_brand": True},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")

    result = run_cli("--db", db_url, "import", str(path))

    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "line 2)" in warnings[0] and "brand.accounts" in warnings[0]
    from store.engine import make_engine

    with Session(make_engine(db_url)) as s:
        flags = {(a.platform, a.handle): a.is_brand for a in s.exec(select(Author)).all()}
    assert flags == {("x", "acme"): True, ("reddit", "acme"): False}
