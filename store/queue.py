"""Claiming work across many worker processes, with leases that expire when a worker dies.

A worker claims a batch of items by writing ``WorkLease`` rows; other workers skip items under
an unexpired lease. On PostgreSQL the candidates are locked with ``FOR UPDATE SKIP LOCKED`` so
concurrent claims never wait on each other; on SQLite the claim is one statement, which the
database's single writer makes atomic. A lease that expires (its worker was killed) lets the
item be claimed again; results are written with ``ON CONFLICT DO NOTHING`` on their own unique
key, so even a slow worker whose lease ran out cannot store a result twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from store.models import WorkLease
from store.types import UTCDateTime

_PENDING_SCORES = """
    SELECT m.id FROM mention m
    WHERE m.deleted = false
      AND NOT EXISTS (
        SELECT 1 FROM score s
        WHERE s.mention_id = m.id AND s.model_name = :model_name
          AND s.model_version = :model_version)
      AND NOT EXISTS (
        SELECT 1 FROM worklease w
        WHERE w.queue = :queue AND w.item_id = m.id AND w.expires_at > :now)
    ORDER BY m.id
    LIMIT :limit
"""

_UPSERT_LEASE = """
    INSERT INTO worklease (queue, item_id, worker, expires_at)
    SELECT :queue, picked.id, :worker, :expires FROM picked WHERE true
    ON CONFLICT (queue, item_id) DO UPDATE
        SET worker = excluded.worker, expires_at = excluded.expires_at
        WHERE worklease.expires_at <= :now
    RETURNING item_id
"""


def score_queue_name(model_name: str, model_version: str) -> str:
    """The lease queue for one scoring model version."""
    return f"score:{model_name}:{model_version}"[:64]


def claim_unscored(
    engine: Engine,
    *,
    model_name: str,
    model_version: str,
    worker: str,
    limit: int,
    lease: timedelta,
    now: datetime,
) -> list[int]:
    """Claim up to ``limit`` mentions with no score for this model version; return their ids."""
    queue = score_queue_name(model_name, model_version)
    lock = " FOR UPDATE OF m SKIP LOCKED" if engine.dialect.name == "postgresql" else ""
    sql = f"WITH picked AS ({_PENDING_SCORES}{lock}) {_UPSERT_LEASE}"
    params = {
        "model_name": model_name,
        "model_version": model_version,
        "queue": queue,
        "worker": worker,
        "limit": limit,
        "now": now,
        "expires": now + lease,
    }
    stmt = text(sql).bindparams(
        bindparam("now", type_=UTCDateTime()), bindparam("expires", type_=UTCDateTime())
    )
    with engine.begin() as conn:
        guard_anti_join(conn)
        ids = [row[0] for row in conn.execute(stmt, params)]
    return sorted(ids)


def guard_anti_join(conn: Connection) -> None:
    """On PostgreSQL, keep this transaction's "what is still to do" anti-joins linear.

    The queue asks which mentions have no score row yet while workers fill ``score`` fast.
    Until autovacuum has analyzed the new rows (up to a minute, far longer under load) the
    planner thinks ``score`` holds a handful of rows for this model and picks a nested loop
    over all of them for every mention: quadratic, and measured stalling three workers for
    minutes at 35,000 of 50,000 mentions. Without nested loops the anti-join is a hash or merge
    join, linear in the table sizes whatever the statistics say.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_nestloop = off")


def release(conn: Connection, *, queue: str, item_ids: Sequence[int]) -> None:
    """Drop the leases on finished items, in the caller's transaction."""
    if not item_ids:
        return
    stmt = (
        delete(WorkLease)
        .where(col(WorkLease.queue) == queue)
        .where(col(WorkLease.item_id).in_(bindparam("ids", expanding=True)))
    )
    conn.execute(stmt, {"ids": list(item_ids)})
