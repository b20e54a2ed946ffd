"""A fake Jetstream (v2 ``xrpc.v1.json`` frames over WebSocket) and a fake AppView.

Each connection plays the next script of raw text frames, then closes cleanly, drops, or
holds. ``commit(...)`` builds a post commit in the documented shape.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.sync.server import ServerConnection

from tests.fakes.http import FakeHTTPServer, Reply, Request
from tests.fakes.ws import FakeWebSocketServer

NSID = "network.bsky.jetstream.subscribeEvents"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
_B32 = "234567abcdefghijklmnopqrstuvwxyz"


def tid(n: int) -> str:
    """A 13-character record key / rev that sorts by ``n``."""
    out = ""
    for _ in range(13):
        out = _B32[n % 32] + out
        n //= 32
    return "3" + out[1:]


def did(user: str) -> str:
    """A did:plc for a test user."""
    return "did:plc:" + (user * 24)[:24]


def commit(
    seq: int, text: str = "brightloop broke again", *, user: str = "critic", op: str = "create"
) -> str:
    """A Jetstream v2 message frame carrying one post commit."""
    at = (T0 + timedelta(seconds=seq)).isoformat().replace("+00:00", "Z")
    payload: dict[str, Any] = {
        "$type": f"{NSID}#commit",
        "did": did(user),
        "collection": "app.bsky.feed.post",
        "operation": op,
        "rev": tid(seq),
        "rkey": tid(seq),
        "seq": seq,
        "time": at,
        "witnessed_at": at,
    }
    if op != "delete":
        payload["cid"] = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"
        payload["record"] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": at,
            "langs": [],
        }
    return json.dumps({"$type": "message", "payload": payload}, ensure_ascii=False)


def delete(seq: int, of: int, user: str = "critic") -> str:
    """A delete commit for the post created at ``of``."""
    frame = json.loads(commit(seq, user=user, op="delete"))
    frame["payload"]["rkey"] = tid(of)
    return json.dumps(frame)


@dataclass
class JetstreamFake:
    """What each connection replays, and how it ends (close | drop | hold)."""

    scripts: list[list[str]] = field(default_factory=list)
    end: str = "hold"
    cursors: list[str | None] = field(default_factory=list)
    profile_errors: int = 0
    profile_calls: list[list[str]] = field(default_factory=list)

    def handle(self, conn: ServerConnection, path: str) -> None:
        self.cursors.append((parse_qs(urlsplit(path).query).get("cursor") or [None])[0])
        script = self.scripts.pop(0) if self.scripts else []
        for frame in script:
            conn.send(frame)
        if self.end == "drop" and script:
            conn.close(1011, "gone")  # an error close: the client reconnects
            return
        if self.end == "close" or not script:
            if not script and self.end != "close":
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    try:
                        conn.recv(timeout=0.1)
                    except TimeoutError:
                        continue
                    except Exception:
                        return
            conn.close()
            return
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                conn.recv(timeout=0.1)
            except TimeoutError:
                continue
            except Exception:
                return

    def appview(self, req: Request) -> Reply:
        actors = req.query.get("actors", [])
        self.profile_calls.append(actors)
        if self.profile_errors:
            self.profile_errors -= 1
            return Reply(503, {"error": "down"})
        profiles = [
            {"did": a, "handle": a.rsplit(":", 1)[1][:6] + ".bsky.social", "followersCount": 42}
            for a in actors
        ]
        return Reply(body={"profiles": profiles})


def servers(fake: JetstreamFake) -> tuple[FakeWebSocketServer, FakeHTTPServer]:
    """The Jetstream and AppView servers for ``fake`` (enter both)."""
    return FakeWebSocketServer(fake.handle, subprotocols=["xrpc.v1.json"]), FakeHTTPServer(
        fake.appview
    )
