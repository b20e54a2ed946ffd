"""Publish-to-board latency: how long a critic's post takes to reach the board's queue.

A loopback fake Bluesky Jetstream (and AppView, for profiles) publishes posts at a steady
50 a second into ``critic2fan run`` (a subprocess: listener, the real default scorer, the
playbook runner), on SQLite and on a throw-away PostgreSQL. Every post is a distinct critic's
negative mention of the brand, so each opens its own case. For each post the clock runs
from the fake platform's send to the moment the board's queue query
(:data:`QUEUE_QUERY`) returns its case with a score and a stage; the whole queue is read
every :data:`POLL_S` seconds (100 ms: a figure is late by half that on average), and
``queue_read_ms`` says what one read cost. ``stages`` splits the time by
the rows' own stamps: publish to stored (listener), stored to scored (scorer), scored to
seen on the board (the playbook runner and the queue read).

Prints one JSON object (last line): per database ``p50_s``, ``p95_s``, ``max_s``, ``mentions``
and ``lost`` (posts whose case never reached the queue within ``SETTLE_S`` of the last send;
must be 0). Warm-up posts go first (model load and first batches are not counted). The target
is a p95 under 2 s on both databases.

    python benchmarks/latency.py            # 1,500 posts per database
    python benchmarks/latency.py --quick    # 300
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sqlalchemy.engine import Connection, Engine  # noqa: E402
from websockets.sync.server import ServerConnection  # noqa: E402

from store.board import fetch_queue  # noqa: E402
from store.engine import make_engine  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from tests.fakes.bluesky import JetstreamFake, commit  # noqa: E402
from tests.fakes.http import FakeHTTPServer  # noqa: E402
from tests.fakes.ws import FakeWebSocketServer  # noqa: E402
from tests.pgserver import PostgresServer, find_pg_bin  # noqa: E402

#: The board's queue query: ``fetch(conn, *, limit) -> rows`` with ``text``, ``stage`` and
#: ``sentiment``. Adjust this (and its import) when the query moves.
QUEUE_QUERY = fetch_queue

RATE = 50.0
POLL_S = 0.1
SETTLE_S = 30.0
TARGET_P95_S = 2.0
#: Negative posts the bundled model reads as negative (p_negative >= 0.9), so cases open.
TEXTS = (
    "brightloop is the worst internet provider, down again for the third day",
    "my brightloop bill doubled and nobody answers the phone, terrible service",
    "brightloop support is useless, waited two hours and got disconnected",
    "so angry at brightloop, the outage ruined my whole work day",
    "brightloop keeps dropping my connection every evening, awful",
    "never signing up with brightloop again, worst customer service ever",
    "brightloop charged me twice this month and refuses to refund, disgusting",
    "the brightloop router is garbage, slow and constantly rebooting",
    "third technician visit and brightloop still has not fixed my line, pathetic",
    "brightloop wifi died again during my exam, absolutely furious",
    "cancelled brightloop after months of outages and broken promises",
)
_TICKET = re.compile(r"\(ticket (\d+)\)\s*$")
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}


def say(message: str) -> None:
    """Progress on stderr (stdout's last line is the JSON result)."""
    print(message, file=sys.stderr, flush=True)


def post_text(key: int) -> str:
    """A distinct negative post; the ticket number names it on the board."""
    return f"{TEXTS[key % len(TEXTS)]} (ticket {key})"


def _frame(key: int) -> str:
    """A Jetstream post commit by critic ``key``, stamped now."""
    data = json.loads(commit(key + 1, post_text(key), user=f"critic{key:06d}"))
    now = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    payload = data["payload"]
    payload["time"] = payload["witnessed_at"] = payload["record"]["createdAt"] = now
    return json.dumps(data)


class PacedJetstream:
    """A fake Jetstream: the first connection gets the posts :meth:`publish` asks for, paced."""

    def __init__(self) -> None:
        self.sent: dict[int, float] = {}
        self.sent_wall: dict[int, float] = {}
        self.connected = threading.Event()
        self._plans: queue.Queue[tuple[list[int], float]] = queue.Queue()
        self._done = threading.Event()
        self.server = FakeWebSocketServer(self._handle, subprotocols=["xrpc.v1.json"])

    def publish(self, keys: Sequence[int], rate: float) -> None:
        """Send ``keys`` at ``rate`` a second; returns at once (see :meth:`wait_sent`)."""
        self._done.clear()
        self._plans.put((list(keys), rate))

    def wait_sent(self, timeout: float) -> None:
        """Block until the last :meth:`publish` has been sent."""
        if not self._done.wait(timeout):
            raise TimeoutError("the fake Jetstream did not finish publishing")

    def _handle(self, conn: ServerConnection, _path: str) -> None:
        if self.connected.is_set():  # a reconnect: the posts went to the first connection
            return
        self.connected.set()
        while not self.server.stopping.is_set():
            try:
                keys, rate = self._plans.get(timeout=0.1)
            except queue.Empty:
                continue
            start = time.monotonic()
            for n, key in enumerate(keys):
                wait = start + n / rate - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                conn.send(_frame(key))
                self.sent[key] = time.monotonic()
                self.sent_wall[key] = time.time()
            self._done.set()

    def __enter__(self) -> PacedJetstream:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)


