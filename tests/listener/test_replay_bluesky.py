"""Bluesky replayed from Jetstream's documented v2 frames: a drop, the replay from its cursor.

``tests/fixtures/bluesky`` holds the raw frames of two Jetstream connections
(``network.bsky.jetstream.subscribeEvents``: ``#commit`` creates and deletes, ``#identity``,
``#account``) and the AppView's ``app.bsky.actor.getProfiles`` answer. The first connection
carries a post, one that does not name the brand, a handle change, a late post (written
hours before Jetstream saw it) and a post without ``createdAt`` or ``langs``, then drops.
The second replays from the cursor, inclusive (so it repeats the last event), then the
post made while disconnected (the gap), the deletion of the late post, an account
deactivation, and a post by an author the AppView does not know.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from listener.loop import LoopStats
from listener.sources.bluesky import POST, BlueskySource, time_us
from store.gaps import GapLog, recent_gaps
from store.models import Author, Mention
from store.writer import load_cursor
from tests.fakes.bluesky import JetstreamFake
from tests.fakes.http import FakeHTTPServer, Reply, Request
from tests.fakes.ws import FakeWebSocketServer
from tests.listener.conftest import MATCHER

RunLoop = Callable[..., LoopStats]
FIXTURES = Path(__file__).parents[1] / "fixtures" / "bluesky"


def _frames(name: str) -> list[str]:
    return (FIXTURES / name).read_text(encoding="utf-8").splitlines()


def _payloads(frames: list[str]) -> list[dict[str, Any]]:
    return [json.loads(f)["payload"] for f in frames]


class AppView:
    """The AppView answering getProfiles from the fixture; unknown actors are left out."""

    def __init__(self) -> None:
        answer = json.loads((FIXTURES / "app_bsky_actor_getProfiles.json").read_text())
        self.profiles = {p["did"]: p for p in answer["profiles"]}

    def route(self, req: Request) -> Reply:
        actors = req.query.get("actors", [])
        return Reply(body={"profiles": [self.profiles[a] for a in actors if a in self.profiles]})


def _run(
    fake: JetstreamFake,
    run_loop: RunLoop,
    until: Callable[[LoopStats], bool],
    gaps: GapLog | None = None,
) -> str:
    appview = AppView()
    ws = FakeWebSocketServer(fake.handle, subprotocols=["xrpc.v1.json"])
    with ws, FakeHTTPServer(appview.route) as http:
        src = BlueskySource(ws.url + "/xrpc", http.url, MATCHER, reconnect_delay=lambda: 0.01)
        src.gaps = gaps
        run_loop(src, until)
        src.profiles.close()
    return src.name


def _rows(engine: Engine) -> dict[str, tuple[Mention, Author | None]]:
    with Session(engine) as s:
        pairs = s.execute(select(Mention, Author).outerjoin(Author, Mention.author_id == Author.id))  # type: ignore[arg-type]
        return {m.external_id: (m, a) for m, a in pairs.all()}


def _uri(p: dict[str, Any]) -> str:
    return f"at://{p['did']}/{POST}/{p['rkey']}"


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def test_replay__drop_cursor_replay_late_deleted_bare_and_unknown_author(
    engine: Engine, run_loop: RunLoop
) -> None:
    first, second = _frames("jetstream_connection_1.jsonl"), _frames("jetstream_connection_2.jsonl")
    fake = JetstreamFake(scripts=[first, second], end="drop")
    name = _run(fake, run_loop, lambda s: s.stored >= 5 and s.deleted >= 1)

    events = _payloads(first) + _payloads(second)
    posts = {
        _uri(p): p
        for p in events
        if p["$type"].endswith("#commit")
        and p["operation"] == "create"
        and "brightloop" in p["record"]["text"]
    }
    deletion = next(p for p in events if p.get("operation") == "delete")
    profiles = AppView().profiles

    rows = _rows(engine)
    assert sorted(rows) == sorted(posts)  # the replayed event once; no identity or account rows
    for uri, p in posts.items():
        mention, author = rows[uri]
        written = p["record"].get("createdAt") or p["time"]  # no createdAt: when Jetstream saw it
        assert mention.created_at == _at(written), uri
        assert author is not None and author.platform_id == p["did"], uri
        assert author.handle == profiles.get(p["did"], {}).get("handle", p["did"]), uri
    # the replay asked for the last event seen, and the drop lost nothing
    last_before_drop = _payloads(first)[-1]
    assert fake.cursors[0] is None and fake.cursors[1] == str(last_before_drop["seq"])
    late = rows[_uri(deletion)][0]
    assert late.deleted and late.text == ""
    assert late.created_at < _at(_payloads(first)[0]["time"])  # written before the others
    reply = next(p for p in posts.values() if "reply" in p["record"])
    assert rows[_uri(reply)][0].in_reply_to == reply["record"]["reply"]["parent"]["uri"]
    newest_post = max(posts.values(), key=lambda p: p["seq"])
    assert load_cursor(engine, name) == str(time_us(newest_post["witnessed_at"]))


def test_replay__restart_below_retention_is_told_and_goes_on(
    engine: Engine, run_loop: RunLoop
) -> None:
    """A saved cursor older than Jetstream keeps is clamped: an #info frame says so first."""
    first = _frames("jetstream_connection_1.jsonl")
    name = _run(JetstreamFake(scripts=[first]), run_loop, lambda s: s.stored >= 3)
    saved = load_cursor(engine, name)
    assert saved is not None

    outdated = json.dumps(
        {
            "$type": "message",
            "payload": {
                "$type": "network.bsky.jetstream.subscribeEvents#info",
                "name": "OutdatedCursor",
                "message": "cursor is older than the retention floor; resumed from seq 48213006",
            },
        }
    )
    again_frames = _frames("jetstream_connection_2.jsonl")[1:]
    again = JetstreamFake(scripts=[[outdated, *again_frames]])
    _run(again, run_loop, lambda s: s.stored >= 2, gaps=GapLog(engine))
    assert again.cursors[0] == str(int(saved) - 5_000_000)  # a timestamp cursor, rewound 5 s
    assert len(_rows(engine)) == 5
    with engine.connect() as conn:
        gaps = recent_gaps(conn, since=datetime(2000, 1, 1, tzinfo=UTC))
    assert len(gaps) == 1, gaps  # the range Jetstream no longer held is on record
    first_replayed = json.loads(again_frames[0])["payload"]["witnessed_at"]
    assert gaps[0].source == name
    assert gaps[0].start == datetime.fromtimestamp(int(saved) / 1e6, UTC)
    assert gaps[0].end == _at(first_replayed)
    assert "OutdatedCursor" not in gaps[0].reason and "retention floor" in gaps[0].reason
