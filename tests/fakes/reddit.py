"""A fake Reddit: the OAuth token endpoint and the listings praw polls (documented shapes).

Listings are ``{"kind": "Listing", "data": {"after": null, "children": [...]}}`` with
each child's ``name`` its fullname (``t1_…`` comments, ``t3_…`` submissions), newest first,
paged like Reddit's: ``limit`` items (25 by default, at most 100) after the fullname in
``after``, and ``after`` in the answer naming the page's last item while more remain. A
listing of ``/r/<name>`` holds only the things of that subreddit (``a+b`` several; ``all``
every one); search answers every thing queued in ``search`` whatever the query (the platform
matched them).
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
    #: The listing and search requests served, in order.
    listed: list[Request] = field(default_factory=list)

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
        path = req.path.rstrip("/")
        things: list[dict[str, Any]] | None = None
        if path.endswith("/comments"):
            things = self.comments
        elif path.endswith("/new"):
            things = self.submissions
        elif path.endswith("/search"):
            things = self.search
        if things is None:
            return Reply(404, {"message": "Not Found", "error": 404})
        self.listed.append(req)
        return Reply(body=_listing(_in_subreddit(things, path), req))


def _in_subreddit(things: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    parts = path.split("/")
    if len(parts) < 3 or parts[1] != "r" or parts[2].lower() == "all":
        return things
    names = {n.lower() for n in parts[2].split("+")}
    return [t for t in things if str(t["data"].get("subreddit", "")).lower() in names]


def _listing(things: list[dict[str, Any]], req: Request) -> dict[str, Any]:
    ordered = sorted(things, key=lambda t: -t["data"]["created_utc"])
    after = req.arg("after")
    if after:
        names = [t["data"]["name"] for t in ordered]
        ordered = ordered[names.index(after) + 1 :] if after in names else []
    limit = min(int(req.arg("limit") or 25), 100)
    page, more = ordered[:limit], len(ordered) > limit
    last = page[-1]["data"]["name"] if page and more else None
    return {"kind": "Listing", "data": {"after": last, "before": None, "children": page}}


def serve(fake: RedditFake) -> FakeHTTPServer:
    """A running server for ``fake`` (use ``with``)."""
    return FakeHTTPServer(fake.route)


@dataclass
class RedditReplay:
    """Recorded polls of one listing, replayed: each first-page request moves to the next poll.

    ``polls`` are what Reddit held at each poll: ``listing`` (the whole listing, paged by
    ``after``/``limit`` like Reddit's) and optionally ``search`` (what a keyword search
    answered then). After the last poll the listing stays as it was.
    """

    polls: list[dict[str, Any]]
    served: int = 0
    listed: list[Request] = field(default_factory=list)

    def route(self, req: Request) -> Reply:
        if req.path == "/api/v1/access_token":
            return RedditFake().route(req)
        path = req.path.rstrip("/")
        self.listed.append(req)
        searching = path.endswith("/search") and "search" in self.polls[self._now()]
        if not req.arg("after") and not searching:
            self.served += 1
        poll = self.polls[self._now()]
        listing = poll.get("search") if searching else poll["listing"]
        return Reply(body=_listing(listing["data"]["children"], req))

    def _now(self) -> int:
        return min(max(self.served - 1, 0), len(self.polls) - 1)
