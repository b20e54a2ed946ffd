"""Work claims with leases: no item claimed twice while its lease holds; dead workers' expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from store.models import Author, Mention, Score
from store.queue import claim_unscored, release, score_queue_name

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def _mentions(engine: Engine, count: int, *, deleted: int = 0) -> list[int]:
    with engine.begin() as conn:
        author_id = conn.execute(
            insert(Author).values(platform="x", platform_id="1", handle="a", first_seen=NOW,
                                  last_seen=NOW, is_brand=False).returning(Author.id)
        ).scalar_one()  # fmt: skip
        rows = [
            {"source": "x", "external_id": str(i), "author_id": author_id, "text": f"t{i}",
             "created_at": NOW, "fetched_at": NOW, "deleted": i < deleted}
            for i in range(count)
        ]  # fmt: skip
        conn.execute(insert(Mention), rows)
    return list(range(1, count + 1))


def _claim(engine: Engine, worker: str, limit: int, now: datetime = NOW) -> list[int]:
    return claim_unscored(
        engine, model_name="m", model_version="1", worker=worker, limit=limit, lease=LEASE, now=now
    )


def test_claim__two_workers_get_disjoint_batches(any_engine: Engine) -> None:
    _mentions(any_engine, 10)

    first = _claim(any_engine, "w1", 6)
    second = _claim(any_engine, "w2", 6)

    assert len(first) == 6 and len(second) == 4
    assert not set(first) & set(second)
    assert _claim(any_engine, "w3", 6) == []


def test_claim__expired_lease_is_claimed_again(any_engine: Engine) -> None:
    _mentions(any_engine, 3)
    dead = _claim(any_engine, "dead-worker", 3)

    later = NOW + LEASE + timedelta(seconds=1)
    assert _claim(any_engine, "w2", 3, now=NOW + timedelta(minutes=1)) == []
    assert _claim(any_engine, "w2", 3, now=later) == dead


def test_claim__skips_scored_and_deleted_mentions(any_engine: Engine) -> None:
    ids = _mentions(any_engine, 4, deleted=1)
    with any_engine.begin() as conn:
        conn.execute(
            insert(Score).values(
                mention_id=ids[1], model_name="m", model_version="1", sentiment_label="neutral",
                p_negative=0.1, p_neutral=0.8, p_positive=0.1, sentiment=0.0, toxicity=0.0,
                troll_likelihood=0.0, troll_reasons=[], language_supported=True, scored_at=NOW,
            )
        )  # fmt: skip

    assert _claim(any_engine, "w", 10) == ids[2:]
    other_version = claim_unscored(
        any_engine, model_name="m", model_version="2", worker="w", limit=10, lease=LEASE, now=NOW
    )
    assert other_version == ids[1:]


def test_release__frees_items_at_once(any_engine: Engine) -> None:
    _mentions(any_engine, 2)
    claimed = _claim(any_engine, "w1", 2)

    with any_engine.begin() as conn:
        release(conn, queue=score_queue_name("m", "1"), item_ids=claimed)

    assert _claim(any_engine, "w2", 2) == claimed
