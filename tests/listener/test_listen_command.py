"""``critic2fan listen`` in-process: plain messages for missing credentials, a short run."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from tests.cli_helpers import run_cli
from tests.fakes.mastodon import MastodonFake, serve, status
from tests.listener.conftest import stored


def test_listen__missing_credentials_named_plainly(db_url: str) -> None:
    result = run_cli("--db", db_url, "listen", "--source", "x", "--source", "reddit")
    assert result.code == 2
    assert "x: no bearer token: set CRITIC2FAN_SOURCES__X__BEARER_TOKEN" in result.err
    assert "reddit: no client id: set CRITIC2FAN_SOURCES__REDDIT__CLIENT_ID" in result.err
    assert "Traceback" not in result.err


def test_listen__runs_a_source_for_a_while(
    engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("listener.runner.Runner.install_signal_handlers", lambda self: None)
    fake = MastodonFake(statuses=[status(1), status(2, "unrelated")])
    with serve(fake) as server:
        monkeypatch.setenv("CRITIC2FAN_SOURCES__MASTODON__API_BASE_URL", server.url)
        monkeypatch.setenv("CRITIC2FAN_SOURCES__MASTODON__ACCESS_TOKEN", "t")
        monkeypatch.setenv("CRITIC2FAN_BRAND__KEYWORDS", '["#brightloop"]')
        result = run_cli(
            "--db", db_url, "listen", "--source", "mastodon", "--for", "2", "--no-status"
        )
    assert result.code == 0, result.err
    assert sorted(stored(engine)) == ["1"]
    assert "mastodon:tag:brightloop: 2 read, 1 matched, 1 stored" in result.out
