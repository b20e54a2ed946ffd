"""A fake Bluesky PDS for writes: sessions, posts by record key, and the chat service behind it.

XRPC over HTTP (``/xrpc/<nsid>``) in the documented shapes: ``createSession``, ``getProfile``,
``getPosts`` (the AppView, proxied by the PDS), ``createRecord``/``getRecord`` (a record key
that exists already is refused, as the PDS refuses it) and the chat methods
``getConvoForMembers``, ``sendMessage``, ``getMessages`` (asked with the ``atproto-proxy``
header). Posts the critic made live in ``posts``; a reply refers to them by ``at://`` URI.
Faults: ``write_errors`` (served first to everything after the login), ``deleted`` posts,
``closed`` inboxes, ``lose_replies`` (the record is made, then the answer is a 503).
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.bluesky import did, tid
from tests.fakes.http import FakeHTTPServer, Reply, Request

BRAND_HANDLE = "brightloop.bsky.social"
BRAND_DID = did("brightloop")
CID = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"
CLOSED = "recipient has disabled incoming messages"
T = "2026-03-01T12:30:00.000Z"


def post_uri(user: str, n: int) -> str:
    """The ``at://`` URI of a test user's ``n``-th post."""
    return f"at://{did(user)}/app.bsky.feed.post/{tid(n)}"


def xrpc_error(status: int, error: str, message: str, **headers: str) -> Reply:
    """An XRPC error answer: ``{"error": NAME, "message": words}``."""
    return Reply(status, {"error": error, "message": message}, headers=dict(headers))


def rate_limited(reset_epoch: int) -> Reply:
    """A 429 with the PDS's rate-limit headers (the reset in Unix seconds)."""
    return xrpc_error(
        429,
        "RateLimitExceeded",
        "Rate Limit Exceeded",
        **{
            "ratelimit-limit": "5000",
            "ratelimit-remaining": "0",
            "ratelimit-reset": str(reset_epoch),
        },
    )


def _jwt() -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    claims = {
        "sub": BRAND_DID,
        "scope": "com.atproto.appPassPrivileged",
        "exp": int(time.time()) + 7200,
    }
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2ln"


@dataclass
class BlueskyWriteFake:
    """The PDS's state: the critic's posts, the brand's records, conversations."""

    posts: dict[str, dict[str, Any]] = field(default_factory=dict)  # uri -> post record
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # brand rkey -> record
    messages: list[dict[str, Any]] = field(default_factory=list)
    write_errors: list[Reply] = field(default_factory=list)
    deleted: set[str] = field(default_factory=set)
    closed: set[str] = field(default_factory=set)
    lose_replies: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add_post(self, uri: str, text: str = "brightloop broke again", reply: Any = None) -> None:
        """A post by someone else that the brand may answer."""
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": T}
        if reply is not None:
            record["reply"] = reply
        self.posts[uri] = record

    def route(self, req: Request) -> Reply:
        nsid = req.path.removeprefix("/xrpc/")
        if nsid == "com.atproto.server.createSession":
            body = {"accessJwt": _jwt(), "refreshJwt": _jwt(), "handle": BRAND_HANDLE}
            return Reply(body={**body, "did": BRAND_DID, "active": True})
        if nsid == "app.bsky.actor.getProfile":
            return Reply(body={"did": BRAND_DID, "handle": BRAND_HANDLE})
        with self._lock:
            if self.write_errors:
                return self.write_errors.pop(0)
            handler = {
                "app.bsky.feed.getPosts": self._get_posts,
                "com.atproto.repo.createRecord": self._create,
                "com.atproto.repo.getRecord": self._get_record,
                "chat.bsky.convo.getConvoForMembers": self._convo,
                "chat.bsky.convo.sendMessage": self._send_message,
                "chat.bsky.convo.getMessages": self._get_messages,
            }.get(nsid)
            if handler is None:
                return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")
            if nsid.startswith("chat.") and not req.headers.get("atproto-proxy"):
                return xrpc_error(501, "MethodNotImplemented", "chat needs the atproto-proxy")
            return handler(req)

    def _get_posts(self, req: Request) -> Reply:
        views = []
        for uri in req.query.get("uris", []):
            if uri in self.posts and uri not in self.deleted:
                author = uri.split("/")[2]
                views.append(
                    {
                        "uri": uri, "cid": CID, "record": self.posts[uri], "indexedAt": T,
                        "author": {"did": author, "handle": "critic.bsky.social"},
                    }
                )  # fmt: skip
        return Reply(body={"posts": views})

    def _create(self, req: Request) -> Reply:
        body = req.json()
        rkey = body.get("rkey") or tid(100_000 + next(self._ids))
        if body.get("repo") != BRAND_DID or body.get("collection") != "app.bsky.feed.post":
            return xrpc_error(400, "InvalidRequest", "Invalid repo or collection")
        if rkey in self.records:
            return xrpc_error(400, "InvalidRequest", f"Record already exists at {rkey}")
        uri = f"at://{BRAND_DID}/app.bsky.feed.post/{rkey}"
        self.records[rkey] = body["record"]
        if self.lose_replies:
            self.lose_replies -= 1
            return xrpc_error(503, "ServiceUnavailable", "Service Unavailable")
        return Reply(body={"uri": uri, "cid": CID, "validationStatus": "valid"})

    def _get_record(self, req: Request) -> Reply:
        rkey = req.arg("rkey") or ""
        uri = f"at://{BRAND_DID}/app.bsky.feed.post/{rkey}"
        if req.arg("repo") != BRAND_DID or rkey not in self.records:
            return xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return Reply(body={"uri": uri, "cid": CID, "value": self.records[rkey]})

    def _convo(self, req: Request) -> Reply:
        members = req.query.get("members", [])
        if any(m in self.closed for m in members):
            return xrpc_error(400, "InvalidRequest", CLOSED)
        other = members[0] if members else ""
        convo = {
            "id": f"convo-{other[-6:]}", "rev": "1", "muted": False, "unreadCount": 0,
            "members": [
                {"did": BRAND_DID, "handle": BRAND_HANDLE},
                {"did": other, "handle": "critic.bsky.social"},
            ],
        }  # fmt: skip
        return Reply(body={"convo": convo})

    def _send_message(self, req: Request) -> Reply:
        body = req.json()
        message = {
            "id": f"msg{next(self._ids)}", "rev": "1", "text": body["message"]["text"],
            "sender": {"did": BRAND_DID}, "sentAt": T, "convo": body["convoId"],
        }  # fmt: skip
        self.messages.append(message)
        if self.lose_replies:
            self.lose_replies -= 1
            return xrpc_error(503, "ServiceUnavailable", "Service Unavailable")
        return Reply(body={k: v for k, v in message.items() if k != "convo"})

    def _get_messages(self, req: Request) -> Reply:
        convo = req.arg("convoId")
        found = [
            {k: v for k, v in m.items() if k != "convo"}
            for m in self.messages
            if m["convo"] == convo
        ]
        return Reply(body={"messages": found[::-1]})


def serve(fake: BlueskyWriteFake) -> FakeHTTPServer:
    """A running server for ``fake`` (use ``with``)."""
    return FakeHTTPServer(fake.route)
