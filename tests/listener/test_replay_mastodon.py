"""Mastodon replayed from the documented shapes: statuses, SSE events, a drop and its gap.

``tests/fixtures/mastodon`` holds the hashtag timeline (statuses in the documented ``Status``
shape) and the raw SSE of two stream connections as an instance sends them (``:)`` on
connect, ``:thump`` heartbeats, ``event: update`` / ``delete`` / ``status.update``). The
first connection carries a late federated status (older than the cursor) and a deletion,
then drops; two statuses are posted while the stream is away (the gap), which only the
backfill from ``min_id`` can find; the second connection repeats one of them, edits a
status, and carries one without ``url``, ``language``, display name or counts.
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
from listener.sources.mastodon import MastodonHashtagSource, MastodonSearchSource, make_client
from store.models import Author, Mention
from store.writer import load_cursor
from tests.fakes.http import Reply, Request
from tests.fakes.mastodon import MastodonFake, serve

RunLoop = Callable[..., LoopStats]
FIXTURES = Path(__file__).parents[1] / "fixtures" / "mastodon"


def _timeline() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = json.loads(
        (FIXTURES / "hashtag_timeline.json").read_text(encoding="utf-8")
    )
    return data


def _sse_statuses(name: str) -> list[dict[str, Any]]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return [
        json.loads(line[len("data: ") :])
        for line in text.splitlines()
        if line.startswith("data: {")
    ]


class ReplayedInstance(MastodonFake):
    """The fake instance, its stream connections played byte for byte from the fixtures."""

    def __init__(self, statuses: list[dict[str, Any]], connections: list[bytes]) -> None:
        super().__init__(statuses=statuses)
        self.connections = connections

    def route(self, req: Request) -> Reply:
        if not req.path.startswith("/api/v1/streaming/hashtag"):
            return super().route(req)
        raw = self.connections.pop(0) if self.connections else b":)\n\n"
        more = bool(self.connections)
        return Reply(
            headers={"Content-Type": "text/event-stream"},
            stream=[raw],
            drop=more,  # every connection but the last is cut, as a restarting instance does
            hold=0.0 if more else 30.0,
        )


def _rows(engine: Engine) -> dict[str, tuple[Mention, Author | None]]:
    with Session(engine) as s:
        pairs = s.execute(select(Mention, Author).outerjoin(Author, Mention.author_id == Author.id))  # type: ignore[arg-type]
        return {m.external_id: (m, a) for m, a in pairs.all()}


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def test_replay__stream_drop_gap_late_deleted_edited_and_bare_statuses(
    engine: Engine, run_loop: RunLoop
) -> None:
    timeline = _timeline()
    gap = [{**s, "_visible_from": 2} for s in timeline["posted_while_disconnected"]]
    first, second = ((FIXTURES / f"stream_connection_{n}.sse").read_bytes() for n in (1, 2))
    fake = ReplayedInstance(timeline["before_connect"] + gap, [first, second])
    with serve(fake) as server:
        src = MastodonHashtagSource(make_client(server.url, "token-placeholder"), "brightloop")
        stats = run_loop(src, lambda s: s.stored >= 6 and s.deleted >= 1 and s.edited >= 1)
        min_ids = [r.arg("min_id") for r in server.requests if "/timelines/tag/" in r.path]

    statuses = {s["id"]: s for s in timeline["before_connect"] + gap}
    streamed = _sse_statuses("stream_connection_1.sse") + _sse_statuses("stream_connection_2.sse")
    for s in streamed:
        statuses.setdefault(s["id"], s)
    late, edit, bare = streamed[0], streamed[2], streamed[3]
    deleted_id = next(
        line[len("data: ") :]
        for line in first.decode().splitlines()
        if line.startswith("data: ") and not line.startswith("data: {")
    )

    rows = _rows(engine)
    assert sorted(rows) == sorted(statuses)  # each status once: the repeated one too
    for sid, s in statuses.items():
        mention, author = rows[sid]
        assert mention.created_at == _at(s["created_at"]), sid  # its own time, not the import's
        assert author is not None and author.platform_id == s["account"]["id"], sid
        assert author.handle == s["account"]["acct"]
    # the gap: the backfill after the drop asked for what came after the newest id seen
    newest_before_drop = max(int(s["id"]) for s in timeline["before_connect"])
    assert min_ids[0] is None and str(newest_before_drop) in min_ids[1:]
    # the late status is kept, and never moves the cursor back
    assert int(late["id"]) < newest_before_drop and not rows[late["id"]][0].deleted
    assert rows[deleted_id][0].deleted and rows[deleted_id][0].text == ""
    assert "back up now" in rows[edit["id"]][0].text and rows[edit["id"]][0].edited_at is not None
    # missing fields stay missing, or fall back to what the status does say
    bare_row, bare_author = rows[bare["id"]]
    assert bare["url"] is None and bare_row.url == bare["uri"]
    # the same author was seen with counts before: a status that omits them does not erase them
    assert "followers_count" not in bare["account"] and bare_author is not None
    assert bare_author.followers == late["account"]["followers_count"]
    assert bare_author.platform_id == late["account"]["id"]
    assert load_cursor(engine, src.name) == max(statuses, key=int)
    assert stats.duplicates >= 1


def test_replay__search_polls_page_by_page_from_min_id(engine: Engine, run_loop: RunLoop) -> None:
    """More new statuses between two polls than one page holds: none is skipped.

    Without ``min_id`` search answers the newest page; with it, the page just above it, so
    each poll starts above the last status read until the burst is read through.
    """
    template = _timeline()["posted_while_disconnected"][0]

    def numbered(i: int) -> dict[str, Any]:
        sid = str(int(template["id"]) + i * 65536)
        return {**template, "id": sid, "uri": f"{template['uri'][: -len(template['id'])]}{sid}"}

    seen = [numbered(i) for i in range(2)]
    burst = [numbered(i) for i in range(2, 47)]
    fake = MastodonFake(statuses=list(seen))
    with serve(fake) as server:
        src = MastodonSearchSource(make_client(server.url, "t"), "brightloop", poll_interval=5)

        def until(s: LoopStats) -> bool:
            if s.stored >= 2 and len(fake.statuses) == len(seen):
                fake.statuses.extend(burst)
            return s.stored >= len(seen) + len(burst)

        run_loop(src, until)
        min_ids = [r.arg("min_id") for r in server.requests if r.path == "/api/v2/search"]
    rows = _rows(engine)
    assert sorted(rows) == sorted(s["id"] for s in seen + burst)
    assert min_ids[0] is None
    assert [seen[-1]["id"], burst[19]["id"], burst[39]["id"]] == [
        m for m in dict.fromkeys(min_ids[1:]) if m is not None
    ][:3]
    assert load_cursor(engine, src.name) == burst[-1]["id"]
