"""Many workers on one PostgreSQL: exactly-once under a SIGKILL, 1-vs-2 scorer scaling, ingest.

Starts a throw-away PostgreSQL 15 on a loopback port (Debian's ``postgresql`` binaries) and
prints one JSON object (last line):

* ``exactly_once``: three scorer processes (the real worker loop, a fast fake model) over
  50,000 mentions (``--quick``: 10,000), one SIGKILLed mid-batch; true when every mention has
  exactly one score row.
* ``scaling_1_to_2``: throughput of two ``critic2fan score --worker --threads 1`` processes over
  one, with the real default model (``load_scorer(ModelSettings(threads=1))``) and
  OMP_NUM_THREADS=1, measured back to back on the same mentions. Each run starts its workers,
  waits until the model is loaded and warmed up, then inserts the mentions at once and times
  until the last is scored. The ratio shows the queue's design, not a thread pool.
  ``cpu_ms_per_mention`` (the workers' CPU time per mention) shows whether a lower ratio
  came from the design (more CPU per mention with two) or from a busy machine (the same).
  ``cores_used`` (rate x CPU per mention) says how much CPU the workers actually got: two
  workers that got one core between them ran on a busy machine. ``scaling_cpu_bound`` is the
  ratio two free cores would give (2 x the CPU per mention of one over that of two).
  Without ``--quick`` the runs go 1, 2, 2, 1 and the rates are averaged.
* ``pg_ingest_per_s``: bulk ingest through ``store.writer.write_batch`` (batches of 1,000 with
  their cursor, dedup by the store).

``load_avg_1m`` records ``os.getloadavg()`` around each timed part: other work on the machine
lowers the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from core.records import AuthorRecord, MentionRecord  # noqa: E402
from store.engine import make_engine  # noqa: E402
from store.models import Author, Mention, Score  # noqa: E402
from store.writer import write_batch  # noqa: E402
from tests.pgserver import PostgresServer, find_pg_bin  # noqa: E402
from tests.workers.helpers import (  # noqa: E402
    leases_held_by,
    reset_schema,
    score_rows_per_mention,
    scored_count,
    seed_mentions,
    start_workers,
    stop_workers,
    wait_for,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}


def say(message: str) -> None:
    """Progress on stderr (stdout's last line is the JSON result)."""
    print(message, file=sys.stderr, flush=True)


def load() -> float:
    return round(os.getloadavg()[0], 2)


# -- ingest ------------------------------------------------------------------------------------
def ingest_records(n: int) -> list[MentionRecord]:
    """``n`` mentions from 5,000 authors, one a second."""
    return [
        MentionRecord(
            source="mastodon",
            external_id=str(i),
            author=AuthorRecord(platform="mastodon", platform_id=f"u{i % 5000}", handle=f"u{i}"),
            text=f"brightloop broke again, ticket {i} still waiting",
            created_at=T0 + timedelta(seconds=i),
            lang="en",
        )
        for i in range(n)
    ]


def pg_ingest(engine: Engine, n: int, batch: int = 1_000) -> float:
    """Mentions per second through the batched writer into PostgreSQL."""
    reset_schema(engine)
    records = ingest_records(n)
    start = time.perf_counter()
    for i in range(0, n, batch):
        write_batch(engine, records[i : i + batch], cursor=("bench", str(i)))
    elapsed = time.perf_counter() - start
    assert _count(engine, Mention) == n
    return n / elapsed


# -- exactly once ------------------------------------------------------------------------------
def exactly_once(engine: Engine, url: str, n: int, folder: Path) -> dict[str, object]:
    """Three fake-model workers, one killed with SIGKILL while it holds a batch."""
    reset_schema(engine)
    ids = seed_mentions(engine, n)
    start = time.perf_counter()
    workers = start_workers(url, 3, folder, "--lease-seconds", "2", "--batch-size", "500")
    victim = workers[0]
    try:
        wait_for(lambda: scored_count(engine) >= n // 4, timeout=120, what="a quarter")
        wait_for(lambda: leases_held_by(engine, victim.pid) > 0, timeout=20, interval=0.005)
        os.kill(victim.pid, signal.SIGKILL)
        victim.proc.wait(10)
        stranded = leases_held_by(engine, victim.pid)
        wait_for(lambda: scored_count(engine) >= n, timeout=300, what="every mention")
        elapsed = time.perf_counter() - start
    finally:
        stop_workers(workers)
    per_mention = score_rows_per_mention(engine)
    ok = sorted(per_mention) == ids and set(per_mention.values()) == {1}
    return {"ok": ok, "mentions": n, "stranded_by_kill": stranded, "seconds": round(elapsed, 1)}


# -- scaling with the real model ---------------------------------------------------------------
def sample_texts() -> list[str]:
    path = ROOT / "sample" / "mentions.jsonl"
    with path.open(encoding="utf-8") as fh:
        return [str(json.loads(line).get("text") or "") for line in fh if line.strip()]


def add_real_mentions(engine: Engine, n: int, start: int, texts: list[str]) -> None:
    """Insert ``n`` sample-like mentions (distinct texts, 200 authors) in one transaction."""
    with engine.begin() as conn:
        author_ids = list(conn.execute(select(Author.id).order_by(Author.id)).scalars())
        if not author_ids:
            conn.execute(
                insert(Author),
                [{"platform": "x", "platform_id": str(a), "handle": f"u{a}", "is_brand": False,
                  "first_seen": T0, "last_seen": T0} for a in range(200)],
            )  # fmt: skip
            author_ids = list(conn.execute(select(Author.id).order_by(Author.id)).scalars())
        rows = [
            {"source": "x", "external_id": str(i), "author_id": author_ids[i % len(author_ids)],
             "text": f"{texts[i % len(texts)]} ({i})", "lang": "en",
             "created_at": T0 + timedelta(seconds=10 * i), "fetched_at": T0, "deleted": False}
            for i in range(start, start + n)
        ]  # fmt: skip
        conn.execute(insert(Mention), rows)


def real_workers(url: str, count: int, folder: Path) -> list[tuple[subprocess.Popen[bytes], Path]]:
    """``count`` ``critic2fan score --worker`` processes, one compute thread each."""
    cli = Path(sys.executable).with_name("critic2fan")
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "critic2fan.cli"]
    env = {**os.environ, **ONE_THREAD, "PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "PYTHONWARNINGS": "ignore"}  # fmt: skip
    out = []
    for n in range(count):
        log = folder / f"real{count}-{n}.log"
        with log.open("wb") as handle:
            proc = subprocess.Popen(
                [*command, "--db", url, "score", "--worker", "--threads", "1",
                 "--lease-seconds", "120"],
                cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
            )  # fmt: skip
        out.append((proc, log))
    return out


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes used so far (Linux ``/proc``)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def scoring_rate(
    engine: Engine, url: str, workers: int, n: int, folder: Path
) -> tuple[float, float]:
    """Mentions per second scored by ``workers`` real scorer processes, model load excluded,
    and the workers' CPU milliseconds per mention."""
    reset_schema(engine)
    texts = sample_texts()
    procs = real_workers(url, workers, folder)
    try:
        for proc, log in procs:
            wait_for(
                lambda p=proc, lg=log: (
                    "worker running" in lg.read_text(errors="replace") or p.poll() is not None
                ),
                timeout=300,
                interval=0.2,
                what="the model to load",
            )
            if proc.poll() is not None:
                raise RuntimeError(f"a scorer exited: {log.read_text(errors='replace')[-2000:]}")
        warm = 64 * workers
        add_real_mentions(engine, warm, 0, texts)
        wait_for(lambda: _count(engine, Score) >= warm, timeout=300, what="the warm-up batch")
        pids = [proc.pid for proc, _ in procs]
        cpu = _cpu_seconds(pids)
        start = time.perf_counter()
        add_real_mentions(engine, n, warm, texts)
        wait_for(lambda: _count(engine, Score) >= warm + n, timeout=900, interval=0.05)
        rate = n / (time.perf_counter() - start)
        return rate, (_cpu_seconds(pids) - cpu) * 1000 / n
    finally:
        for proc, _ in procs:
            proc.send_signal(signal.SIGTERM)
        for proc, _ in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def _count(engine: Engine, table: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer mentions (about a minute)")
    args = parser.parse_args()
    n_fake = 10_000 if args.quick else 50_000
    n_real = 600 if args.quick else 3_000
    n_ingest = 20_000 if args.quick else 100_000

    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL server binaries not found: make system-deps")
    server = PostgresServer(bin_dir).init()
    result: dict[str, object] = {"benchmark": "workers", "quick": args.quick}
    try:
        engine = make_engine(server.url)
        with tempfile.TemporaryDirectory(prefix="critic2fan-bench-") as tmp:
            folder = Path(tmp)
            loads = {"start": load()}
            say(f"ingest: {n_ingest} mentions through write_batch")
            result["pg_ingest_per_s"] = round(pg_ingest(engine, n_ingest))
            say(f"exactly once: 3 workers, {n_fake} mentions, one SIGKILLed")
            once = exactly_once(engine, server.url, n_fake, folder)
            result["exactly_once"] = once["ok"]
            result["exactly_once_run"] = once
            loads["before_scaling"] = load()
            order = [1, 2] if args.quick else [1, 2, 2, 1]
            say(f"scaling: real model, {order} processes, {n_real} mentions each")
            runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
            for count in order:
                runs[count].append(scoring_rate(engine, server.url, count, n_real, folder))
                loads[f"after_{count}_workers_{len(runs[count])}"] = load()
        engine.dispose()
        one = sum(r for r, _ in runs[1]) / len(runs[1])
        two = sum(r for r, _ in runs[2]) / len(runs[2])
        cpu1 = sum(c for _, c in runs[1]) / len(runs[1])
        cpu2 = sum(c for _, c in runs[2]) / len(runs[2])
        result.update(
            scaling_1_to_2=round(two / one, 2),
            scaling_cpu_bound=round(2 * cpu1 / cpu2, 2),
            cores_used={
                "one_worker": round(one * cpu1 / 1000, 2),
                "two_workers": round(two * cpu2 / 1000, 2),
            },  # fmt: skip
            scoring_per_s={"one_worker": round(one, 1), "two_workers": round(two, 1)},
            cpu_ms_per_mention={"one_worker": round(cpu1, 2), "two_workers": round(cpu2, 2)},
            scaling_order=order,
            scaling_mentions=n_real,
            scaling_target=1.6,
            load_avg_1m=loads,
            cpus=os.cpu_count(),
        )
    finally:
        server.destroy()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
