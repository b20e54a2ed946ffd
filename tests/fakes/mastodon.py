"""A fake Mastodon instance: instance info, hashtag timeline, search, SSE hashtag stream.

Statuses are in the documented REST shape (``id`` as a string, HTML ``content``, nested
``account``). The stream plays ``stream_script`` per connection: a list of
``(event, data)`` pairs, then holds, drops or closes as told.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http import FakeHTTPServer, Reply, Request, sse

T = "2026-03-01T12:00:{:02d}.000Z"


def status(i: int, text: str = "I hate #brightloop", *, user: str = "critic") -> dict[str, Any]:
    """A status in the REST shape."""
    return {
        "id": str(i),
        "uri": f"https://fake.social/users/{user}/statuses/{i}",
        "url": f"https://fake.social/@{user}/{i}",
        "created_at": T.format(i % 60),
        "content": f"<p>{text}</p>",
        "spoiler_text": "",
        "visibility": "public",
        "language": None,
        "in_reply_to_id": None,
        "account": {
            "id": 7 if user == "critic" else 8,  # an int on purpose: normalized to str
            "username": user,
            "acct": user,
            "display_name": user.title(),
            "followers_count": 12,
            "following_count": 3,
            "created_at": "2020-01-01T00:00:00.000Z",
        },
        "tags": [{"name": "brightloop"}],
    }


@dataclass
class MastodonFake:
    """State and behaviour of the fake instance."""

    statuses: list[dict[str, Any]] = field(default_factory=list)
    stream_scripts: list[list[tuple[str, str]]] = field(default_factory=list)
    stream_end: str = "hold"  # hold | drop | close
    errors: list[Reply] = field(default_factory=list)  # served first, one per REST request
    timeline_calls: int = 0  # a status with "_visible_from": n shows from the n-th call on

    def route(self, req: Request) -> Reply:
        if req.path.rstrip("/") == "/api/v1/instance":
            return Reply(body={"uri": "fake.social", "version": "4.3.0", "urls": {}})
        if req.path.rstrip("/") == "/api/v2/instance":
            feeds = {"local": "public", "remote": "public"}
            return Reply(
                body={
                    "domain": "fake.social",
                    "version": "4.3.0",
                    "configuration": {
                        "urls": {},
                        "timelines_access": {"live_feeds": feeds, "hashtag_feeds": feeds},
                    },
                }
            )
        if req.path.startswith("/api/v1/streaming/hashtag"):
            script = self.stream_scripts.pop(0) if self.stream_scripts else []
            return Reply(
                headers={"Content-Type": "text/event-stream"},
                stream=sse(script),
                drop=self.stream_end == "drop",
                hold=30.0 if self.stream_end == "hold" else 0.0,
            )
        if self.errors:
            return self.errors.pop(0)
        if req.path.startswith("/api/v1/timelines/tag/"):
            self.timeline_calls += 1
            return Reply(body=self._page(req))
        if req.path == "/api/v2/search":
            return Reply(body={"accounts": [], "hashtags": [], "statuses": self._page(req)})
        return Reply(404, {"error": "Record not found"})

    def _page(self, req: Request) -> list[dict[str, Any]]:
        min_id = int(req.arg("min_id") or 0)
        limit = int(req.arg("limit") or 20)
        visible = [
            {k: v for k, v in s.items() if not k.startswith("_")}
            for s in self.statuses
            if int(s["id"]) > min_id and s.get("_visible_from", 0) <= self.timeline_calls
        ]
        ordered = sorted(visible, key=lambda s: int(s["id"]))
        # Like Mastodon: with min_id, the page just above it; without, the newest page.
        page = ordered[:limit] if req.arg("min_id") else ordered[-limit:]
        return list(reversed(page))  # newest first


def update(s: dict[str, Any]) -> tuple[str, str]:
    """An SSE ``update`` event."""
    return ("update", json.dumps(s))


def serve(fake: MastodonFake) -> FakeHTTPServer:
    """A running server for ``fake`` (use ``with``)."""
    return FakeHTTPServer(fake.route)
