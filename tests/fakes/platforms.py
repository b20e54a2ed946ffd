"""Run the loopback fakes of the platforms beside the demo, and say how to point critic2fan at them.

    python -m tests.fakes.platforms --port-base 9100

starts, on 127.0.0.1, a fake Mastodon instance (read and write), X API v2 (read and write),
Reddit (read and write), a Bluesky PDS for writes, and Bluesky's Jetstream firehose with its
AppView, each seeded with one critic's post about the brand. It prints the settings
(``CRITIC2FAN_…`` environment variables) that point ``critic2fan run`` (the listener) and the
sender worker at the fakes, then serves until Ctrl-C. What the fakes received is printed as it
arrives, so a reply approved on the board can be seen arriving once.

The settings reach the Mastodon instance (listening and sending), Bluesky's firehose and AppView
(listening) and the Bluesky PDS (sending): their base URLs are settings. X's and Reddit's
clients talk to their fixed hosts, so those fakes serve tests and the benchmark, which point the
clients at them in code; their addresses are printed for that.

With ``--answer`` the critic on the fake Mastodon answers the brand's first reply to them with a
thank-you (a new post in reply to the brand's), so the playbook moves the case on.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any

from tests.fakes.http import FakeHTTPServer, Reply, Request
from tests.fakes.mastodon import status
from tests.fakes.mastodon_write import MastodonWriteFake
from tests.fakes.reddit import comment
from tests.fakes.reddit_write import RedditWriteFake
from tests.fakes.x import tweet
from tests.fakes.x_write import XWriteFake

FAKE_TOKEN = "fake-token"
BLUESKY_HANDLE = "brightloop.bsky.social"
CRITIC_POST = "The #brightloop app lost my playlist again. Third time this week."
CRITIC_ANSWER = "Thanks, that fixed it, you folks are great! #brightloop"
#: Each fake's port, as an offset from ``--port-base``.
OFFSETS = {"mastodon": 0, "x": 1, "reddit": 2, "bluesky_pds": 3, "bluesky_appview": 4}
JETSTREAM_OFFSET = 5


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class DemoMastodon(MastodonWriteFake):
    """The Mastodon write fake with live timestamps and, on request, the critic's answer."""

    answer: bool = False
    answered: set[str] = field(default_factory=set)

    def _post(self, req: Request) -> Reply:
        self.clock = _now_iso()
        before = len(self.sent)
        reply = super()._post(req)
        if self.answer and len(self.sent) > before:
            self._answer(self.sent[-1])
        return reply

    def _answer(self, brand_post: dict[str, Any]) -> None:
        parent = brand_post.get("in_reply_to_id")
        critic = {s["id"] for s in self.statuses if s["account"]["username"] == "critic"}
        if parent not in critic or parent in self.answered:
            return
        self.answered.add(parent)
        n = next(self._ids)
        post = status(n, escape(CRITIC_ANSWER))
        post.update(created_at=_now_iso(), in_reply_to_id=brand_post["id"])
        self.statuses.append(post)


def mastodon_seed(fake: MastodonWriteFake) -> None:
    """One critic's complaint on the instance's hashtag timeline."""
    post = status(1, escape(CRITIC_POST))
    post["created_at"] = _now_iso()
    fake.statuses.append(post)


@dataclass
class Running:
    """The fakes serving now, by name, and their base URLs."""

    fakes: dict[str, Any]
    urls: dict[str, str]


def settings_env(urls: dict[str, str]) -> dict[str, str]:
    """The environment that points critic2fan's listener and senders at the fakes."""
    env = {
        "CRITIC2FAN_SOURCES__MASTODON__ENABLED": "true",
        "CRITIC2FAN_SOURCES__MASTODON__SEND": "true",
        "CRITIC2FAN_SOURCES__MASTODON__API_BASE_URL": urls["mastodon"],
        "CRITIC2FAN_SOURCES__MASTODON__ACCESS_TOKEN": FAKE_TOKEN,
        "CRITIC2FAN_SOURCES__MASTODON__POLL_SECONDS": "2",
    }
    if "jetstream" in urls:
        env |= {
            "CRITIC2FAN_SOURCES__BLUESKY__ENABLED": "true",
            "CRITIC2FAN_SOURCES__BLUESKY__JETSTREAM_URL": urls["jetstream"] + "/xrpc",
            "CRITIC2FAN_SOURCES__BLUESKY__APPVIEW_URL": urls["bluesky_appview"],
            "CRITIC2FAN_SOURCES__BLUESKY__SEND": "true",
            "CRITIC2FAN_SOURCES__BLUESKY__PDS_URL": urls["bluesky_pds"],
            "CRITIC2FAN_SOURCES__BLUESKY__HANDLE": BLUESKY_HANDLE,
            "CRITIC2FAN_SOURCES__BLUESKY__APP_PASSWORD": FAKE_TOKEN,
        }
    return env


