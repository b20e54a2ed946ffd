"""A fake Reddit that also takes replies and messages, and lists the brand's comments and sent box.

It extends the read fake (:class:`tests.fakes.reddit.RedditFake`): a posted comment joins
``comments``, so the subreddit listing shows it again (the listener's echo). Refusals come
the way Reddit sends them, as ``{"json": {"errors": [[TYPE, message, field]]}}`` with status
200: ``deleted`` parents (``DELETED_COMMENT``), ``locked`` threads, ``closed`` inboxes
(``NOT_WHITELISTED_BY_USER_MESSAGE``); :data:`RATELIMIT` (with its wait) is queued like any
fault. Faults: ``write_errors`` (served first to every write and lookup), ``lose_replies`` (the
reply is made, then the answer is a 503) and ``empty_answer``.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.http import FakeHTTPServer, Reply, Request
from tests.fakes.reddit import T0, RedditFake

BRAND = "brightloop"
DELETED = ("DELETED_COMMENT", "that comment has been deleted", "parent")
LOCKED = ("THREAD_LOCKED", "Comments are locked.", "parent")
CLOSED = ("NOT_WHITELISTED_BY_USER_MESSAGE", "You can't send a message to that user.", "to")
RATELIMIT = (
    "RATELIMIT",
    "Looks like you've been doing that a lot. Take a break for 5 minutes before trying again.",
    "ratelimit",
)


def api_error(*items: tuple[str, str, str]) -> Reply:
    """Reddit's refusal: status 200 with ``json.errors``."""
    return Reply(body={"json": {"errors": [list(i) for i in items]}})


@dataclass
class RedditWriteFake(RedditFake):
    """The read fake plus replies, messages, the brand's comments and its sent box."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    write_errors: list[Reply] = field(default_factory=list)
    deleted: set[str] = field(default_factory=set)
    locked: set[str] = field(default_factory=set)
    closed: set[str] = field(default_factory=set)
    lose_replies: int = 0
    empty_answer: bool = False  # Reddit posts the reply but shows no thing back
    created_utc: float = T0 + 1800
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def route(self, req: Request) -> Reply:
        path = req.path.rstrip("/")
        writes = path in ("/api/comment", "/api/compose", "/message/sent")
        writes |= path == f"/user/{BRAND}/comments"
        if not writes:
            return super().route(req)
        with self._lock:
            if self.write_errors:
                return self.write_errors.pop(0)
            if path == "/api/comment":
                return self._comment(_form(req))
            if path == "/api/compose":
                return self._compose(_form(req))
            if path == "/message/sent":
                return Reply(body=_listing(self.messages))
            return Reply(body=_listing(self.sent))

    def _comment(self, form: dict[str, str]) -> Reply:
        parent = form.get("thing_id", "")
        if parent in self.deleted:
            return api_error(DELETED)
        if parent in self.locked:
            return api_error(LOCKED)
        n = next(self._ids)
        link = parent if parent.startswith("t3_") else "t3_p1"
        thing = {
            "kind": "t1",
            "data": {
                "id": f"r{n}", "name": f"t1_r{n}", "body": form.get("text", ""),
                "author": BRAND, "author_fullname": "t2_brand", "created_utc": self.created_utc,
                "link_id": link, "parent_id": parent,
                "permalink": f"/r/gadgets/comments/{link[3:]}/_/r{n}/",
                "subreddit": "gadgets", "edited": False, "score": 1,
            },
        }  # fmt: skip
        self.sent.append(thing)
        self.comments.append(thing)
        if self.lose_replies:
            self.lose_replies -= 1
            return Reply(503, {"message": "Service Unavailable", "error": 503})
        things = [] if self.empty_answer else [thing]
        return Reply(body={"json": {"errors": [], "data": {"things": things}}})

    def _compose(self, form: dict[str, str]) -> Reply:
        to = form.get("to", "")
        if to.lower() in self.closed:
            return api_error(CLOSED)
        n = next(self._ids)
        self.messages.append(
            {
                "kind": "t4",
                "data": {
                    "id": f"m{n}", "name": f"t4_m{n}", "dest": to, "author": BRAND,
                    "subject": form.get("subject", ""), "body": form.get("text", ""),
                    "created_utc": self.created_utc, "was_comment": False, "replies": "",
                    "parent_id": None, "first_message_name": None, "subreddit": None,
                },
            }
        )  # fmt: skip
        if self.lose_replies:
            self.lose_replies -= 1
            return Reply(503, {"message": "Service Unavailable", "error": 503})
        return Reply(body={"json": {"errors": []}})


def _form(req: Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(req.body.decode()).items()}


def _listing(things: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = things[::-1]
    return {"kind": "Listing", "data": {"after": None, "before": None, "children": ordered}}


def serve(fake: RedditWriteFake) -> FakeHTTPServer:
    """A running server for ``fake`` (use ``with``)."""
    return FakeHTTPServer(fake.route)
