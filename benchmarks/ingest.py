"""Bulk ingest of synthetic mentions into SQLite: the batched writer vs one ORM insert each.

Prints one JSON object (last line) with ``rate_per_s`` (batched writer, dedup included) and
``speedup_vs_naive`` (against an ORM add + commit per mention, timed on a sample in the
same run).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.records import AuthorRecord, MentionRecord  # noqa: E402
from store.engine import make_engine, session_scope  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.models import Author, Mention  # noqa: E402
from store.writer import write_batch  # noqa: E402

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def synthetic(n: int, *, authors: int = 5_000) -> list[MentionRecord]:
    """``n`` mentions from a pool of ``authors`` (with a few exact duplicates)."""
    out = []
    for i in range(n):
        a = i % authors
        out.append(
            MentionRecord(
                source="mastodon",
                external_id=str(i),
                author=AuthorRecord(
                    platform="mastodon", platform_id=f"u{a}", handle=f"user{a}", followers=a
                ),
                text=f"brightloop broke again, ticket {i} 🔥 still waiting",
                created_at=T0 + timedelta(seconds=i),
                lang="en",
            )
        )
    return out


def batched(url: str, records: list[MentionRecord], batch: int) -> float:
    engine = make_engine(url)
    start = time.perf_counter()
    for i in range(0, len(records), batch):
        write_batch(engine, records[i : i + batch], cursor=("bench", str(i)))
    write_batch(engine, records[:batch])  # replayed batch: dedup by the store
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def naive(url: str, records: list[MentionRecord]) -> float:
    engine = make_engine(url)
    start = time.perf_counter()
    authors: dict[str, int] = {}
    for r in records:
        with session_scope(engine) as s:
            aid = authors.get(r.author.platform_id)
            if aid is None:
                author = Author(
                    platform=r.author.platform,
                    platform_id=r.author.platform_id,
                    handle=r.author.handle,
                )
                s.add(author)
                s.flush()
                aid = authors[r.author.platform_id] = int(author.id or 0)
            s.add(Mention(source=r.source, external_id=r.external_id, author_id=aid, text=r.text,
                          created_at=r.created_at, lang=r.lang))  # fmt: skip
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20,000 mentions instead of 100,000")
    parser.add_argument("--batch", type=int, default=5_000)
    args = parser.parse_args()
    n = 20_000 if args.quick else 100_000
    sample = 1_000 if args.quick else 2_000
    records = synthetic(n)
    with tempfile.TemporaryDirectory() as tmp:
        fast_url, slow_url = f"sqlite:///{tmp}/fast.db", f"sqlite:///{tmp}/slow.db"
        for url in (fast_url, slow_url):
            upgrade(make_engine(url))
        fast = batched(fast_url, records, args.batch)
        slow = naive(slow_url, records[:sample])
        engine = make_engine(fast_url)
        with engine.connect() as conn:
            from sqlalchemy import func, select

            stored = conn.execute(select(func.count()).select_from(Mention)).scalar_one()
        engine.dispose()
    rate = n / fast
    naive_rate = sample / slow
    print(
        json.dumps(
            {
                "mentions": n,
                "stored": stored,
                "batch": args.batch,
                "seconds": round(fast, 3),
                "rate_per_s": round(rate),
                "naive_sample": sample,
                "naive_rate_per_s": round(naive_rate),
                "speedup_vs_naive": round(rate / naive_rate, 1),
                "targets": {"rate_per_s": 20_000, "speedup_vs_naive": 20},
            }
        )
    )


if __name__ == "__main__":
    main()
