"""Mastodon collector against the loopback fake instance (SSE stream + REST)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from core.clock import FixedClock
from listener.loop import LoopStats
from listener.sources.mastodon import (
    MastodonHashtagSource,
    MastodonSearchSource,
    later,
    make_client,
    normalize_status,
)
from store.writer import load_cursor
from tests.fakes.http import Reply
from tests.fakes.mastodon import MastodonFake, serve, status, update
from tests.listener.conftest import Sleeps, stored

RunLoop = Callable[..., LoopStats]


def _source(url: str) -> MastodonHashtagSource:
    return MastodonHashtagSource(make_client(url, "token-placeholder"), "brightloop")


def test_mastodon__backfill_then_stream_with_deletion(engine: Engine, run_loop: RunLoop) -> None:
    fake = MastodonFake(
        statuses=[status(1), status(2), status(3, "nothing to do with us")],
        stream_scripts=[[update(status(4)), ("delete", "2"), update(status(5, "Brightloop 👍"))]],
    )
    with serve(fake) as server:
        src = _source(server.url)
        run_loop(src, lambda s: s.stored >= 4 and s.deleted >= 1)
    rows = stored(engine)
    assert sorted(rows) == ["1", "2", "4", "5"]
    assert rows["2"].deleted and rows["2"].text == ""
    assert rows["5"].text == "Brightloop 👍"
    assert load_cursor(engine, src.name) == "5"
    assert any(p.startswith("/api/v1/streaming/hashtag") for p in server.paths())


def test_mastodon__drop_mid_stream_backfills_from_cursor(engine: Engine, run_loop: RunLoop) -> None:
    posted_while_away = {**status(3), "_visible_from": 2}
    fake = MastodonFake(
        statuses=[status(1), posted_while_away], stream_scripts=[[update(status(2))]]
    )
    fake.stream_end = "drop"
    with serve(fake) as server:
        src = _source(server.url)
        stats = run_loop(src, lambda s: s.stored >= 3)
        min_ids = [r.arg("min_id") for r in server.requests if "timelines/tag" in r.path]
    assert sorted(stored(engine)) == ["1", "2", "3"]
    assert "2" in min_ids  # resumed from the last position, not from the start
    assert stats.errors >= 1


def test_mastodon__rate_limit_reset_header_respected(
    engine: Engine, run_loop: RunLoop, sleeps: Sleeps
) -> None:
    reset = str(int(time.time()) + 30)
    fake = MastodonFake(
        statuses=[status(1)],
        errors=[Reply(429, {"error": "Too many requests"}, headers={"X-RateLimit-Reset": reset})],
    )
    with serve(fake) as server:
        run_loop(_source(server.url), lambda s: s.stored >= 1)
    assert 25 <= sleeps.calls[0] <= 32
    assert sorted(stored(engine)) == ["1"]


def test_mastodon__server_error_retried(engine: Engine, run_loop: RunLoop, sleeps: Sleeps) -> None:
    fake = MastodonFake(statuses=[status(1)], errors=[Reply(503, {"error": "down"})] * 2)
    with serve(fake) as server:
        stats = run_loop(_source(server.url), lambda s: s.stored >= 1)
    assert stats.errors == 2 and len(sleeps.calls) >= 2
    assert sleeps.calls[1] >= sleeps.calls[0] * 0.5  # backoff, not a hot loop


def test_mastodon__malformed_event_repaired_by_backfill(engine: Engine, run_loop: RunLoop) -> None:
    late = {**status(3), "_visible_from": 2}  # the backfill after the broken stream finds it
    fake = MastodonFake(
        statuses=[status(1), status(2), late],
        stream_scripts=[[update(status(2)), ("update", '{"id": "3", broken'), update(status(3))]],
    )
    with serve(fake) as server:
        stats = run_loop(_source(server.url), lambda s: s.stored >= 3)
    assert sorted(stored(engine)) == ["1", "2", "3"]
    assert stats.errors >= 1


def test_mastodon__duplicates_and_out_of_order_once(engine: Engine, run_loop: RunLoop) -> None:
    script = [update(status(5)), update(status(4)), update(status(5)), update(status(4))]
    fake = MastodonFake(statuses=[status(4)], stream_scripts=[script])
    with serve(fake) as server:
        src = _source(server.url)
        stats = run_loop(src, lambda s: s.received >= 5 and s.stored >= 2)
    assert sorted(stored(engine)) == ["4", "5"]
    assert stats.duplicates >= 3
    assert load_cursor(engine, src.name) == "5"  # the older id never moves the cursor back


@pytest.mark.parametrize(
    "text",
    [
        "brightloop " + "é" * 40_000,
        "🔥🔥 #brightloop 👎🏽‍♀️",
        "‫لماذا لا يعمل brightloop‬",
        "bright\u200bloop &lt;script&gt;alert(1)&lt;/script&gt;",
    ],
)
def test_mastodon__hostile_text_stored_as_text(
    engine: Engine, run_loop: RunLoop, text: str
) -> None:
    fake = MastodonFake(statuses=[status(1, text)])
    with serve(fake) as server:
        run_loop(_source(server.url), lambda s: s.stored >= 1)
    stored_text = stored(engine)["1"].text
    assert stored_text[:200] == text.replace("&lt;", "<").replace("&gt;", ">")[:200]
    assert len(stored_text) <= 20_000 + len(" [truncated]")


def test_mastodon_search__polls_with_min_id(engine: Engine, run_loop: RunLoop) -> None:
    fake = MastodonFake(statuses=[status(10, "brightloop down"), status(11, "brightloop again")])
    with serve(fake) as server:
        src = MastodonSearchSource(make_client(server.url, "t"), "brightloop", poll_interval=5)

        def until(s: LoopStats) -> bool:
            if s.stored >= 2 and len(fake.statuses) == 2:
                fake.statuses.append(status(12, "still brightloop"))
            return s.stored >= 3

        run_loop(src, until)
        min_ids = [r.arg("min_id") for r in server.requests if r.path == "/api/v2/search"]
    assert sorted(stored(engine)) == ["10", "11", "12"]
    assert min_ids[0] is None and "11" in min_ids


def test_later__compares_ids_as_numbers() -> None:
    assert later("9", "10") == "10" and later(None, "3") == "3" and later("5", None) == "5"


def test_mastodon__post_between_backfill_and_subscription_is_kept(
    engine: Engine, run_loop: RunLoop
) -> None:
    """No gap for a post published between the backfill's last page and the subscription."""

    # Subscribed first, the stream carries what is published while the backfill pages run.
    fake = MastodonFake(statuses=[status(1)], stream_scripts=[[update(status(3))]])
    with serve(fake) as server:
        src = _source(server.url)
        run_loop(src, lambda s: s.stored >= 2)
        paths = list(server.paths())
    first_stream = next(i for i, p in enumerate(paths) if "/streaming/" in p)
    first_page = next(i for i, p in enumerate(paths) if "/timelines/tag/" in p)
    assert first_stream < first_page, "the stream must be subscribed before the backfill"
    assert sorted(stored(engine)) == ["1", "3"]


def test_normalize_status__an_undated_status_is_dated_by_the_given_clock() -> None:
    at = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)
    undated = {**status(5), "created_at": None}
    assert normalize_status(undated, clock=FixedClock(at)).created_at == at
    assert normalize_status(status(5), clock=FixedClock(at)).created_at != at
