"""A fake X API v2: stream rules, the filtered stream (chunked JSON lines), recent search.

tweepy's host is fixed to api.twitter.com; :func:`point_at` mounts a requests adapter that
rewrites every request to the loopback fake.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from tests.fakes.http import FakeHTTPServer, Reply, Request


class _Rewrite(HTTPAdapter):
    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = urlsplit(base)

    def send(self, request: requests.PreparedRequest, **kw: Any) -> requests.Response:  # type: ignore[override]
        parts = urlsplit(request.url or "")
        request.url = urlunsplit((self.base.scheme, self.base.netloc, parts.path, parts.query, ""))
        return super().send(request, **kw)


def point_at(session: requests.Session, base: str) -> None:
    """Send everything ``session`` asks of api.twitter.com to ``base``."""
    session.trust_env = False
    session.mount("https://", _Rewrite(base))


def tweet(i: int, text: str = "@brightloop fix this", *, user: str = "100") -> dict[str, Any]:
    """A v2 tweet object."""
    return {
        "id": str(1_000_000 + i),
        "text": text,
        "author_id": user,
        "created_at": f"2026-03-01T12:00:{i % 60:02d}.000Z",
        "lang": "en",
        "conversation_id": str(1_000_000 + i),
        "edit_history_tweet_ids": [str(1_000_000 + i)],
    }


USERS = [
    {"id": "100", "username": "critic", "name": "Critic",
     "public_metrics": {"followers_count": 5, "following_count": 9}},
]  # fmt: skip


def line(t: dict[str, Any]) -> bytes:
    """One stream line: a tweet with its expanded author."""
    return json.dumps({"data": t, "includes": {"users": USERS}}).encode() + b"\r\n"


@dataclass
class XFake:
    """The fake's state: rules, tweets for search, stream scripts, queued errors."""

    rules: list[dict[str, str]] = field(default_factory=list)
    tweets: list[dict[str, Any]] = field(default_factory=list)
    stream_scripts: list[list[bytes]] = field(default_factory=list)
    stream_status: int = 200
    stream_drop: bool = False
    errors: list[Reply] = field(default_factory=list)
    _next_rule: int = 1

    def route(self, req: Request) -> Reply:
        if req.path == "/2/tweets/search/stream/rules":
            if req.method == "GET":
                return Reply(body={"data": self.rules, "meta": {"result_count": len(self.rules)}})
            body = req.json()
            if "delete" in body:
                gone = set(body["delete"]["ids"])
                self.rules = [r for r in self.rules if r["id"] not in gone]
            for rule in body.get("add", []):
                self.rules.append({"id": str(self._next_rule), **rule})
                self._next_rule += 1
            return Reply(body={"data": self.rules, "meta": {"summary": {}}})
        if req.path == "/2/tweets/search/stream":
            if self.stream_status != 200:
                return Reply(self.stream_status, {"title": "Forbidden", "detail": "not in plan"})
            script = self.stream_scripts.pop(0) if self.stream_scripts else []
            return Reply(stream=iter(script), drop=self.stream_drop, hold=0 if script else 20)
        if self.errors:
            return self.errors.pop(0)
        if req.path == "/2/tweets/search/recent":
            since = int(req.arg("since_id") or 0)
            found = [t for t in self.tweets if int(t["id"]) > since]
            found.sort(key=lambda t: -int(t["id"]))
            meta = {"result_count": len(found)}
            return Reply(
                body={"data": found, "includes": {"users": USERS}, "meta": meta}
                if found
                else {"meta": meta}
            )
        return Reply(404, {"title": "Not Found"})


def serve(fake: XFake) -> FakeHTTPServer:
    """A running server for ``fake`` (use ``with``)."""
    return FakeHTTPServer(fake.route)