class QueueWatch:
    """Reads the board's queue every ``poll_s``; remembers when each ticket first showed up
    with a score and a stage."""

    def __init__(
        self, engine: Engine, limit: int, fetch: Callable[..., list[Any]], poll_s: float = POLL_S
    ) -> None:
        self.engine, self.limit, self.fetch, self.poll_s = engine, limit, fetch, poll_s
        self.seen: dict[int, float] = {}
        self.seen_wall: dict[int, float] = {}
        self.read_s: list[float] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="queue-watch", daemon=True)

    def _run(self) -> None:
        try:
            while not self.stop.is_set():
                began = time.monotonic()
                with self.engine.connect() as conn:
                    rows = self._read(conn)
                now, wall = time.monotonic(), time.time()
                self.read_s.append(now - began)
                for row in rows:
                    match = _TICKET.search(row.text or "")
                    if match and row.sentiment is not None and row.stage:
                        key = int(match.group(1))
                        if key not in self.seen:
                            self.seen[key], self.seen_wall[key] = now, wall
                self.stop.wait(max(0.0, began + self.poll_s - time.monotonic()))
        except BaseException as exc:  # reported by wait_for, not lost in a thread
            self.error = exc

    def _read(self, conn: Connection) -> list[Any]:
        return list(self.fetch(conn, limit=self.limit))

    def wait_for(self, keys: Sequence[int], timeout: float) -> bool:
        """True once every key was seen; False after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.error is not None:
                raise RuntimeError(f"reading the queue failed: {self.error}") from self.error
            if all(k in self.seen for k in keys):
                return True
            time.sleep(0.05)
        return False

    def __enter__(self) -> QueueWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._thread.join(10)


def start_run(url: str, jetstream: str, appview: str, folder: Path) -> subprocess.Popen[bytes]:
    """``critic2fan run`` listening to Bluesky only, configured by environment."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "PYTHONWARNINGS": "ignore",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "CRITIC2FAN_CONFIG": str(folder / "critic2fan.toml"),
        "CRITIC2FAN_DATABASE_URL": url,
        "CRITIC2FAN_SOURCES__BLUESKY__ENABLED": "true",
        "CRITIC2FAN_SOURCES__BLUESKY__JETSTREAM_URL": jetstream,
        "CRITIC2FAN_SOURCES__BLUESKY__APPVIEW_URL": appview,
    }
    (folder / "critic2fan.toml").write_text("")
    cli = Path(sys.executable).with_name("critic2fan")
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "critic2fan.cli"]
    log = (folder / "run.log").open("wb")
    return subprocess.Popen(
        [*command, "run", "--source", "bluesky"],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop_run(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a clean pipeline shutdown), then SIGKILL if it hangs."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def stage_times(
    engine: Engine, sent: dict[int, float], seen: dict[int, float]
) -> dict[str, dict[str, float | None]]:
    """Where the time went, from the rows' own stamps (wall clock): publish -> stored
    (listener), stored -> scored (scorer), scored -> seen on the board (the playbook runner
    and the queue read; a case's own times are the mention's, not the runner's)."""
    from sqlalchemy import select

    from store.models import Mention, Score

    m: Any = Mention.__table__.c  # type: ignore[attr-defined]
    sc: Any = Score.__table__.c  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(
            select(m.text, m.fetched_at, sc.scored_at).join(Score, sc.mention_id == m.id)
        ).all()
    parts: dict[str, list[float]] = {"listener": [], "scorer": [], "playbook_and_board": []}
    for text, fetched_at, scored_at in rows:
        match = _TICKET.search(text or "")
        key = int(match.group(1)) if match else -1
        if key in sent and key in seen:
            parts["listener"].append(fetched_at.timestamp() - sent[key])
            parts["scorer"].append((scored_at - fetched_at).total_seconds())
            parts["playbook_and_board"].append(seen[key] - scored_at.timestamp())
    return {
        name: {"p50_s": _seconds(values, 50), "p95_s": _seconds(values, 95)}
        for name, values in parts.items()
    }


