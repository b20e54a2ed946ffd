"""Bluesky collector against the loopback Jetstream and AppView fakes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine

from listener.base import Fetched
from listener.loop import LoopStats
from listener.sources.bluesky import BlueskySource, time_us
from store.writer import load_cursor
from tests.fakes.bluesky import JetstreamFake, commit, delete, did, servers, tid
from tests.listener.conftest import MATCHER, stored

RunLoop = Callable[..., LoopStats]


def _uri(seq: int, user: str = "critic") -> str:
    return f"at://{did(user)}/app.bsky.feed.post/{tid(seq)}"


def _run(
    fake: JetstreamFake, run_loop: RunLoop, until: Callable[[LoopStats], bool]
) -> BlueskySource:
    ws, http = servers(fake)
    with ws, http:
        src = BlueskySource(ws.url + "/xrpc", http.url, MATCHER, reconnect_delay=lambda: 0.01)
        run_loop(src, until)
        src.profiles.close()
    return src


def test_bluesky__matching_posts_with_profiles(engine: Engine, run_loop: RunLoop) -> None:
    fake = JetstreamFake(
        scripts=[[commit(1), commit(2, "cats are nice"), commit(3, "#BrightLoop ✨", user="fan")]]
    )
    src = _run(fake, run_loop, lambda s: s.stored >= 2)
    rows = stored(engine)
    assert sorted(rows) == sorted([_uri(1), _uri(3, "fan")])
    assert len(fake.profile_calls) == 1 and len(fake.profile_calls[0]) == 2  # one batch
    assert load_cursor(engine, src.name) == str(time_us("2026-03-01T12:00:03Z"))


def test_bluesky__drop_then_resume_with_rewound_cursor(engine: Engine, run_loop: RunLoop) -> None:
    fake = JetstreamFake(scripts=[[commit(1)], [commit(1), commit(2)]], end="drop")
    _run(fake, run_loop, lambda s: s.stored >= 2)
    assert sorted(stored(engine)) == sorted([_uri(1), _uri(2)])
    assert len(fake.cursors) >= 2 and fake.cursors[0] is None and fake.cursors[1] is not None


def test_bluesky__restart_resumes_from_time_us(engine: Engine, run_loop: RunLoop) -> None:
    _run(JetstreamFake(scripts=[[commit(1), commit(2)]]), run_loop, lambda s: s.stored >= 2)
    again = JetstreamFake(scripts=[[commit(2), commit(3)]])
    _run(again, run_loop, lambda s: s.stored >= 1)
    expected = time_us("2026-03-01T12:00:02Z") - 5_000_000  # type: ignore[operator]
    assert again.cursors[0] == str(expected)
    assert sorted(stored(engine)) == sorted(_uri(i) for i in (1, 2, 3))


def test_bluesky__deletion_purges(engine: Engine, run_loop: RunLoop) -> None:
    fake = JetstreamFake(scripts=[[commit(1), commit(2), delete(3, of=1)]])
    _run(fake, run_loop, lambda s: s.stored >= 2 and s.deleted >= 1)
    rows = stored(engine)
    assert rows[_uri(1)].deleted and rows[_uri(1)].text == ""
    assert not rows[_uri(2)].deleted


def test_bluesky__malformed_frame_skipped(engine: Engine, run_loop: RunLoop) -> None:
    fake = JetstreamFake(scripts=[[commit(1), '{"$type": "message", "payl', "[1,2]", commit(2)]])
    _run(fake, run_loop, lambda s: s.stored >= 2)
    assert sorted(stored(engine)) == sorted([_uri(1), _uri(2)])


def test_bluesky__duplicates_and_out_of_order_once(engine: Engine, run_loop: RunLoop) -> None:
    # Jetstream's seq only grows: a replayed seq is dropped by the client, a post replayed
    # under a new seq (another instance) is dropped by the seen set; created times disorder.
    replayed = json.loads(commit(5))
    replayed["payload"]["rkey"] = tid(1)
    script = [commit(3), commit(3), commit(4), json.dumps(replayed), commit(1)]
    fake = JetstreamFake(scripts=[script])
    _run(fake, run_loop, lambda s: s.stored >= 3)
    assert sorted(stored(engine)) == sorted(_uri(i) for i in (1, 3, 4))


def test_bluesky__profile_lookup_failure_keeps_post(engine: Engine, run_loop: RunLoop) -> None:
    fake = JetstreamFake(scripts=[[commit(1)]], profile_errors=5)
    _run(fake, run_loop, lambda s: s.stored >= 1)
    row = stored(engine)[_uri(1)]
    assert row.text == "brightloop broke again"


@pytest.mark.parametrize(
    "text",
    ["brightloop " + "字" * 30_000, "‮brightloop‬ 😡😡", "bright\u200bloop\u200d is down 👩‍👩‍👧"],
)
def test_bluesky__hostile_text(engine: Engine, run_loop: RunLoop, text: str) -> None:
    fake = JetstreamFake(scripts=[[commit(1, text)]])
    _run(fake, run_loop, lambda s: s.stored >= 1)
    assert stored(engine)[_uri(1)].text[:100] == text[:100]


def _first_post_after(src: BlueskySource) -> tuple[float, Fetched]:
    """Seconds from connecting until ``fetch`` yields its first post, and that item."""
    began = time.monotonic()
    for item in src.fetch(None):
        if item.record is not None:
            return time.monotonic() - began, item
    raise AssertionError("the stream ended without a post")


def test_bluesky__post_by_a_cached_author_is_not_held() -> None:
    fake = JetstreamFake(scripts=[[commit(1)]])
    ws, http = servers(fake)
    with ws, http:
        src = BlueskySource(ws.url + "/xrpc", http.url, MATCHER, profile_wait_s=30.0)
        src.profiles.get_many([did("critic")])  # the author was seen before
        try:
            took, item = _first_post_after(src)
        finally:
            src.close()
            src.profiles.close()
    assert took < 10.0  # not the 30 s lookup window
    assert item.record is not None and item.record.author.followers == 42
    assert len(fake.profile_calls) == 1  # no second lookup


def test_bluesky__new_authors_share_one_lookup_within_the_window() -> None:
    fake = JetstreamFake(scripts=[[commit(1), commit(2, user="fan"), commit(3, user="other")]])
    ws, http = servers(fake)
    with ws, http:
        src = BlueskySource(ws.url + "/xrpc", http.url, MATCHER, profile_wait_s=0.4)
        try:
            took, _ = _first_post_after(src)
        finally:
            src.close()
            src.profiles.close()
    assert 0.4 <= took < 10.0  # held for the window, then released without more posts
    assert len(fake.profile_calls) == 1 and len(fake.profile_calls[0]) == 3
