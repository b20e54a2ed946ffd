"""Three sender processes post 60 approved replies on PostgreSQL, the platform failing now and
then; one is SIGKILLed after the platform took its post but before it recorded it, and a new one
starts: every reply is posted exactly once and recorded sent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from store import outbox
from store.models import Author, Case, Mention, OutboxItem
from tests.outbound.http_platform import Platform, serve
from tests.workers.helpers import REPO, WorkerProc, stop_workers, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

REPLIES = 60
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _approved_replies(engine: Engine, count: int) -> None:
    with Session(engine) as s:
        author = Author(platform="x", platform_id="1", handle="ana")
        s.add(author)
        s.flush()
        assert author.id is not None
        mention = Mention(
            source="x", external_id="c1", author_id=author.id, text="fee!", created_at=T0
        )
        s.add(mention)
        s.flush()
        case = Case(author_id=author.id, source="x", latest_mention_id=mention.id)
        s.add(case)
        s.flush()
        assert case.id is not None
        for i in range(count):
            item = outbox.create_draft(
                s,
                case_id=case.id,
                mention_id=mention.id,
                platform="x",
                text=f"reply {i}",
                private=False,
                drafted_by="user:ann",
                now=T0,
            )
            assert item.id is not None
            outbox.approve(s, item.id, approved_by="user:lee", now=T0)
        s.commit()


def _states(engine: Engine) -> Counter[str]:
    with engine.connect() as conn:
        return Counter(conn.execute(select(OutboxItem.state)).scalars())


def _start(db: str, base: str, name: str, log_dir: Path) -> WorkerProc:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    log = log_dir / f"{name}.log"
    with log.open("wb") as handle:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.outbound.sender_process", "--db", db,
             "--platform-url", base, "--name", name, "--lease-seconds", "2"],
            cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return WorkerProc(proc, log)


def test_three_senders__one_killed_mid_send__every_reply_posted_once(
    pg_server: object, pg_engine: Engine, tmp_path: Path
) -> None:
    _approved_replies(pg_engine, REPLIES)
    platform = Platform(fail_every=7)
    platform.hang_after_post = "victim"
    server = serve(platform)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    db = pg_server.url  # type: ignore[attr-defined]
    workers = [_start(db, base, name, tmp_path) for name in ("victim", "two", "three")]
    try:
        wait_for(platform.hanging.is_set, timeout=60, what="the victim mid-send", workers=workers)
        os.kill(workers[0].pid, signal.SIGKILL)
        assert workers[0].proc.wait(10) == -signal.SIGKILL
        with pg_engine.connect() as conn:
            stranded = conn.execute(
                select(OutboxItem.text).where(OutboxItem.lease_owner == "victim",
                                              OutboxItem.state == "sending")
            ).scalars().all()  # fmt: skip
        workers.append(_start(db, base, "restarted", tmp_path))
        wait_for(lambda: _states(pg_engine)["sent"] == REPLIES, timeout=120,
                 what="every reply sent", workers=workers)  # fmt: skip
    finally:
        platform.release.set()
        codes = stop_workers(workers)[1:]
        server.shutdown()

    posted = Counter(p["text"] for p in platform.posts)
    assert stranded, "the kill landed outside a send; nothing was left to reconcile"
    assert len(posted) == REPLIES and set(posted.values()) == {1}, posted.most_common(3)
    assert codes == [0, 0, 0], [w.output()[-2000:] for w in workers[1:]]
    with Session(pg_engine) as s:
        rows = s.exec(select(OutboxItem)).scalars().all()  # type: ignore[call-overload]
    ids = {p["text"]: p["id"] for p in platform.posts}
    assert all(r.platform_post_id == ids[r.text] for r in rows)
    assert platform.requests > REPLIES  # the platform's 429s and 5xx were retried
