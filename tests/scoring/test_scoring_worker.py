"""The scoring worker: idempotent, per model version, skips deleted, fills troll reasons."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from scoring.worker import run_worker, score_pending
from store.engine import session_scope
from store.models import Score
from tests.scoring.conftest import FakeScorer, add_author, add_mention


def _scores(engine: Engine) -> list[Score]:
    with session_scope(engine) as session:
        return list(session.exec(select(Score).order_by(Score.mention_id)).scalars())


def test_score_pending__second_run_scores_nothing(engine: Engine) -> None:
    author = add_author(engine, "ann")
    for i in range(5):
        add_mention(engine, author, f"post number {i} is bad", minutes=i)
    scorer = FakeScorer()
    assert score_pending(engine, scorer, batch_size=2) == 5
    assert score_pending(engine, scorer, batch_size=2) == 0
    assert len(_scores(engine)) == 5
    assert len(scorer.seen) == 5


def test_score_pending__new_model_version_adds_rows_beside_old(engine: Engine) -> None:
    author = add_author(engine, "ann")
    for i in range(3):
        add_mention(engine, author, f"hello {i}", minutes=i)
    score_pending(engine, FakeScorer("1"))
    assert score_pending(engine, FakeScorer("2")) == 3
    rows = _scores(engine)
    assert sorted({r.model_version for r in rows}) == ["1", "2"]
    assert len(rows) == 6


def test_score_pending__skips_deleted_mentions_and_honours_limit(engine: Engine) -> None:
    author = add_author(engine, "ann")
    add_mention(engine, author, "gone", deleted=True)
    for i in range(4):
        add_mention(engine, author, f"kept {i}", minutes=i + 1)
    assert score_pending(engine, FakeScorer(), limit=3) == 3
    assert score_pending(engine, FakeScorer()) == 1
    texts_scored = len(_scores(engine))
    assert texts_scored == 4


def test_score_pending__fills_every_score_field(engine: Engine) -> None:
    author = add_author(engine, "ann")
    add_mention(engine, author, "this is bad")
    score_pending(engine, FakeScorer())
    (row,) = _scores(engine)
    assert row.sentiment_label == "negative"
    assert abs(row.sentiment - (row.p_positive - row.p_negative)) < 1e-6
    assert 0.0 <= row.troll_likelihood <= 1.0
    assert isinstance(row.troll_reasons, list)
    assert row.language_supported is True


def test_score_pending__pileon_of_insults_gets_high_troll_likelihood_and_reason(
    engine: Engine,
) -> None:
    calm = add_author(engine, "calm", followers=500, following=300)
    add_mention(engine, calm, "my order arrived late and that is bad", minutes=0)
    for i in range(8):
        troll = add_author(engine, f"troll{i}", followers=1, following=400)
        add_mention(
            engine, troll, f"@brand you idiot, worst company ever http://x.co/{i}", minutes=1 + i
        )
    score_pending(engine, FakeScorer())
    rows = _scores(engine)
    calm_row, last_troll = rows[0], rows[-1]
    assert last_troll.troll_likelihood > 0.8 > calm_row.troll_likelihood
    assert any(
        "pile-on" in r and "8 near-identical posts from 8 accounts" in r
        for r in last_troll.troll_reasons
    )


def test_score_pending__repeat_hostile_author_rises(engine: Engine) -> None:
    author = add_author(engine, "angry")
    ids = [
        add_mention(engine, author, f"idiot company number {i}", minutes=i * 10) for i in range(5)
    ]
    score_pending(engine, FakeScorer())
    rows = {r.mention_id: r for r in _scores(engine)}
    assert rows[ids[-1]].troll_likelihood > rows[ids[0]].troll_likelihood
    assert any("hostile posts" in r for r in rows[ids[-1]].troll_reasons)


def test_run_worker__scores_new_mentions_until_stopped(engine: Engine) -> None:
    author = add_author(engine, "ann")
    stop = threading.Event()
    scorer = FakeScorer()
    thread = threading.Thread(
        target=run_worker, args=(engine, scorer), kwargs={"stop": stop, "max_wait_ms": 10}
    )
    thread.start()
    try:
        for i in range(3):
            add_mention(engine, author, f"live {i}", minutes=i)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with session_scope(engine) as session:
                count = session.exec(select(func.count()).select_from(Score)).one()[0]
            if count == 3:
                break
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert len(_scores(engine)) == 3


def test_score_pending__hands_the_scorer_the_stored_language_and_confidence(
    engine: Engine,
) -> None:
    from sqlalchemy import update

    from scoring.base import TextInput, TextScore
    from store.models import Mention

    class Recording(FakeScorer):
        def __init__(self) -> None:
            super().__init__()
            self.languages: dict[str, tuple[str | None, float | None]] = {}

        def score(self, batch: Sequence[TextInput]) -> list[TextScore]:
            self.languages.update({i.text: (i.lang, i.lang_confidence) for i in batch})
            return super().score(batch)

    author = add_author(engine, "ann")
    guessed = add_mention(engine, author, "le service est nul", minutes=1)
    tagged = add_mention(engine, author, "o serviço é ruim", minutes=2)
    add_mention(engine, author, "no language", minutes=3)
    with engine.begin() as conn:
        conn.execute(
            update(Mention).where(Mention.id == guessed).values(lang="fr", lang_confidence=0.91)
        )  # type: ignore[arg-type]
        conn.execute(update(Mention).where(Mention.id == tagged).values(lang="pt"))  # type: ignore[arg-type]
    scorer = Recording()
    score_pending(engine, scorer)
    assert scorer.languages == {
        "le service est nul": ("fr", pytest.approx(0.91)),
        "o serviço é ruim": ("pt", None),
        "no language": (None, None),
    }
