"""Mentions a scoring model has still to score: how many wait, claiming them, saving scores.

"Pending" means undeleted and without a ``Score`` row for this model name and version, so a new
model version sees every mention as pending beside the old rows. Work is claimed under leases
(:mod:`store.queue`) so many workers never score one mention at once, and scores are inserted
ignoring duplicates on (mention, model, version): even a late worker whose lease ran out cannot
store a mention's score twice. Saving scores notifies :data:`~store.wakeup.SCORES_CHANNEL`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from core.errors import StorageError
from store.models import Mention, Score
from store.queue import claim_unscored, guard_anti_join, release, score_queue_name
from store.tables import table
from store.upsert import insert_ignoring_duplicates
from store.wakeup import SCORES_CHANNEL, notify

_M = table(Mention).c
_S = table(Score).c
#: What the scorer reads of a mention: ``id, author_id, text, lang, lang_confidence, created_at``.
_COLUMNS = (_M.id, _M.author_id, _M.text, _M.lang, _M.lang_confidence, _M.created_at)


def count_pending(engine: Engine, *, model_name: str, model_version: str, up_to: int) -> int:
    """How many mentions wait for this model version (counted up to ``up_to``), leased or not."""
    scored = and_(
        _S.mention_id == _M.id,
        _S.model_name == model_name,
        _S.model_version == model_version,
    )
    query = (
        select(_M.id)
        .outerjoin(Score, scored)
        .where(_S.id.is_(None), _M.deleted.is_(False))
        .order_by(_M.id)
        .limit(up_to)
    )
    with engine.connect() as conn:
        guard_anti_join(conn)
        return len(conn.execute(query).all())


def claim_pending(
    engine: Engine,
    *,
    model_name: str,
    model_version: str,
    worker: str,
    limit: int,
    lease: timedelta,
    now: datetime,
) -> list[Any]:
    """Lease up to ``limit`` pending mentions to ``worker``; their rows, oldest first.

    Each row has ``id, author_id, text, lang, lang_confidence, created_at``. Mentions leased
    by another live worker are skipped; an expired lease (its worker died) is taken over.
    """
    ids = claim_unscored(
        engine,
        model_name=model_name,
        model_version=model_version,
        worker=worker,
        limit=limit,
        lease=lease,
        now=now,
    )
    if not ids:
        return []
    with engine.connect() as conn:
        rows = conn.execute(
            select(*_COLUMNS).where(_M.id.in_(ids)).order_by(_M.created_at, _M.id)
        ).all()
    return list(rows)


@contextmanager
def scoring_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction for a batch's reads and writes; a database failure is a StorageError."""
    try:
        with engine.begin() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot write scores: {_first_line(exc)}") from exc


def save_scores(
    conn: Connection,
    rows: Sequence[Mapping[str, Any]],
    *,
    release_lease_of: tuple[str, str] | None = None,
) -> int:
    """Insert score rows, skipping any already stored; return how many were new.

    With ``release_lease_of=(model_name, model_version)`` the rows' mentions are released from
    that model's queue in the same transaction. Listeners for new scores are notified.
    """
    written = insert_ignoring_duplicates(conn, Score, rows)
    if release_lease_of is not None:
        queue = score_queue_name(*release_lease_of)
        release(conn, queue=queue, item_ids=[int(r["mention_id"]) for r in rows])
    if written:
        notify(conn, SCORES_CHANNEL)
    return written


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
