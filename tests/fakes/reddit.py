"""A fake Reddit: the OAuth token endpoint and the listings praw polls (documented shapes).

Listings are ``{"kind": "Listing", "data": {"after": null, "children": [...]}}`` with
each child's ``name`` its fullname (``t1_…`` comments, ``t3_…`` submissions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http import FakeHTTPServer, Reply, Request

T0 = 1_772_366_400.0  # 2026-03-01T12:00:00Z


def comment(i: int, body: str = "brightloop lost my order", **extra: Any) -> dict[str, Any]:
    """A comment thing."""
    data = {
        "id": f"c{i}", "name": f"t1_c{i}", "body": body, "author": "critic",
        "author_fullname": "t2_critic", "created_utc": T0 + i, "link_id": "t3_p1",
        "parent_id": "t3_p1", "permalink": f"/r/gadgets/comments/p1/_/c{i}/",
        "subreddit": "gadgets", "edited": False, "score": 1,
    }  # fmt: skip
    data.update(extra)
    return {"kind": "t1", "data": data}


def submission(i: int, title: str = "Brightloop outage?", selftext: str = "") -> dict[str, Any]:
    """A submission thing."""
    return {
        "kind": "t3",
        "data": {
            "id": f"p{i}", "name": f"t3_p{i}", "title": title, "selftext": selftext,
            "author": "ann", "author_fullname": "t2_ann", "created_utc": T0 + i,
            "permalink": f"/r/gadgets/comments/p{i}/_/", "subreddit": "gadgets", "edited": False,
            "removed_by_category": None,
        },
    }  # fmt: skip


@dataclass
class RedditFake:
    """Listings by path and queued errors."""

    comments: list[dict[str, Any]] = field(default_factory=list)
    submissions: list[dict[str, Any]] = field(default_factory=list)
    search: list[dict[str, Any]] = field(default_factory=list)
    errors: list[Reply] = field(default_factory=list)

    def route(self, req: Request) -> Reply:
        if req.path == "/api/v1/access_token":
            return Reply(
                body={
                    "access_token": "tok",
                    "token_type": "bearer",
                    "expires_in": 3600,
                    "scope": "*",
                }
            )
        if self.errors:
            return self.errors.pop(0)
        if req.path.endswith("/comments") or req.path.endswith("/comments/"):
            return Reply(body=_listing(self.comments))
        if req.path.rstrip("/").endswith("/new"):
            return Reply(body=_listing(self.submissions))
        if req.path.rstrip("/").endswith("/search"):
            return Reply(body=_listing(self.search))
        return Reply(404, {"message": "Not Found", "error": 404})


def _listing(things: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(things, key=lambda t: -t["data"]["created_utc"])
    return {"kind": "Listing", "data": {"after": None, "before": None, "children": ordered}}


def serve(fake: RedditFake) -> FakeHTTPServer:
    """A running server for ``fake`` (use ``with``)."""
    return FakeHTTPServer(fake.route)
