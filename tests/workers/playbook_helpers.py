"""Shared pieces of the one-playbook-worker tests: scored critics' posts, what was worked."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from core.clock import utcnow
from playbooks.runner import CURSOR_NAME
from store.models import Author, CaseEvent, Mention, Score, SourceCursor
from store.playbook_feed import FeedCursor
from store.wakeup import SCORES_CHANNEL, notify
from tests.workers.helpers import REPO, WorkerProc

#: Run the real CLI in a fresh interpreter (the console script is not needed).
CLI = "import sys; from critic2fan.cli import main; sys.exit(main(sys.argv[1:]))"


def add_critics(engine: Engine, start: int, count: int) -> list[int]:
    """``count`` angry posts, each by a new author and scored, announced as new scores.

    Every post opens a case of its own, so each is worked exactly once when its case has one
    ``opened`` event naming it. Times lie two days back, clear of the spike check's window.
    """
    base = utcnow() - timedelta(days=2)
    with engine.begin() as conn:
        authors = [
            {"platform": "x", "platform_id": f"critic{n}", "handle": f"critic{n}",
             "is_brand": False, "first_seen": base, "last_seen": base}
            for n in range(start, start + count)
        ]  # fmt: skip
        conn.execute(insert(Author), authors)
        ids = dict(
            conn.execute(
                select(Author.platform_id, Author.id).where(
                    Author.platform_id.in_([a["platform_id"] for a in authors])  # type: ignore[attr-defined]
                )
            ).all()
        )
        mentions = [
            {"source": "x", "external_id": f"post{n}", "author_id": ids[f"critic{n}"],
             "text": "Brightloop billed me twice and support never answers", "lang": "en",
             "created_at": base + timedelta(seconds=n), "fetched_at": base, "deleted": False}
            for n in range(start, start + count)
        ]  # fmt: skip
        conn.execute(insert(Mention), mentions)
        mention_ids = list(
            conn.execute(
                select(Mention.id)
                .where(Mention.external_id.in_([m["external_id"] for m in mentions]))  # type: ignore[attr-defined]
                .order_by(Mention.id)
            ).scalars()
        )
        conn.execute(
            insert(Score),
            [
                {"mention_id": m, "model_name": "fake", "model_version": "1",
                 "sentiment_label": "negative", "p_negative": 0.9, "p_neutral": 0.1,
                 "p_positive": 0.0, "sentiment": -0.9, "toxicity": 0.0,
                 "troll_likelihood": 0.0, "troll_reasons": [], "language_supported": True,
                 "scored_at": base}
                for m in mention_ids
            ],
        )  # fmt: skip
        notify(conn, SCORES_CHANNEL)
    return mention_ids


def worked_max_id(engine: Engine) -> int:
    """The highest mention id the playbook's cursor has passed."""
    with engine.connect() as conn:
        value = conn.execute(
            select(SourceCursor.value).where(SourceCursor.name == CURSOR_NAME)
        ).scalar_one_or_none()
    return FeedCursor.load(value).max_id


def opened_per_mention(engine: Engine) -> dict[int, int]:
    """How many ``opened`` case events name each mention (1 each: worked exactly once)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(CaseEvent.mention_id, func.count())
            .where(CaseEvent.kind == "opened")
            .group_by(CaseEvent.mention_id)
        ).all()
    return {int(m): int(n) for m, n in rows if m is not None}


def start_playbook_worker(url: str, log: Path, *, interval: float = 1.0) -> WorkerProc:
    """``critic2fan --db URL -v playbook run --worker`` in its own process, output to ``log``."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with log.open("wb") as handle:
        proc = subprocess.Popen(
            [sys.executable, "-c", CLI, "--db", url, "-v", "playbook", "run", "--worker",
             "--interval", str(interval)],
            cwd=REPO,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    return WorkerProc(proc, log)
