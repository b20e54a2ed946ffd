"""Shared pieces of the fault tests: bulk seeding, worker processes, the exactly-once check."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine

from store.models import Author, Mention, Score
from tests.pgserver import PostgresServer
from tests.workers.fake_scorer_worker import MODEL_NAME, MODEL_VERSION

REPO = Path(__file__).resolve().parents[2]
BASE_TIME = datetime(2026, 11, 1, tzinfo=UTC)
#: Rows per executemany call when seeding (one round trip batch each).
SEED_CHUNK = 10_000


def reset_schema(engine: Engine) -> None:
    """Drop everything in ``public`` and migrate to head: a fresh, empty PostgreSQL database."""
    from store.migrate import upgrade

    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)


def seed_mentions(engine: Engine, count: int, *, authors: int = 500) -> list[int]:
    """Insert ``count`` mentions (one a minute, spread over ``authors``) with Core executemany.

    Spreading the posts in time keeps the scorer's behaviour look-back windows small, so the
    tests measure the queue, not a pile-on scan over 50,000 rows at one instant.
    """
    with engine.begin() as conn:
        conn.execute(
            insert(Author),
            [
                {"platform": "x", "platform_id": str(a), "handle": f"user{a}", "is_brand": False,
                 "first_seen": BASE_TIME, "last_seen": BASE_TIME}
                for a in range(authors)
            ],
        )  # fmt: skip
        author_ids = list(conn.execute(select(Author.id).order_by(Author.id)).scalars())
        for start in range(0, count, SEED_CHUNK):
            rows = [
                {"source": "x", "external_id": str(i), "author_id": author_ids[i % authors],
                 "text": f"post {_letters(i)} about the brand", "lang": "en",
                 "created_at": BASE_TIME + timedelta(minutes=i), "fetched_at": BASE_TIME,
                 "deleted": False}
                for i in range(start, min(count, start + SEED_CHUNK))
            ]  # fmt: skip
            conn.execute(insert(Mention), rows)
        return list(conn.execute(select(Mention.id).order_by(Mention.id)).scalars())


def _letters(n: int) -> str:
    """``n`` spelled in letters: texts stay distinct after the pile-on normaliser drops digits."""
    out = ""
    while True:
        n, r = divmod(n, 26)
        out += chr(ord("a") + r)
        if n == 0:
            return out


def scored_count(engine: Engine, version: str = MODEL_VERSION) -> int:
    """Score rows written by the fake model so far."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(Score)
                .where(Score.model_name == MODEL_NAME, Score.model_version == version)
            ).scalar_one()
        )


def score_rows_per_mention(engine: Engine, version: str = MODEL_VERSION) -> dict[int, int]:
    """How many fake-model score rows each mention has."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Score.mention_id, func.count())
            .where(Score.model_name == MODEL_NAME, Score.model_version == version)
            .group_by(Score.mention_id)
        ).all()
    return {int(mid): int(n) for mid, n in rows}


def leases_held_by(engine: Engine, pid: int) -> int:
    """Unreleased work leases of the worker process ``pid``."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM worklease WHERE worker LIKE :pat"),
                {"pat": f"%:{pid}:%"},
            ).scalar_one()
        )


@dataclass
class WorkerProc:
    """A fake-scorer worker process and the file its output goes to."""

    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_workers(url: str, count: int, log_dir: Path, *extra: str) -> list[WorkerProc]:
    """Start ``count`` fake-scorer worker processes against ``url``."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    workers = []
    for n in range(count):
        log = log_dir / f"worker{n}.log"
        handle = log.open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.workers.fake_scorer_worker", "--db", url, *extra],
            cwd=REPO,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        handle.close()
        workers.append(WorkerProc(proc, log))
    return workers


def stop_workers(workers: Sequence[WorkerProc], timeout: float = 20.0) -> list[int | None]:
    """SIGTERM every live worker, wait for it; SIGKILL what does not stop. Return codes."""
    for w in workers:
        if w.proc.poll() is None:
            w.proc.send_signal(signal.SIGTERM)
    codes: list[int | None] = []
    for w in workers:
        try:
            codes.append(w.proc.wait(timeout))
        except subprocess.TimeoutExpired:
            w.proc.kill()
            w.proc.wait(5)
            codes.append(None)
    return codes


def ensure_running(server: PostgresServer) -> None:
    """Start ``server`` again if a failed test left it stopped (nothing listens on its port)."""
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", server.port)) == 0:
            return
    server.start()


def wait_for(
    condition: Callable[[], bool],
    *,
    timeout: float,
    interval: float = 0.1,
    what: str = "",
    workers: Sequence[WorkerProc] = (),
) -> None:
    """Poll ``condition`` until true; fail with ``what`` (and the workers' output) on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    tails = "\n".join(f"--- worker {w.pid}:\n{w.output()[-2000:]}" for w in workers)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}\n{tails}")
