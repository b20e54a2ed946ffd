"""Scoring speed and memory: ``python benchmarks/scoring.py [--quick]``.

Measured in one run, on the bundled Brightloop sample texts:

- ``naive_per_s``: a one-at-a-time ``transformers.pipeline("feature-extraction")`` on the same
  MiniLM weights (fp32), run in a child process so it does not inflate our memory figure, in
  rounds alternating with ours so both see the same machine load (medians reported);
- ``throughput_per_s``: the default scorer (int8 ONNX encoder, one text per run on each core,
  text cache, heads, language gate) over the sample stream in batches of 64, cache cold at
  start; the naive baseline reads every fifth text of the same stream;
- ``throughput_unique_per_s``: the same on texts made unique (no cache hits at all);
- ``speedup_vs_naive``: ``throughput_per_s / naive_per_s`` (and the unique-text variant);
- ``p95_ms`` / ``p50_ms``: stored-to-scored latency while mentions are inserted into SQLite at a
  steady 50/s and ``run_worker`` scores them (micro-batches, ``max_wait_ms`` 50);
- ``peak_rss_mb``: this process's peak resident memory (scorer, worker, database).

Prints one JSON object as its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
warnings.filterwarnings("ignore")

THREADS = 2


def sample_texts() -> list[str]:
    """The sample mentions' texts, in stream order (duplicates and pile-ons included)."""
    path = ROOT / "sample" / "mentions.jsonl"
    texts = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                texts.append(str(json.loads(line).get("text") or ""))
    return texts


def naive_texts(n: int) -> list[str]:
    """``n`` texts spread evenly over the stream the scorer reads (same length mix)."""
    texts = sample_texts()[: 5 * n]
    step = max(1, len(texts) // n)
    return texts[::step][:n]


def naive_server(n: int) -> None:
    """Child process: load a plain pipeline, then time ``n`` one-at-a-time texts per 'go' line."""
    import torch
    from transformers import pipeline

    from scoring.encoder import default_model_path

    torch.set_num_threads(THREADS)
    texts = naive_texts(n)
    pipe = pipeline("feature-extraction", model=str(default_model_path()), device="cpu")
    pipe(texts[0])
    print("ready", flush=True)
    for _line in sys.stdin:
        start = time.perf_counter()
        for text in texts:
            pipe(text, truncation=True)
        print(json.dumps({"naive_per_s": len(texts) / (time.perf_counter() - start)}), flush=True)


class NaiveChild:
    """The naive baseline in its own process (its fp32 model must not count in our memory),
    driven round by round so naive and optimised runs alternate under the same machine load."""

    def __init__(self, n: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--naive-only", str(n)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        while self.proc.stdout.readline().strip() != "ready":
            if self.proc.poll() is not None:
                raise RuntimeError("the naive baseline process failed to start")

    def round(self) -> float:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        return float(json.loads(self.proc.stdout.readline())["naive_per_s"])

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def throughput(scorer: Any, texts: list[str], batch: int = 64) -> float:
    from scoring.base import TextInput

    scorer.clear_cache()
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        scorer.score([TextInput(t) for t in texts[i : i + batch]])
    return len(texts) / (time.perf_counter() - start)


def steady_latency(scorer: Any, texts: list[str], seconds: float, rate: float = 50.0) -> dict:
    """Insert at ``rate``/s while ``run_worker`` scores; stored-to-scored latency in ms."""
    from sqlalchemy import select

    from scoring.worker import run_worker
    from store.engine import make_engine, session_scope
    from store.migrate import upgrade
    from store.models import Author, Mention, Score

    scorer.clear_cache()
    folder = tempfile.mkdtemp(prefix="c2f-bench-")
    engine = make_engine(f"sqlite:///{folder}/bench.db")
    upgrade(engine)
    with session_scope(engine) as s:
        authors = [Author(platform="x", platform_id=str(i), handle=f"a{i}") for i in range(200)]
        s.add_all(authors)
    with session_scope(engine) as s:
        author_ids = [a.id for a in s.exec(select(Author)).scalars()]
    stop = threading.Event()
    worker = threading.Thread(
        target=run_worker, args=(engine, scorer), kwargs={"stop": stop, "max_wait_ms": 50}
    )
    worker.start()
    stored: dict[int, datetime] = {}
    total = int(seconds * rate)
    t0 = time.perf_counter()
    base = datetime.now(UTC)
    for i in range(total):
        due = t0 + i / rate
        time.sleep(max(0.0, due - time.perf_counter()))
        with session_scope(engine) as s:
            m = Mention(
                source="x",
                external_id=str(i),
                author_id=author_ids[i % len(author_ids)],
                text=texts[i % len(texts)],
                created_at=base + timedelta(seconds=i / rate),
            )
            s.add(m)
            s.flush()
            stored[m.id] = datetime.now(UTC)  # type: ignore[index]
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        with session_scope(engine) as s:
            done = {r.mention_id: r.scored_at for r in s.exec(select(Score)).scalars()}
        if len(done) >= total:
            break
        time.sleep(0.1)
    stop.set()
    worker.join(timeout=30)
    lat = sorted((done[k] - stored[k]).total_seconds() * 1000 for k in stored if k in done)
    engine.dispose()
    return {
        "p50_ms": round(statistics.median(lat), 1),
        "p95_ms": round(lat[int(0.95 * (len(lat) - 1))], 1),
        "latency_samples": len(lat),
        "unscored": total - len(lat),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer texts, shorter steady run")
    parser.add_argument("--naive-only", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_only:
        naive_server(args.naive_only)
        return
    from scoring.default import DefaultScorer

    texts = sample_texts()
    n_naive = 64 if args.quick else 150
    rounds = 2 if args.quick else 3
    child = NaiveChild(n_naive)
    scorer = DefaultScorer(threads=THREADS)
    throughput(scorer, texts[:64])  # warm
    stream = texts if not args.quick else texts[:320]
    unique = [f"{t} #{i}" for i, t in enumerate(stream)]
    naive_rates, rates, unique_rates = [], [], []
    try:
        for _ in range(rounds):  # alternate so both see the same machine load
            naive_rates.append(child.round())
            rates.append(throughput(scorer, stream))
            unique_rates.append(throughput(scorer, unique))
    finally:
        child.close()
    naive_rate = statistics.median(naive_rates)
    rate = statistics.median(rates)
    rate_unique = statistics.median(unique_rates)
    latency = steady_latency(scorer, texts, seconds=8 if args.quick else 20)
    result = {
        "quick": args.quick,
        "texts": len(stream),
        "naive_per_s": round(naive_rate, 1),
        "throughput_per_s": round(rate, 1),
        "throughput_unique_per_s": round(rate_unique, 1),
        "speedup_vs_naive": round(rate / naive_rate, 2),
        "speedup_unique_vs_naive": round(rate_unique / naive_rate, 2),
        "rounds": {
            "naive": [round(r, 1) for r in naive_rates],
            "ours": [round(r, 1) for r in rates],
        },
        **latency,
        "steady_rate_per_s": 50,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "threads": THREADS,
        "model": f"{scorer.model_name} {scorer.model_version}",
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
