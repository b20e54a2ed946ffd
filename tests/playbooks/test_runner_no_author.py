"""A post whose platform named no author: stored with none, scored, and it opens no case."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.records import MentionRecord, no_author
from playbooks.runner import process_pending
from scoring.behaviour import MentionView, gather_features
from store.models import Case, Mention
from store.pending import claim_pending
from store.writer import write_batch

TEXT = "Brightloop billed me twice this month and nobody answers the phone, awful"


def _anonymous(i: int, t0, text: str = TEXT) -> MentionRecord:  # type: ignore[no-untyped-def]
    return MentionRecord(
        source="x",
        external_id=f"anon{i}",
        author=no_author("x"),
        text=text,
        created_at=t0 + timedelta(minutes=i),
    )


def test_no_author__stored_apart_scored_and_opens_no_case(engine: Engine, feed, pb, t0) -> None:  # type: ignore[no-untyped-def]
    write_batch(engine, [_anonymous(1, t0), _anonymous(2, t0)], now=t0 + timedelta(hours=1))
    feed.say("ana", TEXT, t0, neg=0.9)
    with Session(engine) as s:
        anon = s.exec(select(Mention).where(col(Mention.author_id).is_(None))).all()
    assert len(anon) == 2  # two posts, no shared placeholder author

    with engine.connect() as conn:
        views = [MentionView(m.id or 0, None, m.text, m.created_at) for m in anon]
        features = gather_features(
            conn, views, {m.id or 0: 0.1 for m in anon}, model_name="fake", model_version="1"
        )
    assert {f.author_posts for f in features.values()} == {1}
    assert all(f.account_age_days is None for f in features.values())
    # the same words from two unknown authors and ana: three accounts, not two
    assert max(f.pileon_accounts for f in features.values()) == 3

    for m in anon:
        feed.score(m.id or 0, neg=0.9, pos=0.0)
    summary = process_pending(engine, pb)
    with Session(engine) as s:
        cases = s.exec(select(Case)).all()
    assert summary.cases_opened == 1
    assert [c.author_id for c in cases] == [feed.author("ana")]


def test_no_author__is_pending_for_the_scorer(engine: Engine, t0) -> None:  # type: ignore[no-untyped-def]
    write_batch(engine, [_anonymous(1, t0)], now=t0)
    rows = claim_pending(
        engine, model_name="fake", model_version="1", worker="w", limit=10,
        lease=timedelta(minutes=1), now=t0,
    )  # fmt: skip
    assert [r.author_id for r in rows] == [None]
