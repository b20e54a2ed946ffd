"""Reddit collector against the loopback fake (praw pointed at it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from core.config import RedditSettings
from listener.loop import LoopStats
from listener.sources.reddit import RedditSource, make_reddit
from tests.fakes.http import Reply
from tests.fakes.reddit import RedditFake, comment, serve, submission
from tests.listener.conftest import Sleeps, stored

RunLoop = Callable[..., LoopStats]


@pytest.fixture(autouse=True)
def _fast_prawcore(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("time.sleep", lambda s: None)


def _reddit(url: str) -> Any:
    settings = RedditSettings(client_id="id", client_secret="secret", enabled=True)
    return make_reddit(settings, oauth_url=url, reddit_url=url)


def test_reddit__comments_matched_locally(engine: Engine, run_loop: RunLoop) -> None:
    fake = RedditFake(comments=[comment(1), comment(2, "unrelated"), comment(3, "Brightloop 😡")])
    with serve(fake) as server:
        run_loop(RedditSource(_reddit(server.url), "comments", "gadgets"), lambda s: s.stored >= 2)
    assert sorted(stored(engine)) == ["t1_c1", "t1_c3"]
    assert stored(engine)["t1_c1"].thread_id == "t3_p1"


def test_reddit__edit_and_removal_honoured(engine: Engine, run_loop: RunLoop) -> None:
    fake = RedditFake(comments=[comment(1), comment(2)])
    with serve(fake) as server:
        src = RedditSource(_reddit(server.url), "comments", "gadgets", poll_interval=1)

        def until(s: LoopStats) -> bool:
            if s.stored >= 2 and fake.comments[0]["data"]["edited"] is False:
                fake.comments = [
                    comment(1, "brightloop fixed it, thanks", edited=1772366500.0),
                    comment(2, "[removed]"),
                ]
            return s.edited >= 1 and s.deleted >= 1

        run_loop(src, until)
    rows = stored(engine)
    assert rows["t1_c1"].text == "brightloop fixed it, thanks" and rows["t1_c1"].edited_at
    assert rows["t1_c2"].deleted and rows["t1_c2"].text == ""


def test_reddit__search_and_submissions(engine: Engine, run_loop: RunLoop) -> None:
    fake = RedditFake(
        submissions=[submission(1), submission(2, "cats")],
        search=[submission(5, "Is brightloop down?", "x" * 50_000)],
    )
    with serve(fake) as server:
        reddit = _reddit(server.url)
        run_loop(RedditSource(reddit, "submissions", "gadgets"), lambda s: s.stored >= 1)
        run_loop(RedditSource(reddit, "search", "brightloop"), lambda s: s.stored >= 1)
    rows = stored(engine)
    assert sorted(rows) == ["t3_p1", "t3_p5"]
    assert rows["t3_p5"].text.endswith("[truncated]")


def test_reddit__429_and_5xx_back_off(engine: Engine, run_loop: RunLoop, sleeps: Sleeps) -> None:
    fake = RedditFake(
        comments=[comment(1)],
        errors=[Reply(429, {"message": "Too Many Requests"}, headers={"x-ratelimit-reset": "50"})]
        + [Reply(503, {"message": "down"})] * 3,
    )
    with serve(fake) as server:
        stats = run_loop(
            RedditSource(_reddit(server.url), "comments", "gadgets"), lambda s: s.stored >= 1
        )
    assert 45 <= sleeps.calls[0] <= 52
    assert stats.errors >= 2 and sorted(stored(engine)) == ["t1_c1"]


def test_reddit__duplicates_across_polls_once(engine: Engine, run_loop: RunLoop) -> None:
    fake = RedditFake(comments=[comment(2), comment(1), comment(2)])
    with serve(fake) as server:
        src = RedditSource(_reddit(server.url), "comments", "gadgets", poll_interval=0)
        stats = run_loop(src, lambda s: len(fake.listed) >= 4)
    assert sorted(stored(engine)) == ["t1_c1", "t1_c2"]
    assert stats.received == 2  # later polls re-list both: the seen window yields nothing again


def test_reddit__a_deleted_account_s_comment_has_no_author(
    engine: Engine, run_loop: RunLoop
) -> None:
    fake = RedditFake(
        comments=[
            comment(1, "brightloop is fine", author="[deleted]", author_fullname=None),
            comment(2, "brightloop is bad", author="[deleted]", author_fullname=None),
        ]
    )
    with serve(fake) as server:
        run_loop(RedditSource(_reddit(server.url), "comments", "gadgets"), lambda s: s.stored >= 2)
    rows = stored(engine)
    assert sorted(rows) == ["t1_c1", "t1_c2"]
    assert rows["t1_c1"].author_id is None and rows["t1_c2"].author_id is None
