"""X: a stale since_id falls back to the search window's edge and records the gap; a stream
that was down is backfilled; undated tweets take their id's time; no author is no author."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from core.clock import utcnow
from listener.loop import LoopStats
from listener.sources.x import (
    WINDOW_MARGIN,
    XSource,
    build_rules,
    make_clients,
    normalize_tweet,
    snowflake_at,
    snowflake_time,
)
from store.gaps import GapLog, recent_gaps
from store.writer import load_cursor, save_cursor
from tests.fakes.x import XFake, id_at, line, point_at, serve, tweet_at
from tests.listener.conftest import stored

RunLoop = Callable[..., LoopStats]
RULES = build_rules(["brightloop"], ["brightloop"])


@pytest.fixture(autouse=True)
def _fast_tweepy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tweepy.streaming.sleep", lambda s: None)


def _source(url: str, engine: Engine, *, stream: bool = True) -> XSource:
    client, streaming = make_clients("bearer-placeholder", use_stream=stream)
    point_at(client.session, url)
    if streaming is not None:
        point_at(streaming.session, url)
    return XSource(client, streaming, RULES, poll_seconds=30, gaps=GapLog(engine))


def _gaps(engine: Engine) -> list:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return recent_gaps(conn, since=utcnow() - timedelta(days=60))


def test_snowflake__time_and_id_agree() -> None:
    at = datetime(2022, 10, 7, 12, 30, 1, 250_000, tzinfo=UTC)
    assert snowflake_time(snowflake_at(at)) == at
    assert snowflake_time("1578398451262214144").date().isoformat() == "2022-10-07"


def test_x__stale_since_id_falls_back_to_the_window_edge_and_records_the_gap(
    engine: Engine, run_loop: RunLoop
) -> None:
    now = utcnow()
    stale = id_at(now - timedelta(days=9))
    with engine.begin() as conn:
        save_cursor(conn, "x:mentions", stale, now=now)
    lost, kept, fresh = (
        tweet_at(now - timedelta(days=8)),
        tweet_at(now - timedelta(days=6)),
        tweet_at(now - timedelta(hours=1)),
    )
    fake = XFake(tweets=[lost, kept, fresh], window=timedelta(days=7))
    with serve(fake) as server:
        src = _source(server.url, engine, stream=False)
        run_loop(src, lambda s: s.stored >= 2)
        refused = [r for r in server.requests if r.arg("since_id") == stale]
        by_time = [r.arg("start_time") for r in server.requests if r.arg("start_time")]

    assert sorted(stored(engine)) == sorted([kept["id"], fresh["id"]])
    assert len(refused) == 1  # the stale cursor is asked once, never again
    assert by_time, "the fallback searches from a start_time"
    assert load_cursor(engine, "x:mentions") == fresh["id"]
    (gap,) = _gaps(engine)
    assert gap.source == "x:mentions" and not gap.backfilled
    assert abs(gap.start - snowflake_time(stale)) < timedelta(seconds=1)
    edge = now - timedelta(days=7) + WINDOW_MARGIN
    assert abs(gap.end - edge) < timedelta(seconds=30)
    assert "7 days" in gap.reason


def test_x__stale_since_id_with_nothing_new_moves_the_cursor_to_the_edge(
    engine: Engine, run_loop: RunLoop
) -> None:
    now = utcnow()
    stale = id_at(now - timedelta(days=30))
    with engine.begin() as conn:
        save_cursor(conn, "x:mentions", stale, now=now)
    fake = XFake(window=timedelta(days=7))
    with serve(fake) as server:
        src = _source(server.url, engine, stream=False)
        run_loop(src, lambda s: load_cursor(engine, "x:mentions") != stale, timeout=5)

    cursor = load_cursor(engine, "x:mentions")
    assert cursor is not None and cursor != stale
    assert abs(snowflake_time(cursor) - (now - timedelta(days=7) + WINDOW_MARGIN)) < timedelta(
        seconds=30
    )
    assert len(_gaps(engine)) == 1


def test_x__stream_down_is_backfilled_and_the_gap_marked(engine: Engine, run_loop: RunLoop) -> None:
    now = utcnow()
    before = tweet_at(now - timedelta(minutes=3))
    during = tweet_at(now - timedelta(minutes=1), "@brightloop while the stream was down")
    fake = XFake(stream_scripts=[[line(before)], [line(before)]], tweets=[before, during])
    fake.stream_drop = True
    with serve(fake) as server:
        src = _source(server.url, engine)
        run_loop(
            src, lambda s: s.stored >= 2 and bool(_gaps(engine)) and _gaps(engine)[0].backfilled
        )
        since = [r.arg("since_id") for r in server.requests if r.path.endswith("/recent")]

    rows = stored(engine)
    assert sorted(rows) == sorted([before["id"], during["id"]])  # each once
    assert before["id"] in since
    gap = _gaps(engine)[0]
    assert gap.backfilled and "stream was down" in gap.reason


def test_normalize__undated_tweet_takes_its_id_time_and_no_author_is_none() -> None:
    record = normalize_tweet({"id": "1578398451262214144", "text": "@brightloop hi"}, {})

    assert record.created_at.date().isoformat() == "2022-10-07"
    assert record.author.platform_id == "[no author]"
    assert record.url == "https://x.com/i/web/status/1578398451262214144"


def test_x__tweets_without_author_are_stored_apart_with_no_author(
    engine: Engine, run_loop: RunLoop
) -> None:
    now = utcnow()
    a = tweet_at(now - timedelta(minutes=5), "@brightloop one", user=None)
    b = tweet_at(now - timedelta(minutes=4), "@brightloop two", user=None)
    c = tweet_at(now - timedelta(minutes=3), "@brightloop three")
    del a["created_at"]
    fake = XFake(tweets=[a, b, c])
    with serve(fake) as server:
        run_loop(_source(server.url, engine, stream=False), lambda s: s.stored >= 3)

    rows = stored(engine)
    assert rows[a["id"]].author_id is None and rows[b["id"]].author_id is None
    assert rows[c["id"]].author_id is not None
    assert abs(rows[a["id"]].created_at - snowflake_time(a["id"])) < timedelta(milliseconds=1)
    assert rows[a["id"]].url == f"https://x.com/i/web/status/{a['id']}"
    assert rows[c["id"]].url == f"https://x.com/critic/status/{c['id']}"
