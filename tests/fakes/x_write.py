"""A fake X API v2 that also takes writes: tweets, replies, private messages, the brand's timeline.

It extends the read fake (:class:`tests.fakes.x.XFake`): a posted tweet joins ``tweets``, so
recent search finds it again, as the listener's echo would. Faults are scripted per request
(``write_errors``, served first to every write and lookup) or per target: ``deleted`` posts,
``blocked`` authors, ``restricted`` posts (X's Feb-2026 rule: the post does not mention the
brand), ``closed`` inboxes, and ``lose_replies`` (the tweet is made, then the answer is a 503,
as when a gateway times out after the call went through).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http import FakeHTTPServer, Reply, Request
from tests.fakes.x import XFake

BRAND_ID = "900"
BRAND = {"id": BRAND_ID, "username": "brightloop", "name": "Brightloop"}

DELETED = "You attempted to reply to a Tweet that is deleted or not visible to you."
BLOCKED = "You are not allowed to reply to this Tweet because its author has blocked you."
RESTRICTED = (
    "Reply to this conversation is not allowed because you have not been mentioned or otherwise "
    "engaged by the author of the post you are replying to."
)
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
CLOSED = "You cannot send messages to this user."


def problem(status: int, detail: str) -> Reply:
    """An X v2 problem document, as the API answers a refused write."""
    titles = {400: "Invalid Request", 403: "Forbidden", 404: "Not Found"}
    return Reply(
        status,
        {
            "title": titles.get(status, "Error"),
            "detail": detail,
            "type": "about:blank",
            "status": status,
        },
    )


def rate_limited(reset_epoch: int) -> Reply:
    """A 429 with X's reset header (Unix seconds)."""
    return Reply(
        429,
        {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429},
        headers={"x-rate-limit-reset": str(reset_epoch), "x-rate-limit-remaining": "0"},
    )


@dataclass
class XWriteFake(XFake):
    """The read fake plus write endpoints and the brand's own timeline and messages."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    write_errors: list[Reply] = field(default_factory=list)
    deleted: set[str] = field(default_factory=set)
    blocked: set[str] = field(default_factory=set)
    restricted: set[str] = field(default_factory=set)
    closed: set[str] = field(default_factory=set)
    lose_replies: int = 0
    clock: str = "2026-03-01T12:30:00.000Z"
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(5_000_000))

    def route(self, req: Request) -> Reply:
        writes = req.path == "/2/tweets" and req.method == "POST"
        writes |= req.path.startswith("/2/dm_conversations/")
        writes |= req.path.startswith("/2/users/")
        if not writes:
            return super().route(req)
        with self._lock:
            if self.write_errors:
                return self.write_errors.pop(0)
            if req.path == "/2/users/me":
                return Reply(body={"data": BRAND})
            if req.path == f"/2/users/{BRAND_ID}/tweets":
                return self._timeline(req)
            if req.path == "/2/tweets":
                return self._tweet(req.json())
            participant = req.path.split("/")[4]
            if req.method == "POST":
                return self._message(participant, req.json())
            return self._events(participant)
        return Reply(404, {"title": "Not Found"})

    def _tweet(self, body: dict[str, Any]) -> Reply:
        text = body.get("text") or ""
        parent = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if parent in self.deleted:
            return problem(403, DELETED)
        if parent in self.blocked:
            return problem(403, BLOCKED)
        if parent in self.restricted:
            return problem(403, RESTRICTED)
        if any(t["text"] == text for t in self.sent):
            return problem(403, DUPLICATE)
        tweet_id = str(next(self._ids))
        tweet = {
            "id": tweet_id,
            "text": text,
            "author_id": BRAND_ID,
            "created_at": self.clock,
            "conversation_id": parent or tweet_id,
            "edit_history_tweet_ids": [tweet_id],
        }
        if parent:
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": parent}]
        self.sent.append(tweet)
        self.tweets.append(tweet)
        if self.lose_replies:
            self.lose_replies -= 1
            return problem(503, "Service Unavailable")
        return Reply(201, {"data": {"id": tweet_id, "text": text}})

    def _timeline(self, req: Request) -> Reply:
        start = req.arg("start_time") or ""
        found = [t for t in self.sent if t["created_at"][:19] >= start[:19]]
        found.sort(key=lambda t: -int(t["id"]))
        meta = {"result_count": len(found)}
        return Reply(body={"data": found, "meta": meta} if found else {"meta": meta})

    def _message(self, participant: str, body: dict[str, Any]) -> Reply:
        if participant in self.closed:
            return problem(403, CLOSED)
        event_id = str(next(self._ids))
        conversation = f"{BRAND_ID}-{participant}"
        self.messages.append(
            {
                "id": event_id,
                "event_type": "MessageCreate",
                "text": body.get("text") or "",
                "sender_id": BRAND_ID,
                "created_at": self.clock,
                "dm_conversation_id": conversation,
                "participant": participant,
            }
        )
        if self.lose_replies:
            self.lose_replies -= 1
            return problem(503, "Service Unavailable")
        return Reply(201, {"data": {"dm_conversation_id": conversation, "dm_event_id": event_id}})

    def _events(self, participant: str) -> Reply:
        found = [
            {k: v for k, v in m.items() if k != "participant"}
            for m in self.messages
            if m["participant"] == participant
        ]
        return Reply(body={"data": found[::-1], "meta": {"result_count": len(found)}})


def serve(fake: XWriteFake) -> FakeHTTPServer:
    """A running server for ``fake`` (use ``with``)."""
    return FakeHTTPServer(fake.route)
