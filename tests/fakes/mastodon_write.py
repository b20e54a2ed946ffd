"""A fake Mastodon instance that takes posts too: the Idempotency-Key, the brand's own statuses.

It extends the read fake (:class:`tests.fakes.mastodon.MastodonFake`): a posted status joins
``statuses``, so the hashtag timeline shows it again (the listener's echo). Like Mastodon, a
repeated ``Idempotency-Key`` answers with the status already made, and replying to a missing
status is a 404 ``Record not found``. Faults: ``write_errors`` (served first to every write and
lookup), ``deleted`` parents, ``lose_replies`` (the status is made, then the answer is a 503).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.http import FakeHTTPServer, Reply, Request
from tests.fakes.mastodon import MastodonFake

BRAND_ID = "42"
BRAND = {
    "id": BRAND_ID, "username": "brightloop", "acct": "brightloop", "display_name": "Brightloop",
    "followers_count": 1000, "following_count": 10, "created_at": "2020-01-01T00:00:00.000Z",
}  # fmt: skip
NOT_FOUND = "Record not found"
TOO_LONG = "Validation failed: Text character limit of 500 exceeded"


def error(status: int, words: str, **headers: str) -> Reply:
    """An instance's error answer: ``{"error": words}``."""
    return Reply(status, {"error": words}, headers=dict(headers))


def rate_limited(reset_iso: str) -> Reply:
    """A 429 with Mastodon's rate-limit headers (the reset as an ISO time)."""
    return error(
        429,
        "Too many requests",
        **{
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset_iso,
        },
    )


@dataclass
class MastodonWriteFake(MastodonFake):
    """The read fake plus posting and the brand's own account."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    write_errors: list[Reply] = field(default_factory=list)
    deleted: set[str] = field(default_factory=set)
    lose_replies: int = 0
    max_characters: int = 500
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    clock: str = "2026-03-01T12:30:00.000Z"
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(110_000))

    def route(self, req: Request) -> Reply:
        path = req.path.rstrip("/")
        writes = path == "/api/v1/statuses" or path.startswith("/api/v1/accounts/")
        if not writes:
            return super().route(req)
        with self._lock:
            if self.write_errors:
                return self.write_errors.pop(0)
            if path == "/api/v1/accounts/verify_credentials":
                return Reply(body=BRAND)
            if path == f"/api/v1/accounts/{BRAND_ID}/statuses":
                return Reply(body=self.sent[::-1])
            if path == "/api/v1/statuses" and req.method == "POST":
                return self._post(req)
        return error(404, NOT_FOUND)

    def _post(self, req: Request) -> Reply:
        form = _form(req)
        key = req.headers.get("idempotency-key")
        if key and key in self.keys:
            return Reply(body=self.keys[key])
        parent = form.get("in_reply_to_id")
        if parent in self.deleted:
            return error(404, NOT_FOUND)
        text = form.get("status") or ""
        if len(text) > self.max_characters:
            return error(422, TOO_LONG)
        i = next(self._ids)
        status = {
            "id": str(i),
            "uri": f"https://fake.social/users/brightloop/statuses/{i}",
            "url": f"https://fake.social/@brightloop/{i}",
            "created_at": self.clock,
            "content": "<p>" + escape(text).replace("\n", "<br>") + "</p>",
            "spoiler_text": "",
            "visibility": form.get("visibility") or "public",
            "language": None,
            "in_reply_to_id": parent,
            "account": BRAND,
            "tags": [],
        }
        self.sent.append(status)
        self.statuses.append(status)
        if key:
            self.keys[key] = status
        if self.lose_replies:
            self.lose_replies -= 1
            return error(503, "Service Unavailable")
        return Reply(body=status)


def _form(req: Request) -> dict[str, str]:
    if req.headers.get("content-type", "").startswith("application/json"):
        return {k: str(v) for k, v in (req.json() or {}).items() if v is not None}
    return {k: v[0] for k, v in parse_qs(req.body.decode()).items()}


def serve(fake: MastodonWriteFake) -> FakeHTTPServer:
    """A running server for ``fake`` (use ``with``)."""
    return FakeHTTPServer(fake.route)
