"""A listener killed with SIGKILL mid-stream and started again stores every mention once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from store.engine import make_engine
from store.migrate import upgrade
from store.models import Mention
from tests.fakes.http import FakeHTTPServer, Reply, Request, sse
from tests.fakes.mastodon import MastodonFake, status, update

N = 300
_MAIN = "import sys; from critic2fan.cli import main; sys.exit(main(sys.argv[1:]))"
RATE = 100.0  # statuses published per second


class Publishing(MastodonFake):
    """Publishes ``N`` statuses over time; streams and timelines show what is out so far."""

    def __init__(self) -> None:
        super().__init__(statuses=[])
        self.all = [status(i, f"#brightloop complaint {i} 🔥") for i in range(1, N + 1)]
        self.started: float | None = None  # publishing starts when a listener first connects
        self.lock = threading.Lock()

    def published(self) -> int:
        if self.started is None:
            return 0
        return min(N, int((time.monotonic() - self.started) * RATE))

    def route(self, req: Request) -> Reply:
        with self.lock:
            if self.started is None and req.path.startswith("/api/v1/streaming/hashtag"):
                self.started = time.monotonic()
            self.statuses = self.all[: self.published()]
        if req.path.startswith("/api/v1/streaming/hashtag"):
            return Reply(
                headers={"Content-Type": "text/event-stream"}, stream=self._live(), hold=60
            )
        return super().route(req)

    def _live(self) -> Iterator[bytes]:
        sent = self.published()
        while sent < N:
            now = self.published()
            if now > sent:
                yield from sse(update(s) for s in self.all[sent:now])
                sent = now
            time.sleep(0.01)


def _start(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", _MAIN, "listen", "--source", "mastodon", "--no-status"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _stored(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            return list(s.exec(select(Mention.external_id)).scalars())  # type: ignore[call-overload]
    finally:
        engine.dispose()


def _wait(url: str, at_least: int, timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    ids = _stored(url)
    while len(ids) < at_least and time.monotonic() < deadline:
        time.sleep(0.1)
        ids = _stored(url)
    return ids


@pytest.mark.slow
def test_crash__sigkill_mid_stream_then_restart_stores_each_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    fake = Publishing()
    with FakeHTTPServer(fake.route) as server:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CRITIC2FAN_")},
            "CRITIC2FAN_DATABASE_URL": url,
            "CRITIC2FAN_SOURCES__MASTODON__API_BASE_URL": server.url,
            "CRITIC2FAN_SOURCES__MASTODON__ACCESS_TOKEN": "token-placeholder",
            "CRITIC2FAN_SOURCES__MASTODON__HASHTAGS": '["brightloop"]',
            "CRITIC2FAN_SOURCES__MASTODON__POLL_SECONDS": "1",
            "CRITIC2FAN_BRAND__KEYWORDS": '["#brightloop"]',
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        }
        first = _start(env)
        try:
            before = _wait(url, 40, timeout=60)
            assert 0 < len(before) < N, "the kill must land mid-stream"
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        second = _start(env)
        try:
            after = _wait(url, N, timeout=90)
            second.send_signal(signal.SIGTERM)
            code = second.wait(30)
            log = (second.stderr.read() if second.stderr else b"")[-3000:].decode(errors="replace")
            assert code == 0, log
        finally:
            if second.poll() is None:
                second.kill()
    expected = sorted(str(i) for i in range(1, N + 1))
    assert sorted(after) == expected, log
    assert len(after) == len(set(after))
