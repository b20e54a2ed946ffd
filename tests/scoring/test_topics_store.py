"""Topics in the store: vectors kept as mentions are scored, discovery, staff edits, summaries
(SQLite and PostgreSQL)."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from core.clock import FixedClock
from scoring.topics.cluster import DiscoveryParams
from scoring.topics.service import merge_topics, rediscover, rename_topic, split_topic, summaries
from scoring.topics.vectors import unpack
from scoring.worker import score_pending
from store.topics import active_topics, mention_topic_keys, stored_vectors
from tests.scoring.conftest import BASE_TIME, FakeScorer, add_author, add_mention

WORDS = ("outage", "bill", "router")
PARAMS = DiscoveryParams(min_cluster_size=5)


class EmbeddingScorer(FakeScorer):
    """The fake scorer, with vectors by which of WORDS a text names (a little noise)."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = []
        for text in texts:
            k = next((i for i, w in enumerate(WORDS) if w in text), len(WORDS))
            rng = np.random.default_rng(zlib.crc32(text.encode()))
            out.append(np.eye(8)[k] + 0.05 * rng.standard_normal(8))
        return np.vstack(out)


def fill(engine: Engine, texts: list[str], *, minutes: float = 0) -> list[int]:
    author = add_author(engine, f"a{minutes}")
    return [add_mention(engine, author, t, minutes=minutes + i) for i, t in enumerate(texts)]


@pytest.fixture
def scored(any_engine: Engine) -> Engine:
    texts = [f"bad outage day {i}" for i in range(8)] + [f"my bill {i}" for i in range(8)]
    fill(any_engine, texts)
    score_pending(any_engine, EmbeddingScorer(), clock=FixedClock(BASE_TIME))
    return any_engine


def test_scoring__keeps_a_compact_vector_per_mention(scored: Engine) -> None:
    with scored.connect() as conn:
        rows = stored_vectors(conn)
    assert len(rows) == 16
    assert all(len(r.vector) == 16 for r in rows)  # 8 float16 values
    assert all(r.topic_id is None for r in rows)  # no topics yet
    assert abs(float(np.linalg.norm(unpack(rows[0].vector))) - 1) < 1e-2


def test_scoring__without_vectors_keeps_none(any_engine: Engine) -> None:
    fill(any_engine, ["plain text"])
    score_pending(any_engine, FakeScorer())
    with any_engine.connect() as conn:
        assert stored_vectors(conn) == []


def test_discovery__then_new_mentions_join_the_nearest_topic(scored: Engine) -> None:
    now = BASE_TIME + timedelta(hours=1)
    report = rediscover(scored, seeds={"outage": ["outage"]}, params=PARAMS, now=now)
    assert report.topics == 2 and report.assigned == 16 and report.new == 2
    with scored.connect() as conn:
        topics = {t.label: t for t in active_topics(conn)}
    assert set(topics) == {"outage", "bill"}
    assert topics["bill"].terms[0] == "bill" and len(topics["bill"].examples) == 3

    fill(scored, ["another outage", "a router"], minutes=100)
    score_pending(scored, EmbeddingScorer(), clock=FixedClock(now))
    with scored.connect() as conn:
        by_text = {r.text: r.topic_id for r in stored_vectors(conn)}
    assert by_text["another outage"] == topics["outage"].id
    assert by_text["a router"] is None  # nothing near enough


def test_rediscovery__keeps_ids_and_staff_names(scored: Engine) -> None:
    now = BASE_TIME + timedelta(hours=1)
    rediscover(scored, params=PARAMS, now=now)
    with scored.connect() as conn:
        first = {t.id for t in active_topics(conn)}
        bill = next(t for t in active_topics(conn) if t.terms[0] == "bill")
    assert rename_topic(scored, bill.id, "  Billing   errors ", now=now)
    again = rediscover(scored, params=PARAMS, now=now)
    with scored.connect() as conn:
        topics = active_topics(conn)
    assert again.kept == 2 and {t.id for t in topics} == first
    assert next(t for t in topics if t.id == bill.id).label == "Billing errors"
    assert not rename_topic(scored, 999, "x", now=now)


def test_merge_and_split(scored: Engine) -> None:
    now = BASE_TIME + timedelta(hours=1)
    rediscover(scored, params=PARAMS, now=now)
    with scored.connect() as conn:
        a, b = (t.id for t in active_topics(conn))
    merge_topics(scored, b, a, now=now)
    with scored.connect() as conn:
        topics = active_topics(conn)
        held = {r.topic_id for r in stored_vectors(conn)}
    assert [(t.id, t.size) for t in topics] == [(a, 16)] and held == {a}

    new = split_topic(scored, a, now=now)
    assert new is not None
    with scored.connect() as conn:
        sizes = sorted(t.size for t in active_topics(conn))
        keys = mention_topic_keys(conn)
    assert sizes == [8, 8]
    assert sum(1 for k in keys if k.topic_id == new) == 8


def test_summaries__count_negative_share_and_trend(scored: Engine) -> None:
    now = BASE_TIME + timedelta(hours=1)
    rediscover(scored, seeds={"outage": ["outage"]}, params=PARAMS, now=now)
    listed = {s.label: s for s in summaries(scored, now=now)}
    assert listed["outage"].mentions == 8 and listed["outage"].negative_share == 1.0
    assert listed["bill"].negative_share == 0.0
    assert listed["outage"].trend.trend == "new" and listed["outage"].trend.alert
    assert listed["outage"].examples[0].startswith("bad outage day")
