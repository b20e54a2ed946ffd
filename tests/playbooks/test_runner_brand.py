"""Staff replies come from the brand's accounts only; a same-named account elsewhere is not."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.config import BrandAccounts
from listener.importer import import_file
from listener.matching import BrandIdentity
from playbooks.runner import process_pending
from playbooks.schema import Playbook
from store.models import Case, CaseEvent, Mention
from tests.playbooks.conftest import Feed

BRAND = BrandIdentity.from_settings(
    BrandAccounts(x=["brightloop"], reddit=[], bluesky=["brightloop.bsky.social"], mastodon=[])
)


def _row(source: str, post_id: str, author: str, text: str, minute: int, **extra: object) -> str:
    row = {"source": source, "id": post_id, "author": author, "text": text,
           "created_at": f"2026-03-01T12:{minute:02d}:00Z", "lang": "en", **extra}  # fmt: skip
    return json.dumps(row)


def test_runner__staff_reply_only_from_a_configured_account(
    any_engine: Engine, pb: Playbook, tmp_path: Path
) -> None:
    angry = "Brightloop billed me twice and nobody answers, this is awful"
    answer = "So sorry about the double charge, we're refunding it now"
    lines = [
        _row("x", "1", "ana", angry, 0),
        _row("bluesky", "b1", "ben.bsky.social", angry, 1),
        # the brand's X account answers Ana: a staff reply
        _row("x", "2", "brightloop", answer, 5, in_reply_to="1", thread_id="1"),
        # on Bluesky, an account named like the brand's X account answers Ben, claiming
        # to be the brand: it is not one of the brand's Bluesky accounts
        _row(
            "bluesky",
            "b2",
            "brightloop",
            answer,
            6,
            in_reply_to="b1",
            thread_id="b1",
            is_brand=True,
        ),  # fmt: skip
    ]
    path = tmp_path / "thread.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = import_file(any_engine, path, brand=BRAND)
    assert report.bad == [] and report.untrusted_brand == [4]
    feed = Feed(any_engine)
    with Session(any_engine) as s:
        ids = {m.external_id: m.id for m in s.exec(select(Mention)).all()}
    for post_id in ("1", "b1"):
        feed.score(ids[post_id], neg=0.9, pos=0.0)
    feed.score(ids["b2"], neg=0.0, pos=0.6)  # the impostor is scored like anyone

    summary = process_pending(any_engine, pb)

    assert summary.staff_replies == 1
    with Session(any_engine) as s:
        cases = {c.source: c for c in s.exec(select(Case)).all()}
        replies = s.exec(select(CaseEvent).where(CaseEvent.kind == "reply")).all()
    assert [e.case_id for e in replies] == [cases["x"].id]
    assert cases["bluesky"].stage == "acknowledge"  # nobody from the brand answered Ben
