"""Recorded X v2 answers (tests/fixtures/x, in the documented shapes) replayed through the
collector: every tweet stored once, at its own time, under its own author (or none)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.clock import utcnow
from listener.loop import LoopStats
from listener.sources.x import XSource, build_rules, make_clients, snowflake_time
from store.gaps import GapLog, recent_gaps
from store.models import Author, Mention
from tests.fakes.x import point_at, replay, serve
from tests.listener.conftest import stored

RunLoop = Callable[..., LoopStats]
FIXTURES = Path(__file__).parents[1] / "fixtures" / "x"


@pytest.fixture(autouse=True)
def _fast_tweepy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tweepy.streaming.sleep", lambda s: None)


def _recorded(name: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The fixture, and every tweet it holds by id (stream lines and search pages alike)."""
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    tweets: dict[str, dict[str, Any]] = {}
    users: dict[str, dict[str, Any]] = {}
    for answer in data.get("search", []):
        for t in answer["body"].get("data", []):
            tweets[t["id"]] = t
        users |= {u["id"]: u for u in answer["body"].get("includes", {}).get("users", [])}
    for connection in data.get("stream", []):
        for raw in connection:
            msg = json.loads(raw) if raw.strip() else {}
            if "id" in (msg.get("data") or {}):
                tweets[msg["data"]["id"]] = msg["data"]
            users |= {u["id"]: u for u in msg.get("includes", {}).get("users", [])}
    return tweets, users


def _source(url: str, engine: Engine, *, stream: bool) -> XSource:
    client, streaming = make_clients("bearer-placeholder", use_stream=stream)
    point_at(client.session, url)
    if streaming is not None:
        point_at(streaming.session, url)
    rules = build_rules(["brightloop"], [])
    return XSource(client, streaming, rules, poll_seconds=1, gaps=GapLog(engine))


def _authors(engine: Engine) -> dict[int, Author]:
    with Session(engine) as s:
        return {a.id or 0: a for a in s.exec(select(Author)).all()}


def _check_each_stored_once_as_recorded(engine: Engine, name: str) -> dict[str, Mention]:
    tweets, users = _recorded(name)
    rows, authors = stored(engine), _authors(engine)
    assert sorted(rows) == sorted(tweets)  # each once: the unique key, no copies
    for tid, t in tweets.items():
        row = rows[tid]
        when = (
            datetime.fromisoformat(t["created_at"].replace("Z", "+00:00"))
            if "created_at" in t
            else snowflake_time(tid)
        )
        assert abs(row.created_at - when) < timedelta(seconds=1), tid  # its own time
        if "author_id" not in t:
            assert row.author_id is None, tid  # nobody's, never a shared placeholder
            assert row.url == f"https://x.com/i/web/status/{tid}"
            continue
        author = authors[row.author_id or 0]
        assert author.platform_id == t["author_id"], tid  # its own author
        user = users.get(t["author_id"])
        assert author.handle == (user["username"] if user else t["author_id"])
    return rows


def test_replay__recent_search(engine: Engine, run_loop: RunLoop) -> None:
    fake = replay(FIXTURES / "search_replay.json")
    with serve(fake) as server:
        stats = run_loop(_source(server.url, engine, stream=False), lambda s: not fake.search_pages)
    _check_each_stored_once_as_recorded(engine, "search_replay.json")
    assert stats.duplicates >= 1  # the tweet read again after the gap
    with engine.connect() as conn:
        (gap,) = recent_gaps(conn, since=utcnow() - timedelta(days=8))
    assert gap.start.year == 2020 and not gap.backfilled


def test_replay__mentions_timeline(engine: Engine, run_loop: RunLoop) -> None:
    fake = replay(FIXTURES / "mentions_replay.json")
    with serve(fake) as server:
        run_loop(_source(server.url, engine, stream=False), lambda s: not fake.search_pages)
    rows = _check_each_stored_once_as_recorded(engine, "mentions_replay.json")
    assert sum(1 for r in rows.values() if r.author_id is None) == 1
    with engine.connect() as conn:
        assert len(recent_gaps(conn, since=utcnow() - timedelta(days=8))) == 1


def test_replay__filtered_stream(engine: Engine, run_loop: RunLoop) -> None:
    fake = replay(FIXTURES / "stream_replay.json")
    tweets, _ = _recorded("stream_replay.json")
    with serve(fake) as server:
        stats = run_loop(
            _source(server.url, engine, stream=True),
            lambda s: s.stored >= len(tweets) and not fake.stream_scripts,
        )
    rows = _check_each_stored_once_as_recorded(engine, "stream_replay.json")
    deleted = [r for r in rows.values() if r.deleted]
    assert len(deleted) == 1 and deleted[0].text == ""
    assert stats.errors >= 1  # the operational disconnect
    with engine.connect() as conn:
        gaps = recent_gaps(conn, since=utcnow() - timedelta(days=1))
    assert gaps and gaps[-1].backfilled  # the time the stream was first down, searched again
