"""Replies sent exactly once: three sender processes on PostgreSQL, four fake platforms, a SIGKILL.

Starts a throw-away PostgreSQL on a loopback port and the loopback write fakes of X, Reddit,
Mastodon and Bluesky (``tests/fakes/*_write.py``), each driven by the platform's real sender
(tweepy, praw, Mastodon.py, atproto). 1,000 replies (``--quick``: 200) are drafted across the
four platforms; three sender worker processes start, then every reply is approved at once.
The fakes answer every ninth post with, in turn, a 429 (reset in one second), a 503 before
posting, and a 503 after posting (the post is made, its answer lost: the worker must reconcile
before trying again). One worker is SIGKILLed right after a platform took its post and before
it recorded it, and a new one is started. Prints one JSON object (last line):

* ``approved``, ``sent``, ``failed``: outbox rows approved, recorded sent, recorded failed;
* ``duplicates``: posts on the fakes beyond one per outbox row (target 0);
* ``lost``: approved rows never recorded sent and never posted (target 0);
* ``platforms``: distinct platforms that received posts (target 4);
* ``p95_send_s`` / ``p50_send_s``: approval to recorded sent, in seconds;
* ``stranded_by_kill``: rows the killed worker held (left ``sending``, reconciled by the others);
  ``faults``: the errors the fakes injected; ``posts``: posts per platform.

Without the Bluesky sender or its fake, Bluesky is the generic loopback platform
(``tests/outbound/http_platform.py``) behind a small sender, and ``bluesky_fake`` says so.
Run a worker alone with ``--worker`` (the benchmark does that for each process).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session, col  # noqa: E402

from outbound.base import OutgoingReply, Sender, SentReceipt  # noqa: E402
from store import outbox  # noqa: E402
from store.engine import make_engine  # noqa: E402
from store.models import Author, Case, Mention, OutboxItem  # noqa: E402
from tests.fakes.http import FakeHTTPServer, Reply, Request  # noqa: E402

PLATFORMS = ("x", "reddit", "mastodon", "bluesky")
#: Parent posts per platform that the replies answer.
PARENTS = 10
#: Every this many posts a fake injects a fault (429, 503 before, 503 after posting).
FAULT_EVERY = 9
LEASE_S = 5.0
#: What every fake takes as a credential.
FAKE = "fake-credential"


def say(message: str) -> None:
    """Progress on stderr (stdout's last line is the JSON result)."""
    print(message, file=sys.stderr, flush=True)


def has_bluesky() -> bool:
    """True when the Bluesky sender and its write fake are both here."""
    try:
        import outbound.senders.bluesky  # noqa: F401
        import tests.fakes.bluesky_write  # noqa: F401
    except ModuleNotFoundError:
        return False
    return True


def parent_id(platform: str, n: int) -> str:
    """The platform's id of the ``n``-th post the replies answer."""
    if platform == "x":
        return str(1_000_000 + n)
    if platform == "reddit":
        return f"t1_c{n}"
    if platform == "mastodon":
        return str(7_000 + n)
    if has_bluesky():
        from tests.fakes.bluesky_write import post_uri

        return post_uri("critic", n)
    return f"at://did:plc:critic/app.bsky.feed.post/{n}"


# -- the fakes (in this process) ---------------------------------------------------------------
def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Fakes:
    """The four platforms: their servers, the texts each has posted, the faults injected."""

    urls: dict[str, str] = field(default_factory=dict)
    posted: dict[str, Callable[[], list[str]]] = field(default_factory=dict)
    faults: Counter[str] = field(default_factory=Counter)
    bluesky_fake: str = "tests/fakes/bluesky_write.py"
    #: One count of posts over the four fakes: every ``FAULT_EVERY``-th gets the next fault.
    count: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    kinds: Iterator[str] = field(
        default_factory=lambda: itertools.cycle(("429", "503", "503_after_post"))
    )
    lock: threading.Lock = field(default_factory=threading.Lock)
    _tick: Callable[[], None] = lambda: None
    _stops: list[Callable[[], None]] = field(default_factory=list)

    def tick(self) -> None:
        """Move the fakes' clocks to now (the dates the brand's posts are listed with)."""
        self._tick()

    def close(self) -> None:
        for stop in self._stops:
            stop()


def _faulty(platform: str, route: Callable[[Request], Reply], post: str, fakes: Fakes) -> Any:
    """``route`` with every ``FAULT_EVERY``-th post answered by a fault, in turn."""
    from tests.fakes import mastodon_write, x_write

    count, kinds, lock = fakes.count, fakes.kinds, fakes.lock

    def limited() -> Reply:
        reset = datetime.now(UTC) + timedelta(seconds=1)
        if platform == "x":
            return x_write.rate_limited(int(reset.timestamp()) + 1)
        if platform == "mastodon":
            return mastodon_write.rate_limited(reset.isoformat())
        if platform == "bluesky":
            from tests.fakes.bluesky_write import rate_limited

            return rate_limited(int(reset.timestamp()) + 1)
        return Reply(429, {"message": "Too Many Requests", "error": 429},
                     headers={"x-ratelimit-reset": "1"})  # fmt: skip

    def unavailable() -> Reply:
        if platform == "x":
            return x_write.problem(503, "Service Unavailable")
        if platform == "mastodon":
            return mastodon_write.error(503, "Service Unavailable")
        if platform == "bluesky":
            from tests.fakes.bluesky_write import xrpc_error

            return xrpc_error(503, "ServiceUnavailable", "Service Unavailable")
        return Reply(503, {"message": "Service Unavailable", "error": 503})

    def serve(req: Request) -> Reply:
        if req.method != "POST" or req.path != post:
            return route(req)
        with lock:
            kind = next(kinds) if next(count) % FAULT_EVERY == 0 else None
        if kind is None:
            return route(req)
        fakes.faults[kind] += 1
        if kind == "429":
            return limited()
        if kind == "503":
            return unavailable()
        answer = route(req)
        return unavailable() if answer.status < 300 else answer

    return serve


def start_fakes() -> Fakes:
    """Start the four fake platforms on loopback ports."""
    from outbound.senders import html_text
    from tests.fakes.mastodon_write import MastodonWriteFake
    from tests.fakes.reddit_write import RedditWriteFake
    from tests.fakes.x_write import XWriteFake

    fakes = Fakes()
    x, reddit, mastodon = XWriteFake(), RedditWriteFake(), MastodonWriteFake()
    routes: dict[str, tuple[Callable[[Request], Reply], str]] = {
        "x": (x.route, "/2/tweets"),
        "reddit": (reddit.route, "/api/comment"),
        "mastodon": (mastodon.route, "/api/v1/statuses"),
    }
    fakes.posted["x"] = lambda: [t["text"] for t in list(x.sent)]
    fakes.posted["reddit"] = lambda: [c["data"]["body"] for c in list(reddit.sent)]
    fakes.posted["mastodon"] = lambda: [html_text(s["content"]) for s in list(mastodon.sent)]
    if has_bluesky():
        from tests.fakes.bluesky_write import BlueskyWriteFake

        bluesky = BlueskyWriteFake()
        for n in range(PARENTS):
            bluesky.add_post(parent_id("bluesky", n))
        routes["bluesky"] = (bluesky.route, "/xrpc/com.atproto.repo.createRecord")
        fakes.posted["bluesky"] = lambda: [r["text"] for r in list(bluesky.records.values())]
    else:
        from tests.outbound.http_platform import Platform
        from tests.outbound.http_platform import serve as serve_generic

        generic = Platform(fail_every=FAULT_EVERY)
        server = serve_generic(generic)
        fakes.urls["bluesky"] = f"http://127.0.0.1:{server.server_address[1]}"
        fakes.posted["bluesky"] = lambda: [p["text"] for p in list(generic.posts)]
        fakes.bluesky_fake = "generic loopback platform (tests/outbound/http_platform.py)"
        fakes._stops.append(server.shutdown)
    for name, (route, post) in routes.items():
        srv = FakeHTTPServer(_faulty(name, route, post, fakes)).__enter__()
        fakes.urls[name] = srv.url
        fakes._stops.append(functools.partial(srv.__exit__, None, None, None))

    def tick() -> None:
        now = datetime.now(UTC)
        x.clock = mastodon.clock = _iso(now)
        reddit.created_utc = now.timestamp()

    fakes._tick = tick
    tick()
    return fakes


# -- the worker process --------------------------------------------------------------------
class _GenericSender:
    """The generic loopback platform's sender, as Bluesky (when its own is not here)."""

    platform = "bluesky"

    def __init__(self, base: str, worker: str) -> None:
        from tests.outbound.http_platform import HttpSender

        self.inner = HttpSender(base, worker, platform="bluesky")

    def send(self, reply: OutgoingReply) -> SentReceipt:
        return self.inner.send(reply)

    def find_sent(self, reply: OutgoingReply, *, since: datetime) -> SentReceipt | None:
        return self.inner.find_sent(reply, since=since)


class _Hang:
    """Posts, then never returns after the ``after``-th post: killed there, the post is on the
    platform and not in the outbox."""

    def __init__(self, inner: Sender, state: dict[str, int], after: int, flag: Path) -> None:
        self.inner, self.state, self.after, self.flag = inner, state, after, flag
        self.platform = inner.platform

    def send(self, reply: OutgoingReply) -> SentReceipt:
        receipt = self.inner.send(reply)
        self.state["sent"] += 1
        if self.state["sent"] >= self.after:
            self.flag.write_text(f"{reply.platform} {reply.idempotency_key}")
            time.sleep(3600)
        return receipt

    def find_sent(self, reply: OutgoingReply, *, since: datetime) -> SentReceipt | None:
        return self.inner.find_sent(reply, since=since)


def build_senders(urls: dict[str, str], name: str) -> dict[str, Sender]:
    """Each platform's real sender, pointed at its fake."""
    from outbound.senders.mastodon import MastodonSender
    from outbound.senders.reddit import RedditSender
    from outbound.senders.x import XSender
    from tests.fakes.reddit_write import BRAND

    senders: dict[str, Sender] = {
        "x": XSender(consumer_key=FAKE, consumer_secret=FAKE, access_token=FAKE,
                     access_token_secret=FAKE, handle="brightloop", api_base=urls["x"]),
        "reddit": RedditSender(client_id="id", client_secret=FAKE, user_agent="bench",
                               username=BRAND, password=FAKE, oauth_url=urls["reddit"],
                               reddit_url=urls["reddit"]),
        "mastodon": MastodonSender(api_base_url=urls["mastodon"], access_token=FAKE),
    }  # fmt: skip
    if has_bluesky():
        from outbound.senders.bluesky import BlueskySender
        from tests.fakes.bluesky_write import BRAND_HANDLE

        senders["bluesky"] = BlueskySender(
            handle=BRAND_HANDLE, app_password=FAKE, pds_url=urls["bluesky"]
        )
    else:
        senders["bluesky"] = _GenericSender(urls["bluesky"], name)
    return senders


def worker_main(args: argparse.Namespace) -> None:
    """One sender worker process (``--worker``): the product's worker loop, real senders."""
    import logging

    from outbound.worker import run_sender

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    senders = build_senders(json.loads(args.urls), args.name)
    if args.hang_after:
        state = {"sent": 0}
        flag = Path(args.flag)
        senders = {p: _Hang(s, state, args.hang_after, flag) for p, s in senders.items()}
    engine = make_engine(args.db)
    run_sender(engine, senders, stop=stop, idle_s=0.5, worker=args.name,
               lease=timedelta(seconds=args.lease_seconds), batch=5)  # fmt: skip
    engine.dispose()


@dataclass
class Worker:
    proc: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def started(self) -> bool:
        """True once its loop runs; an exit before that is an error."""
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.log.name} exited:\n{self.output()[-3000:]}")
        return "sender worker" in self.output()


