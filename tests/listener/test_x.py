"""X collector against the loopback fake API (tweepy pointed at it)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine

from listener.loop import LoopStats
from listener.sources.x import RULE_TAG, XSource, build_rules, make_clients
from store.writer import load_cursor, save_cursor
from tests.fakes.http import Reply
from tests.fakes.x import XFake, line, point_at, serve, tweet
from tests.listener.conftest import Sleeps, stored

RunLoop = Callable[..., LoopStats]
RULES = build_rules(["brightloop", "bright loop"], ["brightloop"])


@pytest.fixture(autouse=True)
def _fast_tweepy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tweepy.streaming.sleep", lambda s: None)


def _source(url: str, *, stream: bool = True) -> XSource:
    client, streaming = make_clients("bearer-placeholder", use_stream=stream)
    point_at(client.session, url)
    if streaming is not None:
        point_at(streaming.session, url)
    return XSource(client, streaming, RULES, poll_seconds=30)


def _id(i: int) -> str:
    return str(1_000_000 + i)


def test_build_rules__quotes_phrases_and_fits_limit() -> None:
    assert RULES == ['(brightloop OR "bright loop" OR @brightloop OR from:brightloop) -is:retweet']
    many = build_rules([f"keyword{i}" for i in range(200)], [])
    assert len(many) > 1 and all(len(r) <= 512 for r in many)


def test_x__stream_syncs_rules_and_stores(engine: Engine, run_loop: RunLoop) -> None:
    fake = XFake(
        rules=[
            {"id": "9", "value": "old rule", "tag": RULE_TAG},
            {"id": "8", "value": "x", "tag": "own"},
        ],
        stream_scripts=[[line(tweet(1)), b"\r\n", line(tweet(2, "مرحبا @brightloop 🔥"))]],
    )
    with serve(fake) as server:
        src = _source(server.url)
        run_loop(src, lambda s: s.stored >= 2)
    assert sorted(stored(engine)) == [_id(1), _id(2)]
    assert {r["value"] for r in fake.rules} == {"x", RULES[0]}  # stale deleted, others kept
    assert stored(engine)[_id(2)].text == "مرحبا @brightloop 🔥"
    assert load_cursor(engine, src.name) == _id(2)


def test_x__drop_then_backfill_since_cursor(engine: Engine, run_loop: RunLoop) -> None:
    fake = XFake(stream_scripts=[[line(tweet(1))], []], tweets=[tweet(1), tweet(2)])
    fake.stream_drop = True
    with serve(fake) as server:
        run_loop(_source(server.url), lambda s: s.stored >= 2)
        since = [r.arg("since_id") for r in server.requests if r.path.endswith("/recent")]
    assert sorted(stored(engine)) == [_id(1), _id(2)]
    assert _id(1) in since


def test_x__stream_not_in_plan_falls_back_to_search(
    engine: Engine, run_loop: RunLoop, sleeps: Sleeps
) -> None:
    fake = XFake(tweets=[tweet(1), tweet(2)])
    fake.stream_status = 403
    with serve(fake) as server:
        src = _source(server.url)
        run_loop(src, lambda s: s.stored >= 2)
    assert src.poll_interval == 30
    assert sorted(stored(engine)) == [_id(1), _id(2)]


def test_x__search_429_waits_for_reset(engine: Engine, run_loop: RunLoop, sleeps: Sleeps) -> None:
    reset = str(int(time.time()) + 40)
    fake = XFake(
        tweets=[tweet(1)],
        errors=[Reply(429, {"title": "Too Many Requests"}, headers={"x-rate-limit-reset": reset})],
    )
    with serve(fake) as server:
        run_loop(_source(server.url, stream=False), lambda s: s.stored >= 1)
    assert 35 <= sleeps.calls[0] <= 42


def test_x__server_error_retried(engine: Engine, run_loop: RunLoop, sleeps: Sleeps) -> None:
    fake = XFake(tweets=[tweet(1)], errors=[Reply(503, {"title": "Service Unavailable"})])
    with serve(fake) as server:
        stats = run_loop(_source(server.url, stream=False), lambda s: s.stored >= 1)
    assert stats.errors == 1 and sorted(stored(engine)) == [_id(1)]


def test_x__malformed_duplicate_and_deletion(engine: Engine, run_loop: RunLoop) -> None:
    deletion = b'{"data": {"delete": {"tweet": {"id": "1000001", "author_id": "100"}}}}\r\n'
    script = [
        line(tweet(3)),
        line(tweet(1)),
        b'{"data": {"id": "1000',
        b"\r\n",
        line(tweet(3)),
        deletion,
        line(tweet(4, "x" * 30_000 + " @brightloop")),
    ]
    fake = XFake(stream_scripts=[script])
    with serve(fake) as server:
        stats = run_loop(_source(server.url), lambda s: s.stored >= 3 and s.deleted >= 1)
    rows = stored(engine)
    assert sorted(rows) == [_id(1), _id(3), _id(4)]
    assert rows[_id(1)].deleted and rows[_id(1)].text == ""
    assert stats.errors >= 1 and stats.duplicates >= 1
    assert rows[_id(4)].text.endswith("[truncated]")


def test_x__resume_uses_saved_cursor(engine: Engine, run_loop: RunLoop) -> None:
    with engine.begin() as conn:
        from core.clock import utcnow

        save_cursor(conn, "x:mentions", _id(5), now=utcnow())
    fake = XFake(tweets=[tweet(5), tweet(6)])
    with serve(fake) as server:
        run_loop(_source(server.url), lambda s: s.stored >= 1)
    assert sorted(stored(engine)) == [_id(6)]
