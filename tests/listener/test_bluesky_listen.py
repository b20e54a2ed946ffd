"""``critic2fan listen`` pointed at a loopback Jetstream and AppView by settings alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.cli_helpers import run_cli
from tests.fakes.bluesky import JetstreamFake
from tests.fakes.http import FakeHTTPServer
from tests.fakes.ws import FakeWebSocketServer
from tests.listener.conftest import stored
from tests.listener.test_replay_bluesky import AppView

FIXTURES = Path(__file__).parents[1] / "fixtures" / "bluesky"


def test_listen__bluesky_by_settings_alone(
    engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("listener.runner.Runner.install_signal_handlers", lambda self: None)
    frames = (FIXTURES / "jetstream_connection_1.jsonl").read_text(encoding="utf-8").splitlines()
    payloads = [json.loads(f)["payload"] for f in frames]
    expected = sorted(
        f"at://{p['did']}/app.bsky.feed.post/{p['rkey']}"
        for p in payloads
        if p["$type"].endswith("#commit")
        and p["operation"] == "create"
        and "brightloop" in p["record"]["text"].lower()
    )
    fake = JetstreamFake(scripts=[frames])
    ws = FakeWebSocketServer(fake.handle, subprotocols=["xrpc.v1.json"])
    with ws, FakeHTTPServer(AppView().route) as appview:
        monkeypatch.setenv("CRITIC2FAN_SOURCES__BLUESKY__ENABLED", "true")
        monkeypatch.setenv("CRITIC2FAN_SOURCES__BLUESKY__JETSTREAM_URL", ws.url + "/xrpc")
        monkeypatch.setenv("CRITIC2FAN_SOURCES__BLUESKY__APPVIEW_URL", appview.url)
        result = run_cli(
            "--db", db_url, "listen", "--source", "bluesky", "--for", "3", "--no-status"
        )
    assert result.code == 0, result.err
    assert expected and sorted(stored(engine)) == expected
    assert fake.cursors and fake.cursors[0] is None  # a fresh start, from now
