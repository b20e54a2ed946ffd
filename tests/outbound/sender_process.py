"""A sender worker process for the fault tests: ``python -m tests.outbound.sender_process``."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from datetime import timedelta

from outbound.worker import run_sender
from store.engine import make_engine
from tests.outbound.http_platform import HttpSender


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--platform-url", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--lease-seconds", type=float, default=2.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    engine = make_engine(args.db)
    senders = {"x": HttpSender(args.platform_url, args.name)}
    run_sender(
        engine,
        senders,
        stop=stop,
        idle_s=0.2,
        worker=args.name,
        lease=timedelta(seconds=args.lease_seconds),
        batch=2,
        backoff=None,
        margin=timedelta(minutes=2),
    )
    engine.dispose()


if __name__ == "__main__":
    main()
