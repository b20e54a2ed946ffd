"""A scoring worker process with a fast, deterministic fake model, for the fault tests.

Run from the repository root::

    python -m tests.workers.fake_scorer_worker --db URL [--lease-seconds S] [--batch-size N]

It is the real ``scoring.worker.run_worker`` (claims, leases, backoff, ON CONFLICT writes); only
the model is replaced, so 50,000 mentions take seconds and the test measures the queue.
SIGTERM/SIGINT stop it cleanly; it prints ``scored N`` on the way out.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import signal
import threading
import time
from collections.abc import Sequence
from datetime import timedelta

from scoring.base import TextInput, TextScore

MODEL_NAME = "fake-fast"
MODEL_VERSION = "1"


class FastScorer:
    """Probabilities from a hash of the text: the same text always gets the same score."""

    model_name = MODEL_NAME

    def __init__(self, version: str = MODEL_VERSION, *, delay_ms: float = 0.0) -> None:
        self.model_version = version
        self.delay_s = delay_ms / 1000

    def score(self, batch: Sequence[TextInput]) -> list[TextScore]:
        """Score ``batch``; ``delay_ms`` per batch stands in for model time."""
        if self.delay_s:
            time.sleep(self.delay_s)
        out = []
        for item in batch:
            digest = hashlib.blake2b(item.text.encode(), digest_size=4).digest()
            neg, pos = digest[0] / 255 * 0.5, digest[1] / 255 * 0.5
            tox = digest[2] / 255
            out.append(
                TextScore(
                    neg, 1.0 - neg - pos, pos, tox, item.lang, True, MODEL_NAME, self.model_version
                )
            )
        return out


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, run the worker until a signal, report how many it scored."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, help="database URL")
    parser.add_argument("--lease-seconds", type=float, default=300.0)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--max-wait-ms", type=int, default=50)
    parser.add_argument("--delay-ms", type=float, default=0.0, help="model time per batch")
    parser.add_argument("--version", default=MODEL_VERSION, help="model version to tag rows")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(process)d %(levelname)s %(message)s")

    from scoring.worker import run_worker
    from store.engine import make_engine

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    engine = make_engine(args.db)
    print("ready", flush=True)
    done = run_worker(
        engine,
        FastScorer(args.version, delay_ms=args.delay_ms),
        stop=stop,
        batch_size=args.batch_size,
        max_wait_ms=args.max_wait_ms,
        lease=timedelta(seconds=args.lease_seconds),
    )
    engine.dispose()
    print(f"scored {done}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
