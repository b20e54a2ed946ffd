"""A loopback platform shared by sender processes: posts, lookups, injected 429s, 5xx and hangs.

``POST /posts`` (JSON ``key``, ``in_reply_to``, ``text``; header ``X-Worker``) posts and answers
``{"id": …}``; ``GET /posts?in_reply_to=…`` lists the posts answering it. ``hang_after_post``
names a worker whose next post is made and then never answered, so killing that worker lands
between the platform call and the outbox's record of it.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from core.errors import SourceRateLimited, SourceUnavailable
from outbound.base import OutgoingReply, SendRejected, SentReceipt


class Platform:
    """The platform's state, shared by the handler threads."""

    def __init__(self, *, fail_every: int = 0) -> None:
        self.lock = threading.Lock()
        self.posts: list[dict[str, Any]] = []
        self.requests = 0
        self.fail_every = fail_every
        self.hang_after_post: str | None = None
        self.hanging = threading.Event()
        self.release = threading.Event()


class _Handler(BaseHTTPRequestHandler):
    platform: Platform

    def log_message(self, *args: object) -> None:  # quiet
        return

    def _json(self, code: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        parent = query.get("in_reply_to", [""])[0]
        with self.platform.lock:
            found = [p for p in self.platform.posts if p["in_reply_to"] == parent]
        self._json(200, found)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        worker = self.headers.get("X-Worker", "")
        p = self.platform
        with p.lock:
            p.requests += 1
            n = p.requests
            if p.fail_every and n % p.fail_every == 0:
                code = 429 if n % (2 * p.fail_every) == 0 else 503
                reset = (datetime.now(UTC) + timedelta(seconds=0.3)).timestamp()
                self._json(code, {"error": "try later"}, {"X-Reset": f"{reset:.3f}"})
                return
            post = {"id": f"p{len(p.posts) + 1}", **body, "worker": worker}
            p.posts.append(post)
            hang = p.hang_after_post == worker
            if hang:
                p.hang_after_post = None
        if hang:
            p.hanging.set()
            p.release.wait(60)
            return
        self._json(200, {"id": post["id"]})


def serve(platform: Platform) -> ThreadingHTTPServer:
    """Start the platform on a free loopback port, in a daemon thread."""
    handler = type("Handler", (_Handler,), {"platform": platform})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class HttpSender:
    """The sender a worker process uses against :class:`Platform`."""

    def __init__(self, base: str, worker: str, *, platform: str = "x") -> None:
        self.base, self.worker, self.platform = base.rstrip("/"), worker, platform

    def send(self, reply: OutgoingReply) -> SentReceipt:
        body = {"key": reply.idempotency_key, "in_reply_to": reply.in_reply_to, "text": reply.text}
        headers = {"X-Worker": self.worker}
        try:
            response = requests.post(f"{self.base}/posts", json=body, headers=headers, timeout=30)
        except requests.RequestException as exc:
            raise SourceUnavailable(str(exc), source=self.platform) from None
        if response.status_code == 429:
            reset = datetime.fromtimestamp(float(response.headers["X-Reset"]), UTC)
            raise SourceRateLimited("429", source=self.platform, reset_at=reset)
        if response.status_code >= 500:
            raise SourceUnavailable(str(response.status_code), source=self.platform)
        if response.status_code >= 400:
            raise SendRejected(response.text, source=self.platform)
        pid = response.json()["id"]
        return SentReceipt(pid, f"{self.base}/posts/{pid}")

    def find_sent(self, reply: OutgoingReply, *, since: datetime) -> SentReceipt | None:
        params = {"in_reply_to": reply.in_reply_to or ""}
        response = requests.get(f"{self.base}/posts", params=params, timeout=30)
        for post in response.json():
            if post["text"] == reply.text:
                return SentReceipt(post["id"], f"{self.base}/posts/{post['id']}")
        return None
