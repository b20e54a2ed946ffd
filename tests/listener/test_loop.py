"""The shared stream loop, driven by a scripted in-memory source."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

import listener.loop as loop_module
from core.clock import utcnow
from core.errors import SourceAuthError, SourceRateLimited, SourceUnavailable
from listener.base import Fetched, deletion_notice
from listener.loop import LoopStats, SeenIds, StreamLoop
from store.writer import WriteResult, load_cursor, write_batch
from tests.listener.conftest import Sleeps, make_record, stored


class Scripted:
    """Each ``fetch`` plays the next script: a list of items and/or an exception to raise."""

    name = "mastodon:test"
    platform = "mastodon"
    prefiltered = False

    def __init__(self, scripts: list[list[object]], poll_interval: float | None = None) -> None:
        self.scripts = scripts
        self.poll_interval = poll_interval
        self.cursors: list[str | None] = []
        self.closed = threading.Event()

    def fetch(self, cursor: str | None) -> Iterator[Fetched]:
        self.cursors.append(cursor)
        if not self.scripts:  # like a quiet connection: nothing until closed
            self.closed.wait(5)
            return
        script = self.scripts.pop(0)
        for step in script:
            if isinstance(step, BaseException):
                raise step
            assert isinstance(step, Fetched)
            yield step

    def close(self) -> None:
        self.closed.set()


def _f(i: int, text: str = "brightloop is broken", **kw: object) -> Fetched:
    return Fetched(make_record(i, text), position=str(i), **kw)  # type: ignore[arg-type]


RunLoop = Callable[..., LoopStats]


def test_loop__stores_matching_posts_and_saves_cursor(engine: Engine, run_loop: RunLoop) -> None:
    src = Scripted([[_f(1), _f(2, "nothing to see"), _f(3, "#BrightLoop rocks")]])
    stats = run_loop(src, lambda s: s.received == 3 and not s.running or s.stored == 2)
    assert sorted(stored(engine)) == ["1", "3"]
    assert stats.matched == 2
    assert load_cursor(engine, src.name) == "3"


def test_loop__drop_mid_stream_resumes_from_last_position(
    engine: Engine, run_loop: RunLoop, sleeps: Sleeps
) -> None:
    src = Scripted([[_f(1), _f(2), SourceUnavailable("connection reset")], [_f(3)]])
    stats = run_loop(src, lambda s: s.stored == 3)
    assert sorted(stored(engine)) == ["1", "2", "3"]
    assert src.cursors[:2] == [None, "2"]
    assert stats.errors == 1 and "connection reset" in (stats.last_error or "")
    assert sleeps.calls and all(c > 0 for c in sleeps.calls)


def test_loop__rate_limit_waits_until_reset(
    engine: Engine, run_loop: RunLoop, sleeps: Sleeps
) -> None:
    reset = utcnow() + timedelta(seconds=42)
    src = Scripted([[SourceRateLimited("slow down", reset_at=reset)], [_f(1)]])
    run_loop(src, lambda s: s.stored == 1)
    assert 40 <= sleeps.calls[0] <= 44


def test_loop__auth_error_stops_the_source(engine: Engine, run_loop: RunLoop) -> None:
    src = Scripted([[SourceAuthError("401 bad token")], [_f(1)]])
    stats = run_loop(src, lambda s: False, timeout=5)
    assert stats.stored == 0 and "bad token" in (stats.last_error or "")
    assert len(src.cursors) == 1


def test_loop__duplicates_and_out_of_order_stored_once(engine: Engine, run_loop: RunLoop) -> None:
    src = Scripted([[_f(3), _f(1), _f(3), _f(2), _f(1)]])
    stats = run_loop(src, lambda s: s.received == 5 and s.stored == 3)
    assert sorted(stored(engine)) == ["1", "2", "3"]
    assert stats.duplicates >= 2


def test_loop__deletion_before_post_never_stores_text(engine: Engine, run_loop: RunLoop) -> None:
    notice = Fetched(deletion_notice("mastodon", "5"), position="5")
    src = Scripted([[_f(4), notice, _f(5, "brightloop secret")]])
    run_loop(src, lambda s: s.received == 3 and s.stored >= 1)
    assert "5" not in stored(engine) and "4" in stored(engine)


def test_loop__malformed_frame_counted_not_fatal(engine: Engine, run_loop: RunLoop) -> None:
    src = Scripted([[_f(1), Fetched(None, "1b", problem="not valid JSON"), _f(2)]])
    stats = run_loop(src, lambda s: s.stored == 2)
    assert stats.errors == 1 and stats.last_error == "not valid JSON"
    assert load_cursor(engine, src.name) == "2"


def test_loop__polling_source_waits_between_polls(
    engine: Engine, run_loop: RunLoop, sleeps: Sleeps
) -> None:
    src = Scripted([[_f(1)], [], [_f(2)]], poll_interval=30.0)
    run_loop(src, lambda s: s.stored == 2)
    assert sleeps.calls[:2] == [30.0, 30.0]
    assert src.cursors[:3] == [None, "1", "1"]


def test_loop__resumes_from_saved_cursor(engine: Engine, run_loop: RunLoop) -> None:
    run_loop(Scripted([[_f(1), _f(2)]]), lambda s: s.stored == 2)
    again = Scripted([[_f(3)]])
    run_loop(again, lambda s: s.stored == 1)
    assert again.cursors[0] == "2"


def test_loop__detects_language_and_brand_author(engine: Engine, run_loop: RunLoop) -> None:
    text = "El servicio de brightloop es terrible y nadie responde a mis mensajes"
    src = Scripted([[_f(1, text)]])
    run_loop(src, lambda s: s.stored == 1)
    row = stored(engine)["1"]
    assert row.lang == "es" and row.lang_confidence is not None and row.lang_confidence >= 0.6


def test_seen_ids__bounded_forgets_oldest() -> None:
    seen = SeenIds(3)
    assert all(seen.add(k) for k in "abcd")
    assert "a" not in seen and "d" in seen
    assert not seen.add("d")


class Trickle:
    """A push stream that sends a matching post every ``every`` seconds until closed."""

    name = "mastodon:trickle"
    platform = "mastodon"
    poll_interval: float | None = None
    prefiltered = False

    def __init__(self, every: float) -> None:
        self.every = every
        self.closed = threading.Event()

    def fetch(self, cursor: str | None) -> Iterator[Fetched]:
        i = 0
        while not self.closed.wait(self.every):
            i += 1
            yield _f(i)

    def close(self) -> None:
        self.closed.set()


def _loop_in_thread(loop: StreamLoop) -> threading.Thread:
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    return thread


def _wait_until(check: Callable[[], bool], timeout: float) -> float:
    """Seconds until ``check()`` held (fails the test after ``timeout``)."""
    began = time.monotonic()
    while not check():
        assert time.monotonic() - began < timeout, "timed out"
        time.sleep(0.005)
    return time.monotonic() - began


def test_loop__quiet_stream_writes_at_once_with_its_cursor(engine: Engine) -> None:
    src = Scripted([[_f(1)]])  # one post, then a connection that stays open and silent
    loop = StreamLoop(src, engine, detect_lang=False, flush_seconds=10.0, quiet_seconds=0.02)
    began = time.monotonic()
    thread = _loop_in_thread(loop)
    try:
        _wait_until(lambda: loop.stats.stored == 1, timeout=5.0)
        assert time.monotonic() - began < 2.0  # not the 10 s flush_seconds
        assert load_cursor(engine, src.name) == "1"  # the same transaction
    finally:
        loop.stop()
        thread.join(10)


def test_loop__busy_stream_groups_posts_into_few_writes(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[int] = []

    def counting(engine: Engine, batch: list[object], **kw: object) -> WriteResult:
        writes.append(len(batch))
        return write_batch(engine, batch, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(loop_module, "write_batch", counting)
    src = Scripted([[_f(i) for i in range(1, 41)]])  # all at once: never 0.5 s apart
    loop = StreamLoop(src, engine, detect_lang=False, flush_seconds=10.0, quiet_seconds=0.5)
    thread = _loop_in_thread(loop)
    try:
        _wait_until(lambda: loop.stats.stored == 40, timeout=5.0)
        assert writes == [40]
        assert load_cursor(engine, src.name) == "40"
    finally:
        loop.stop()
        thread.join(10)


def test_loop__stream_that_never_goes_quiet_is_written_within_flush_seconds(
    engine: Engine,
) -> None:
    src = Trickle(every=0.02)  # busier than quiet_seconds: only flush_seconds ends a batch
    loop = StreamLoop(src, engine, detect_lang=False, flush_seconds=0.3, quiet_seconds=0.2)
    thread = _loop_in_thread(loop)
    try:
        first = _wait_until(lambda: loop.stats.stored >= 1, timeout=5.0)
        assert first < 2.0
        assert not src.closed.is_set()  # the stream was still sending
    finally:
        loop.stop()
        thread.join(10)
    assert sorted(stored(engine), key=int) == [str(i) for i in range(1, loop.stats.received + 1)]