def _seconds(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 3) if values else None


def measure(
    url: str,
    *,
    mentions: int,
    rate: float = RATE,
    warmup: int = 20,
    settle_s: float = SETTLE_S,
    start_timeout_s: float = 600.0,
) -> dict[str, Any]:
    """Latency from publish to the board's queue for ``mentions`` posts at ``rate`` a second
    through ``critic2fan run`` on the (empty) database at ``url``."""
    engine = make_engine(url)
    upgrade(engine)
    warm = list(range(warmup))
    timed = list(range(warmup, warmup + mentions))
    with (
        tempfile.TemporaryDirectory(prefix="critic2fan-latency-") as tmp,
        PacedJetstream() as jetstream,
        FakeHTTPServer(JetstreamFake().appview) as appview,
        QueueWatch(engine, limit=warmup + mentions + 50, fetch=QUEUE_QUERY) as watch,
    ):
        folder = Path(tmp)
        proc = start_run(url, jetstream.server.url, appview.url, folder)
        try:
            deadline = time.monotonic() + start_timeout_s
            while not jetstream.connected.wait(0.2):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (folder / "run.log").read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"critic2fan run did not connect:\n{log}")
            jetstream.publish(warm, rate)
            if not watch.wait_for(warm, timeout=300):
                log = (folder / "run.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the warm-up posts never reached the queue:\n{log}")
            say(f"  warm; publishing {mentions} posts at {rate:g}/s")
            jetstream.publish(timed, rate)
            jetstream.wait_sent(mentions / rate + 60)
            watch.wait_for(timed, timeout=settle_s)
        finally:
            stop_run(proc)
    stages = stage_times(engine, {k: jetstream.sent_wall[k] for k in timed}, watch.seen_wall)
    engine.dispose()
    latencies = [watch.seen[k] - jetstream.sent[k] for k in timed if k in watch.seen]
    return {
        "p50_s": _seconds(latencies, 50),
        "p95_s": _seconds(latencies, 95),
        "max_s": round(max(latencies), 3) if latencies else None,
        "mentions": mentions,
        "lost": mentions - len(latencies),
        "stages": stages,
        "queue_read_ms": {
            "p50": round(float(np.percentile(watch.read_s, 50)) * 1000, 1),
            "max": round(max(watch.read_s) * 1000, 1),
            "last": round(watch.read_s[-1] * 1000, 1),  # the whole queue, every case open
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 posts per database")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        action="append",
        help="only this database (repeat; default: both)",
    )
    args = parser.parse_args()
    mentions = 300 if args.quick else 1_500
    result: dict[str, Any] = {
        "benchmark": "latency",
        "quick": args.quick,
        "rate_per_s": RATE,
        "poll_s": POLL_S,
        "target_p95_s": TARGET_P95_S,
    }
    loads = {"start": round(os.getloadavg()[0], 2)}
    for database in args.database or ["sqlite", "postgresql"]:
        say(f"{database}: critic2fan run, {mentions} posts at {RATE:g}/s")
        if database == "sqlite":
            with tempfile.TemporaryDirectory(prefix="critic2fan-latency-db-") as tmp:
                result[database] = measure(f"sqlite:///{tmp}/latency.db", mentions=mentions)
        else:
            bin_dir = find_pg_bin()
            if bin_dir is None:
                raise SystemExit("PostgreSQL server binaries not found: make system-deps")
            server = PostgresServer(bin_dir).init()
            try:
                result[database] = measure(server.url, mentions=mentions)
            finally:
                server.destroy()
        loads[f"after_{database}"] = round(os.getloadavg()[0], 2)
    result.update(load_avg_1m=loads, cpus=os.cpu_count())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
