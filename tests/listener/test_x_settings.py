"""X pointed elsewhere by settings alone: ``critic2fan listen`` against a loopback API, and
an HTTP proxy from the environment still used when the base URL is replaced."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from core.clock import utcnow
from listener.sources.x import make_clients
from tests.cli_helpers import run_cli
from tests.fakes.x import XFake, serve, tweet_at
from tests.listener.conftest import stored


def test_listen__x_at_a_loopback_api_by_settings_alone(
    engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("listener.runner.Runner.install_signal_handlers", lambda self: None)
    now = utcnow()
    tweets = [
        tweet_at(now - timedelta(minutes=2), "@brightloop the app crashed"),
        tweet_at(now - timedelta(minutes=1), "@brightloop still broken", user=None),
    ]
    with serve(XFake(tweets=tweets)) as server:
        monkeypatch.setenv("CRITIC2FAN_SOURCES__X__BEARER_TOKEN", "placeholder")
        monkeypatch.setenv("CRITIC2FAN_SOURCES__X__API_BASE_URL", server.url)
        monkeypatch.setenv("CRITIC2FAN_SOURCES__X__USE_STREAM", "false")
        monkeypatch.setenv("CRITIC2FAN_SOURCES__X__POLL_SECONDS", "0.5")
        result = run_cli("--db", db_url, "listen", "--source", "x", "--for", "2", "--no-status")
        polls = [r for r in server.requests if r.path == "/2/tweets/search/recent"]

    assert result.code == 0, result.err
    rows = stored(engine)
    assert sorted(rows) == sorted(t["id"] for t in tweets)
    assert rows[tweets[0]["id"]].created_at.replace(microsecond=0) == (
        now - timedelta(minutes=2)
    ).replace(microsecond=0)
    assert rows[tweets[1]["id"]].author_id is None
    assert len(polls) >= 2  # polled again after poll_seconds
    auth = [{k.lower(): v for k, v in r.headers.items()}.get("authorization") for r in polls]
    assert set(auth) == {"Bearer placeholder"}


def test_make_clients__a_proxy_from_the_environment_is_still_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = utcnow()
    with serve(XFake(tweets=[tweet_at(now)])) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        client, _ = make_clients("placeholder", use_stream=False, api_base="http://gateway.invalid")
        body = client.search_recent_tweets("brightloop")

    assert body["meta"]["result_count"] == 1
    headers = {k.lower(): v for k, v in proxy.requests[0].headers.items()}
    assert headers["host"] == "gateway.invalid"
