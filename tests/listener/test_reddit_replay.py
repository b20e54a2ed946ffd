"""Recorded Reddit polls replayed through the collector and the loop: each post stored once,
at its own time, under its own author; gaps recorded (and backfilled where search can)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.config import RedditSettings
from listener.loop import LoopStats
from listener.sources.reddit import RedditSource, make_reddit
from store.models import Author
from tests.fakes.http import FakeHTTPServer
from tests.fakes.reddit import RedditReplay
from tests.listener.conftest import stored

RunLoop = Callable[..., LoopStats]
FIXTURES = Path(__file__).parent.parent / "fixtures" / "reddit"


@pytest.fixture(autouse=True)
def _fast_prawcore(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("time.sleep", lambda s: None)


class Gaps:
    """Records gaps the way ``store.gaps.GapLog`` does, in memory."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def record(
        self, source: str, start: datetime, end: datetime, reason: str, *, backfilled: bool = False
    ) -> int:
        self.rows.append({"start": start, "end": end, "reason": reason, "backfilled": backfilled})
        return len(self.rows)

    def backfilled(self, gap_id: int) -> None:
        self.rows[gap_id - 1]["backfilled"] = True


def _authors(engine: Engine) -> dict[int | None, tuple[str, str]]:
    with Session(engine) as session:
        return {a.id: (a.platform_id, a.handle) for a in session.exec(select(Author))}


def _things(fixture: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every thing the replay holds, by fullname, in its last recorded state but undeleted."""
    things: dict[str, dict[str, Any]] = {}
    for poll in fixture["polls"]:
        for listing in (poll["listing"], poll.get("search")):
            for child in (listing or {"data": {"children": []}})["data"]["children"]:
                data = child["data"]
                if data["author"] != "[deleted]":
                    things.setdefault(data["name"], data)
    return things


@pytest.mark.parametrize(
    "name", ["comments_replay.json", "submissions_replay.json", "search_replay.json"]
)
def test_reddit_replay__each_post_once_with_its_time_and_author(
    name: str, engine: Engine, run_loop: RunLoop
) -> None:
    fixture = json.loads((FIXTURES / name).read_text())
    replay = RedditReplay(fixture["polls"])
    gaps = Gaps()
    with FakeHTTPServer(replay.route) as server:
        settings = RedditSettings(client_id="id", client_secret="s", api_base_url=server.url)
        src = RedditSource(
            make_reddit(settings),
            poll_interval=0,
            query="brightloop",
            gaps=gaps,
            **fixture["source"],
        )
        run_loop(src, lambda s: replay.served > len(fixture["polls"]) + 1)
    expect = fixture["expect"]
    rows = stored(engine)
    assert sorted(rows) == sorted(expect["stored"])
    things = _things(fixture)
    authors = _authors(engine)
    for fullname, row in rows.items():
        if fullname in expect["deleted"]:
            assert row.deleted and row.text == ""
            continue
        assert not row.deleted
        data = things[fullname]
        assert row.created_at == datetime.fromtimestamp(data["created_utc"], UTC)
        assert authors[row.author_id] == (data["author_fullname"], data["author"])
        assert row.url and row.url.startswith(f"https://www.reddit.com/r/{data['subreddit']}/")
    recorded = [
        {
            "start": g["start"].timestamp(),
            "end": g["end"].timestamp(),
            "backfilled": g["backfilled"],
        }
        for g in gaps.rows
    ]
    assert recorded == expect["gaps"]
