"""The shared stream loop, driven by a scripted in-memory source."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

from sqlalchemy.engine import Engine

from core.clock import utcnow
from core.errors import SourceAuthError, SourceRateLimited, SourceUnavailable
from listener.base import Fetched, deletion_notice
from listener.loop import LoopStats, SeenIds
from store.writer import load_cursor
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