def start_worker(db: str, urls: dict[str, str], name: str, folder: Path, *extra: str) -> Worker:
    """A sender worker process (this script with ``--worker``)."""
    log = folder / f"{name}.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
    with log.open("wb") as handle:
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", "--db", db,
             "--urls", json.dumps(urls), "--name", name, "--lease-seconds", str(LEASE_S), *extra],
            cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return Worker(proc, log)


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str,
             workers: list[Worker], tick: Callable[[], None] = lambda: None) -> None:  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tick()
        if condition():
            return
        time.sleep(0.1)
    tails = "\n".join(f"--- {w.log.name}:\n{w.output()[-3000:]}" for w in workers)
    raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}\n{tails}")


# -- the run -------------------------------------------------------------------------------
def draft_replies(engine: Engine, count: int) -> list[int]:
    """``count`` drafts spread over the four platforms and ``PARENTS`` posts on each."""
    now = datetime.now(UTC)
    ids: list[int] = []
    with Session(engine) as s:
        mentions: dict[str, list[tuple[int, int]]] = {}
        for platform in PLATFORMS:
            author = Author(platform=platform, platform_id=f"critic-{platform}", handle="critic")
            s.add(author)
            s.flush()
            assert author.id is not None
            for n in range(PARENTS):
                m = Mention(
                    source=platform, external_id=parent_id(platform, n), author_id=author.id,
                    text="brightloop broke again", created_at=now,
                )  # fmt: skip
                s.add(m)
                s.flush()
                case = Case(author_id=author.id, source=platform, latest_mention_id=m.id)
                s.add(case)
                s.flush()
                assert m.id is not None and case.id is not None
                mentions.setdefault(platform, []).append((m.id, case.id))
        for i in range(count):
            platform = PLATFORMS[i % len(PLATFORMS)]
            mention_id, case_id = mentions[platform][(i // len(PLATFORMS)) % PARENTS]
            item = outbox.create_draft(
                s, case_id=case_id, mention_id=mention_id, platform=platform,
                text=f"Sorry about that, reply {i} here: the fix is rolling out today.",
                private=False, drafted_by="user:ann", now=now,
            )  # fmt: skip
            assert item.id is not None
            ids.append(item.id)
        s.commit()
    return ids


def approve_all(engine: Engine, ids: list[int]) -> None:
    """Approve every draft in one transaction (one wake-up for the workers)."""
    with Session(engine) as s:
        now = datetime.now(UTC)
        for item_id in ids:
            outbox.approve(s, item_id, approved_by="user:lee", now=now)
        s.commit()


def _unfinished(engine: Engine) -> int:
    with engine.connect() as conn:
        states = conn.execute(select(col(OutboxItem.state))).scalars().all()
    return sum(1 for st in states if st in ("approved", "sending"))


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def measure(db: str, *, replies: int, folder: Path, timeout: float = 600.0) -> dict[str, Any]:
    """Run the whole benchmark on the (migrated, empty) database ``db``; the JSON result."""
    engine = make_engine(db)
    fakes = start_fakes()
    workers: list[Worker] = []
    try:
        ids = draft_replies(engine, replies)
        flag = folder / "victim.hung"
        workers = [
            start_worker(db, fakes.urls, "victim", folder, "--hang-after",
                         str(max(3, replies // 10)), "--flag", str(flag)),
            start_worker(db, fakes.urls, "two", folder),
            start_worker(db, fakes.urls, "three", folder),
        ]  # fmt: skip
        for w in workers:
            wait_for(w.started, timeout=120, what=f"{w.log.name} to start", workers=workers)
        say(f"three workers running; approving {replies} replies")
        start = time.monotonic()
        approve_all(engine, ids)
        wait_for(flag.exists, timeout=timeout, what="the victim mid-send", workers=workers,
                 tick=fakes.tick)  # fmt: skip
        os.kill(workers[0].proc.pid, signal.SIGKILL)
        workers[0].proc.wait(10)
        with engine.connect() as conn:
            stranded = len(conn.execute(
                select(col(OutboxItem.id)).where(col(OutboxItem.lease_owner) == "victim",
                                                 col(OutboxItem.state) == "sending")
            ).all())  # fmt: skip
        say(f"victim SIGKILLed holding {stranded} rows; a new worker starts")
        workers.append(start_worker(db, fakes.urls, "restarted", folder))
        wait_for(lambda: _unfinished(engine) == 0, timeout=timeout, what="every reply",
                 workers=workers, tick=fakes.tick)  # fmt: skip
        seconds = time.monotonic() - start
    finally:
        codes = _stop(workers[1:])
        fakes.close()
    with Session(engine) as s:
        rows = s.exec(select(OutboxItem)).scalars().all()  # type: ignore[call-overload]
    engine.dispose()
    posted = {p: Counter(fn()) for p, fn in fakes.posted.items()}
    on_platform = Counter[str]()
    for counter in posted.values():
        on_platform.update(counter)
    texts = {r.text for r in rows}
    duplicates = sum(n - 1 for text, n in on_platform.items() if n > 1 and text in texts)
    lost = sum(1 for r in rows if r.state != "sent" and on_platform[r.text] == 0)
    waits = [
        (r.sent_at - r.approved_at).total_seconds()
        for r in rows
        if r.state == "sent" and r.sent_at and r.approved_at
    ]
    result: dict[str, Any] = {
        "benchmark": "outbound",
        "approved": len(rows),
        "sent": sum(1 for r in rows if r.state == "sent"),
        "failed": sum(1 for r in rows if r.state == "failed"),
        "duplicates": duplicates,
        "lost": lost,
        "platforms": sum(1 for c in posted.values() if c),
        "p50_send_s": _percentile(waits, 0.50),
        "p95_send_s": _percentile(waits, 0.95),
        "seconds": round(seconds, 1),
        "stranded_by_kill": stranded,
        "faults": dict(fakes.faults),
        "posts": {p: sum(c.values()) for p, c in posted.items()},
        "worker_exit_codes": codes,
    }
    if fakes.bluesky_fake != "tests/fakes/bluesky_write.py":
        result["bluesky_fake"] = fakes.bluesky_fake
    return result


def _stop(workers: list[Worker]) -> list[int | None]:
    for w in workers:
        if w.proc.poll() is None:
            w.proc.send_signal(signal.SIGTERM)
    codes: list[int | None] = []
    for w in workers:
        try:
            codes.append(w.proc.wait(30))
        except subprocess.TimeoutExpired:
            w.proc.kill()
            w.proc.wait(5)
            codes.append(None)
    return codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 replies instead of 1,000")
    parser.add_argument("--replies", type=int, help="this many replies instead")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--name", help=argparse.SUPPRESS)
    parser.add_argument("--hang-after", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--flag", help=argparse.SUPPRESS)
    parser.add_argument("--lease-seconds", type=float, default=LEASE_S, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args)
        return
    from store.migrate import upgrade
    from tests.pgserver import PostgresServer, find_pg_bin

    replies = args.replies or (200 if args.quick else 1_000)
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL server binaries not found: make system-deps")
    server = PostgresServer(bin_dir).init()
    try:
        engine = make_engine(server.url)
        upgrade(engine)
        engine.dispose()
        with tempfile.TemporaryDirectory(prefix="critic2fan-bench-") as tmp:
            result = measure(server.url, replies=replies, folder=Path(tmp))
        result.update(quick=args.quick, cpus=os.cpu_count())
    finally:
        server.destroy()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
