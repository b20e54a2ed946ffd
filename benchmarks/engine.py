"""Playbook engine throughput: ``advance`` calls per second on one core.

Runs 1,000,000 events (``--quick``: 100,000) over 5,000 cases: a realistic mix of new
mentions, critic replies, staff replies, goodwill, overrides and timers, drawn once from a
fixed seed and cycled. ``events_per_s`` divides by the process's CPU time (one core's work,
unaffected by other jobs queueing for the CPU); ``events_per_s_wall`` by elapsed time.
Prints one JSON object as its last line.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playbooks.engine import advance  # noqa: E402
from playbooks.events import (  # noqa: E402
    CriticReply,
    GoodwillGiven,
    NewMention,
    SentimentChanged,
    StaffOverride,
    StaffReply,
    TimerFired,
)
from playbooks.loader import load_playbook  # noqa: E402

CASES = 5_000
POOL = 4_096


def _pool(rng: random.Random) -> list[object]:
    events: list[object] = []
    for _ in range(POOL):
        roll = rng.random()
        neg = rng.random()
        pos = rng.random() * (1 - neg)
        if roll < 0.35:
            events.append(
                NewMention(1, neg, pos - neg, rng.random() * 0.8, (), rng.randint(0, 10**6))
            )
        elif roll < 0.55:
            events.append(
                CriticReply(1, neg, pos - neg, 0.1, (), 50, "billing", (), rng.random() < 0.2)
            )
        elif roll < 0.75:
            events.append(StaffReply("user:ann", "hi"))
        elif roll < 0.8:
            events.append(GoodwillGiven("user:ann", "credit", 10.0))
        elif roll < 0.85:
            events.append(SentimentChanged(pos - neg, neg))
        elif roll < 0.88:
            events.append(StaffOverride("user:lee", "assign", assignee="ann"))
        else:
            events.append(TimerFired())
    return events


def run(total: int) -> dict[str, object]:
    """Time ``total`` advance calls; returns the figures."""
    playbook = load_playbook(None)
    events = _pool(random.Random(7))
    cases: list[object] = [None] * CASES
    now = datetime(2026, 3, 2, tzinfo=UTC)
    step = timedelta(minutes=17)
    actions_seen = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    for i in range(total):
        slot = i % CASES
        if slot == 0:
            now += step
        case, actions = advance(cases[slot], events[i % POOL], now, playbook)  # type: ignore[arg-type]
        if case is not None and not case.is_open:
            case = None
        cases[slot] = case
        actions_seen += len(actions)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    return {
        "benchmark": "engine",
        "events": total,
        "cases": CASES,
        "actions": actions_seen,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "events_per_s": round(total / cpu_seconds),
        "events_per_s_wall": round(total / seconds),
        "target_events_per_s": 50_000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100,000 events instead of 1,000,000")
    args = parser.parse_args()
    print(json.dumps(run(100_000 if args.quick else 1_000_000)))


if __name__ == "__main__":
    main()
