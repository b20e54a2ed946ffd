"""A fake X API v2: stream rules, the filtered stream (chunked JSON lines), recent search.

tweepy's host is fixed to api.twitter.com; :func:`point_at` mounts a requests adapter that
rewrites every request to the loopback fake.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
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


#: X's snowflake epoch (ms): an id's top bits are milliseconds since then.
EPOCH_MS = 1288834974657


def id_at(moment: datetime, seq: int = 0) -> str:
    """A real-looking tweet id for a tweet posted at ``moment``."""
    return str(((int(moment.timestamp() * 1000) - EPOCH_MS) << 22) + seq)


def id_time(tweet_id: str) -> datetime:
    """When the tweet with this id was posted."""
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + EPOCH_MS) / 1000, UTC)


def tweet_at(
    moment: datetime, text: str = "@brightloop fix this", *, user: str | None = "100", seq: int = 0
) -> dict[str, Any]:
    """A v2 tweet posted at ``moment``, its id telling the same time (no author: ``user=None``)."""
    tid = id_at(moment, seq)
    t: dict[str, Any] = {
        "id": tid,
        "text": text,
        "created_at": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "lang": "en",
        "conversation_id": tid,
        "edit_history_tweet_ids": [tid],
    }
    if user is not None:
        t["author_id"] = user
    return t


def invalid(param: str, value: str, edge: datetime) -> Reply:
    """X's 400 for a ``since_id`` or ``start_time`` before the 7-day window."""
    when = edge.strftime("%Y-%m-%dT%H:%MZ")
    must = (
        f"'since_id' must be a tweet id created after {when}. Please use a 'since_id' that is "
        f"larger than {id_at(edge)}"
        if param == "since_id"
        else f"'start_time' must be on or after {when}"
    )
    return Reply(
        400,
        {
            "errors": [
                {"parameters": {param: [value]}, "message": f"Invalid '{param}':'{value}'. {must}"}
            ],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
    )


def _time_arg(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


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
    users: list[dict[str, Any]] = field(default_factory=lambda: list(USERS))
    #: Recent search's reach: set it to refuse older ``since_id``/``start_time`` as X does.
    window: timedelta | None = None
    #: Recorded search answers, served in order before ``tweets`` is searched.
    search_pages: list[Reply] = field(default_factory=list)
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
            return self._search(req)
        return Reply(404, {"title": "Not Found"})

    def _search(self, req: Request) -> Reply:
        if self.search_pages:
            return self.search_pages.pop(0)
        since_arg, start_arg = req.arg("since_id"), req.arg("start_time")
        if self.window is not None:
            edge = datetime.now(UTC) - self.window
            if since_arg and id_time(since_arg) < edge:
                return invalid("since_id", since_arg, edge)
            if start_arg and _time_arg(start_arg) < edge:
                return invalid("start_time", start_arg, edge)
        since = int(since_arg or 0)
        start = _time_arg(start_arg) if start_arg else None
        found = [
            t
            for t in self.tweets
            if int(t["id"]) > since and (start is None or id_time(t["id"]) >= start)
        ]
        found.sort(key=lambda t: -int(t["id"]))
        meta = {"result_count": len(found)}
        return Reply(
            body={"data": found, "includes": {"users": self.users}, "meta": meta}
            if found
            else {"meta": meta}
        )


def replay(path: Path) -> XFake:
    """A fake that answers as recorded in ``path`` (``tests/fixtures/x/*.json``).

    ``search`` is the sequence of recent-search (or mentions timeline) answers, each
    ``{"status": 200, "body": {...}}``; ``stream`` is a list of connections, each a list of
    raw lines (``"\\r\\n"`` alone is a keep-alive).
    """
    recorded = json.loads(path.read_text(encoding="utf-8"))
    fake = XFake(
        search_pages=[Reply(p.get("status", 200), p["body"]) for p in recorded.get("search", [])],
        stream_scripts=[[line.encode() for line in c] for c in recorded.get("stream", [])],
    )
    fake.stream_drop = bool(recorded.get("stream"))
    return fake


def serve(fake: XFake) -> FakeHTTPServer:
    """A running server for ``fake`` (use ``with``)."""
    return FakeHTTPServer(fake.route)
