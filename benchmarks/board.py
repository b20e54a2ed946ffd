"""Board queue speed on a large database: ``python benchmarks/board.py [--quick] [--db PATH]``.

Builds a SQLite database of 1,000,000 mentions (``--quick``: 100,000) from 200,000 authors
(skewed: a few write a lot), a score per mention, and cases for 15% of the authors (40% of
them open) with a few events each, using batched executemany inserts (Core for the small
tables, plain driver tuples for mentions and scores). Then measures:

- ``queue_query_ms``: one page (50 rows) of the open queue, highest priority first (median);
- ``queue_filtered_ms``: the same with source and stage filters;
- ``count_open_ms``: the "n of N" count;
- ``uses_index``: SQLite's plan walks ``ix_case_queue`` and scans no big table in full;
- ``queue_page_ms``: the whole queue page rendered by ``AppTest`` (median of warm runs).

Prints one JSON object as its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from core.stages import OPEN_STAGES  # noqa: E402
from core.stages import STAGES as ALL_STAGES  # noqa: E402
from store.board import (  # noqa: E402
    QueueFilters,
    count_open,
    explain_queue,
    fetch_queue,
    full_scans,
)
from store.engine import make_engine  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.models import Author, Case, CaseEvent  # noqa: E402

BATCH = 50_000
SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"
SOURCES = ("x", "reddit", "bluesky", "mastodon")
TOPICS = ("billing", "outage", "support", "pricing", "general")
STAGES = tuple(stage for stage in ALL_STAGES if stage in OPEN_STAGES)
WORDS = ("app", "broke", "again", "sync", "billing", "refund", "support", "slow", "login")


def _batches(rows: Any, size: int = BATCH) -> Any:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def build(engine: Engine, n_mentions: int, seed: int = 7) -> dict[str, int]:
    """Fill the database; return the row counts."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    n_authors = max(1_000, n_mentions // 5)
    start = now - timedelta(days=90)
    author_t = Author.__table__
    with engine.begin() as conn:
        for batch in _batches(
            {
                "id": i,
                "platform": SOURCES[i % 4],
                "platform_id": f"u{i}",
                "handle": f"user{i}",
                "display_name": f"User {i}",
                "followers": int(rng.paretovariate(1.2) * 50),
                "is_brand": False,
                "first_seen": start,
                "last_seen": now,
            }
            for i in range(1, n_authors + 1)
        ):
            conn.execute(insert(author_t), batch)
    # a skewed author for each mention: a few people write a lot
    author_of = [
        min(n_authors, int(rng.paretovariate(0.9)))
        if rng.random() < 0.2
        else rng.randint(1, n_authors)
        for _ in range(n_mentions)
    ]
    # the two big tables go in as driver-level executemany of plain tuples (timestamps in
    # SQLite's stored text form), which is several times faster than per-row type processing
    stamp = (now.replace(tzinfo=None)).strftime(SQLITE_TS)
    t0 = start.replace(tzinfo=None)
    step = 90 * 86_400 / n_mentions
    with engine.begin() as conn:
        for lo in range(0, n_mentions, BATCH):
            rows = [
                (
                    i + 1,
                    SOURCES[author_of[i] % 4],
                    f"m{i}",
                    author_of[i],
                    " ".join(rng.choices(WORDS, k=12)),
                    (t0 + timedelta(seconds=i * step)).strftime(SQLITE_TS),
                    stamp,
                    0,
                )
                for i in range(lo, min(lo + BATCH, n_mentions))
            ]
            conn.exec_driver_sql(
                "INSERT INTO mention (id, source, external_id, author_id, text, created_at,"
                " fetched_at, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        for lo in range(0, n_mentions, BATCH):
            conn.exec_driver_sql(
                "INSERT INTO score (mention_id, model_name, model_version, sentiment_label,"
                " p_negative, p_neutral, p_positive, sentiment, toxicity, troll_likelihood,"
                " troll_reasons, language_supported, scored_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_score(rng, i, stamp) for i in range(lo + 1, min(lo + BATCH, n_mentions) + 1)],
            )
    last_mention: dict[int, int] = {}
    for i, a in enumerate(author_of):
        last_mention[a] = i + 1
    critics = rng.sample(sorted(last_mention), k=int(len(last_mention) * 0.15))
    cases, events = [], []
    for case_id, author_id in enumerate(critics, start=1):
        is_open = rng.random() < 0.4
        opened = start + timedelta(days=rng.uniform(0, 89))
        cases.append(
            {
                "id": case_id,
                "author_id": author_id,
                "topic": rng.choice(TOPICS),
                "source": SOURCES[author_id % 4],
                "stage": rng.choice(STAGES) if is_open else rng.choice(("fan", "walk_away")),
                "is_open": is_open,
                "priority": rng.random() * 10,
                "sla_due": now + timedelta(minutes=rng.randint(-120, 600)),
                "assignee": rng.choice((None, None, "alice", "bob", "lena")),
                "opened_at": opened,
                "updated_at": opened,
                "goodwill_spent": 0.0,
                "incident": False,
                "latest_mention_id": last_mention[author_id],
                "state": {},
            }
        )
        for k in range(rng.randint(1, 3)):
            events.append(
                {
                    "case_id": case_id,
                    "at": opened + timedelta(minutes=30 * k),
                    "kind": ("opened", "reply", "stage")[k],
                    "actor": "engine" if k != 1 else "user:alice",
                    "data": {},
                }
            )
    with engine.begin() as conn:
        for batch in _batches(cases):
            conn.execute(insert(Case.__table__), batch)
        for batch in _batches(events):
            conn.execute(insert(CaseEvent.__table__), batch)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return {
        "mentions": n_mentions,
        "authors": n_authors,
        "cases": len(cases),
        "open_cases": sum(1 for c in cases if c["is_open"]),
        "events": len(events),
    }


def _score(rng: random.Random, mention_id: int, stamp: str) -> tuple[Any, ...]:
    neg = rng.random()
    pos = (1 - neg) * rng.random()
    troll = rng.random() ** 4
    label = "negative" if neg > 0.5 else "neutral"
    reasons = '["insulting words"]' if troll > 0.5 else "[]"
    return (
        mention_id,
        "bench",
        "1",
        label,
        neg,
        1 - neg - pos,
        pos,
        pos - neg,
        troll,
        troll,
        reasons,
        1,
        stamp,
    )


def median_ms(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of ``fn`` in milliseconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 2)


def page_ms(url: str, runs: int) -> float:
    """Median time for AppTest to render the queue page, signed in as a lead."""
    from streamlit.testing.v1 import AppTest

    from dashboard.auth import StaffUser, add_user

    # the board re-reads the signed-in account on every run, so it must exist
    add_user(
        make_engine(url),
        username="lena",
        password="benchmark-only",  # noqa: S106 (a throwaway database)
        role="lead",
        display_name="Lena",
    )
    os.environ["CRITIC2FAN_DATABASE_URL"] = url
    at = AppTest.from_file(str(ROOT / "critic2fan" / "board" / "app.py"), default_timeout=120)
    at.session_state["board_user"] = StaffUser("lena", "Lena", "lead")

    def run() -> None:
        at.run()
        assert not at.exception, at.exception
        assert len(at.dataframe[0].value) == 50

    return median_ms(run, runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 mentions instead of 1M")
    parser.add_argument("--db", type=Path, help="Database file (default: a temporary one)")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    n = 100_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="critic2fan-bench-") as tmp:
        path = args.db or Path(tmp) / "board.db"
        if path.exists():
            path.unlink()
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        upgrade(engine)
        t0 = time.perf_counter()
        counts = build(engine, n)
        build_s = time.perf_counter() - t0
        filtered = QueueFilters(sources=("x", "reddit"), stages=("acknowledge",))
        with engine.connect() as conn:
            q_ms = median_ms(lambda: fetch_queue(conn, limit=50), args.runs)
            f_ms = median_ms(lambda: fetch_queue(conn, filtered, limit=50), args.runs)
            c_ms = median_ms(lambda: count_open(conn), args.runs)
        plans = [explain_queue(engine), explain_queue(engine, filtered)]
        uses_index = all(
            any("ix_case_queue" in step for step in plan) and not full_scans(plan) for plan in plans
        )
        p_ms = page_ms(url, max(3, args.runs // 4))
        engine.dispose()
    result = {
        "benchmark": "board",
        **counts,
        "build_s": round(build_s, 1),
        "mentions_per_s_insert": round(n / build_s),
        "queue_query_ms": q_ms,
        "queue_filtered_ms": f_ms,
        "count_open_ms": c_ms,
        "target_queue_query_ms": 100,
        "uses_index": uses_index,
        "plan": plans[0],
        "queue_page_ms": p_ms,
    }
    print(json.dumps(result))
    return 0 if uses_index and q_ms < 100 else 1


if __name__ == "__main__":
    sys.exit(main())