@contextlib.contextmanager
def running(port_base: int = 0, *, answer: bool = False) -> Iterator[Running]:
    """Start every fake (``port_base`` 0: free ports) and stop them all on leaving."""

    def port(name: str) -> int:
        return port_base + OFFSETS[name] if port_base else 0

    mastodon = DemoMastodon(answer=answer)
    mastodon_seed(mastodon)
    x = XWriteFake(tweets=[tweet(1, "@brightloop " + CRITIC_POST)])
    reddit = RedditWriteFake(comments=[comment(1, CRITIC_POST)])
    fakes: dict[str, Any] = {"mastodon": mastodon, "x": x, "reddit": reddit}
    servers: dict[str, Any] = {
        "mastodon": FakeHTTPServer(mastodon.route, port=port("mastodon")),
        "x": FakeHTTPServer(x.route, port=port("x")),
        "reddit": FakeHTTPServer(reddit.route, port=port("reddit")),
    }
    with contextlib.suppress(ImportError):  # the Bluesky fakes, where they exist
        from tests.fakes.bluesky import JetstreamFake
        from tests.fakes.bluesky_write import BlueskyWriteFake
        from tests.fakes.ws import FakeWebSocketServer

        pds, jet = BlueskyWriteFake(), JetstreamFake()
        fakes |= {"bluesky_pds": pds, "jetstream": jet}
        servers["bluesky_pds"] = FakeHTTPServer(pds.route, port=port("bluesky_pds"))
        servers["bluesky_appview"] = FakeHTTPServer(jet.appview, port=port("bluesky_appview"))
        servers["jetstream"] = FakeWebSocketServer(
            jet.handle,
            subprotocols=["xrpc.v1.json"],
            port=port_base + JETSTREAM_OFFSET if port_base else 0,
        )
    with contextlib.ExitStack() as stack:
        for server in servers.values():
            stack.enter_context(server)
        yield Running(fakes, {name: server.url for name, server in servers.items()})


def _report_posts(run: Running, stop: threading.Event) -> None:
    """Print each post the fakes receive, as it arrives."""
    seen: dict[str, int] = {}
    while not stop.wait(0.5):
        for name in ("mastodon", "x", "reddit", "bluesky_pds"):
            posts = getattr(run.fakes.get(name), "sent", None)
            if posts is None:
                continue
            for post in posts[seen.get(name, 0) :]:
                text = post.get("content") or post.get("text") or post.get("body") or post
                print(f"{name}: received a post: {text}", flush=True)
            seen[name] = len(posts)


def main(argv: list[str] | None = None) -> int:
    """Serve the fakes until interrupted; print the settings that point critic2fan at them."""
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.platforms", description=__doc__)
    parser.add_argument(
        "--port-base", type=int, default=9100, help="first port (default 9100; 0: free ports)"
    )
    parser.add_argument(
        "--answer", action="store_true", help="the critic answers the brand's first reply"
    )
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with running(args.port_base, answer=args.answer) as run:
        print("Fake platforms on loopback:")
        for name, url in run.urls.items():
            print(f"  {name:16} {url}")
        print("\nPoint critic2fan at them (listener and sender), e.g. in the demo's shell:")
        for key, value in settings_env(run.urls).items():
            print(f"export {key}={value}")
        print("\nX and Reddit clients use fixed hosts: their fakes serve tests only.")
        print("Ctrl-C stops them.", flush=True)
        reporter = threading.Thread(target=_report_posts, args=(run, stop), daemon=True)
        reporter.start()
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
        stop.set()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
