"""Export benchmark: 1,000,000 mentions (``--quick``: 100,000) to Parquet and CSV.

Builds a temporary SQLite database with raw ``executemany`` inserts (one score per mention,
a case for one author in five), or reuses one (``--db``, e.g. kept by ``--keep-db``); with
``--postgres`` copies it into a throw-away local PostgreSQL server. Then it runs each export in a
child process so its peak RSS is the export's own (``VmHWM`` from
``/proc/self/status``). Prints one JSON object as its last line: ``parquet_s``, ``csv_s``,
their CPU seconds (all threads; less sensitive to a busy machine), ``peak_rss_mb`` (the larger
of the two runs), the targets, and the load average seen at the start and at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_PARQUET_S = 5.0
TARGET_CSV_S = 10.0
TARGET_PEAK_RSS_MB = 400.0
BATCH = 50_000
WORDS = [
    "refund",
    "broken",
    "late",
    "order",
    "support",
    "love",
    "hate",
    "app",
    "crash",
    "thanks",
    "again",
    "never",
    "ever",
]


def _ts(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite storage format


def build(db: Path, mentions: int) -> float:
    """Create and fill the database; return the seconds it took."""
    from store.engine import make_engine
    from store.migrate import upgrade

    started = time.perf_counter()
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    rng = random.Random(7)
    authors = max(1, mentions // 20)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    now = _ts(base)
    raw = engine.raw_connection()
    try:
        cur: Any = raw.cursor()  # sqlite3 accepts any iterable of rows
        cur.execute("PRAGMA synchronous=OFF")
        cur.executemany(
            "INSERT INTO author (id, platform, platform_id, handle, display_name, followers,"
            " is_brand, first_seen, last_seen) VALUES (?,?,?,?,?,?,0,?,?)",
            (
                (a, "x", f"p{a}", f"user_{a}", f"User {a}", rng.randint(0, 10**5), now, now)
                for a in range(1, authors + 1)
            ),
        )
        for start in range(1, mentions + 1, BATCH):
            ids = range(start, min(start + BATCH, mentions + 1))
            created = [_ts(base + timedelta(seconds=i * 3)) for i in ids]
            cur.executemany(
                "INSERT INTO mention (id, source, external_id, author_id, text, lang, url,"
                " created_at, fetched_at, deleted) VALUES (?,?,?,?,?,?,?,?,?,0)",
                (
                    (
                        i,
                        ("x", "reddit", "bluesky", "mastodon")[i % 4],
                        f"e{i}",
                        1 + i % authors,
                        " ".join(rng.choices(WORDS, k=12)) + (" =SUM(A1)" if i % 50 == 0 else ""),
                        "en",
                        f"https://x.example/s/{i}",
                        c,
                        c,
                    )
                    for i, c in zip(ids, created, strict=True)
                ),
            )
            cur.executemany(
                "INSERT INTO score (mention_id, model_name, model_version, sentiment_label,"
                " p_negative, p_neutral, p_positive, sentiment, toxicity, troll_likelihood,"
                " troll_reasons, language_supported, scored_at)"
                " VALUES (?,'default','1','negative',?,?,?,?,?,?,'[]',1,?)",
                (
                    (i, p, 1 - p, 0.0, -p, p / 2, p / 3, c)
                    for i, c in zip(ids, created, strict=True)
                    for p in (rng.random(),)
                ),
            )
        cur.executemany(
            'INSERT INTO "case" (author_id, topic, source, stage, is_open, priority, opened_at,'
            " updated_at, goodwill_spent, incident, state)"
            " VALUES (?,'general','x',?,1,0,?,?,0,0,'{}')",
            (
                (a, ("acknowledge", "empathize", "goodwill")[a % 3], now, now)
                for a in range(1, authors + 1, 5)
            ),
        )
        raw.commit()
    finally:
        raw.close()
    engine.dispose()
    return time.perf_counter() - started


def copy_to_postgres(db: Path, url: str) -> float:
    """Copy the built SQLite database into the (empty) PostgreSQL at ``url``; the seconds."""
    import sqlite3

    from store.engine import make_engine
    from store.migrate import upgrade

    started = time.perf_counter()
    engine = make_engine(url)
    upgrade(engine)
    source = sqlite3.connect(db)
    tables = {
        "author": "id, platform, platform_id, handle, display_name, followers, is_brand=1,"
        " first_seen||'+00', last_seen||'+00'",
        "mention": "id, source, external_id, author_id, text, lang, url, created_at||'+00',"
        " fetched_at||'+00', deleted=1",
        "score": "id, mention_id, model_name, model_version, sentiment_label, p_negative,"
        " p_neutral, p_positive, sentiment, toxicity, troll_likelihood, troll_reasons,"
        " language_supported=1, scored_at||'+00'",
        "case": "id, author_id, topic, source, stage, is_open=1, priority, opened_at||'+00',"
        " updated_at||'+00', goodwill_spent, incident=1, state",
    }
    columns = {
        "author": "id, platform, platform_id, handle, display_name, followers, is_brand,"
        " first_seen, last_seen",
        "mention": "id, source, external_id, author_id, text, lang, url, created_at, fetched_at,"
        " deleted",
        "score": "id, mention_id, model_name, model_version, sentiment_label, p_negative,"
        " p_neutral, p_positive, sentiment, toxicity, troll_likelihood, troll_reasons,"
        " language_supported, scored_at",
        "case": "id, author_id, topic, source, stage, is_open, priority, opened_at, updated_at,"
        " goodwill_spent, incident, state",
    }
    raw = engine.raw_connection()
    try:
        cur: Any = raw.cursor()
        for name, select in tables.items():
            with cur.copy(f'COPY "{name}" ({columns[name]}) FROM STDIN') as copy:
                for row in source.execute(f'SELECT {select} FROM "{name}"'):
                    copy.write_row(row)
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
        source.close()
    engine.dispose()
    return time.perf_counter() - started


def child(fmt: str, url: str, out: Path) -> None:
    """Run one export and print its time, rows and peak RSS (this process only)."""
    from dashboard.exports import export_rows
    from store.engine import make_engine

    engine = make_engine(url)
    started, cpu = time.perf_counter(), time.process_time()
    rows = export_rows(engine, fmt=fmt, out=out)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    report = {"rows": rows, "seconds": seconds, "cpu_s": cpu, "peak_rss_mb": _peak_rss_mb()}
    print(json.dumps(report))


def _peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(fmt: str, url: str, out: Path) -> dict[str, float]:
    """The export in a fresh interpreter; its report."""
    proc = subprocess.run(
        [sys.executable, __file__, "--child", fmt, url, str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100,000 mentions")
    parser.add_argument("--mentions", type=int, help="override the mention count")
    parser.add_argument("--keep-db", type=Path, help="copy the built database here")
    parser.add_argument("--db", type=Path, help="export this database instead of building one")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="copy the database into a throw-away local PostgreSQL and export from there",
    )
    parser.add_argument("--child", nargs=3, metavar=("FMT", "URL", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], Path(args.child[2]))
        return
    mentions = args.mentions or (100_000 if args.quick else 1_000_000)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="c2f-bench-") as tmp:
        db = args.db or Path(tmp) / "bench.db"
        build_s = 0.0 if args.db else build(db, mentions)
        if args.keep_db and not args.db:
            import shutil

            shutil.copy(db, args.keep_db)
        with contextlib.ExitStack() as stack:
            url, copy_s = f"sqlite:///{db}", 0.0
            if args.postgres:
                from tests.pgserver import PostgresServer, find_pg_bin

                bin_dir = find_pg_bin()
                if bin_dir is None:
                    raise SystemExit("--postgres needs the PostgreSQL server binaries")
                server = PostgresServer(bin_dir).init()
                stack.callback(server.destroy)
                url = server.url
                copy_s = copy_to_postgres(db, url)
            parquet = run_child("parquet", url, Path(tmp) / "out.parquet")
            csv_run = run_child("csv", url, Path(tmp) / "out.csv")
        mentions = int(parquet["rows"])
        result = {
            "mentions": mentions,
            "database": "postgresql" if args.postgres else "sqlite",
            "build_s": round(build_s + copy_s, 2),
            "parquet_s": round(parquet["seconds"], 2),
            "parquet_cpu_s": round(parquet["cpu_s"], 2),
            "csv_s": round(csv_run["seconds"], 2),
            "csv_cpu_s": round(csv_run["cpu_s"], 2),
            "peak_rss_mb": round(max(parquet["peak_rss_mb"], csv_run["peak_rss_mb"]), 1),
            "parquet_peak_rss_mb": round(parquet["peak_rss_mb"], 1),
            "csv_peak_rss_mb": round(csv_run["peak_rss_mb"], 1),
            "csv_rows_per_s": round(csv_run["rows"] / csv_run["seconds"]),
            "parquet_mb": round((Path(tmp) / "out.parquet").stat().st_size / 2**20, 1),
            "csv_mb": round((Path(tmp) / "out.csv").stat().st_size / 2**20, 1),
            "target_parquet_s": TARGET_PARQUET_S,
            "target_csv_s": TARGET_CSV_S,
            "target_peak_rss_mb": TARGET_PEAK_RSS_MB,
            "load_avg_1m_before": round(load_before, 2),
            "load_avg_1m": round(os.getloadavg()[0], 2),
            "cpu_count": os.cpu_count(),
        }
        assert parquet["rows"] == csv_run["rows"]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
