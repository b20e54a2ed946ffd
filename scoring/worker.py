"""The scoring stage: find mentions this model has not scored, score them in micro-batches.

"Unscored" means no ``Score`` row for this scorer's ``model_name`` + ``model_version``, so a
new model version re-scores everything beside the old rows. Work is claimed through leases
(``store.queue``): N workers never score a mention at once, and a killed worker's batch is
picked up again when its lease expires. Rows are inserted with ON CONFLICT DO NOTHING on
(mention, model, version), so even a late worker cannot write a mention twice.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from core.clock import utcnow
from core.errors import ScoringError, StorageError
from scoring.base import Scorer, TextInput
from scoring.behaviour import MentionView, gather_features
from scoring.troll import troll_likelihood
from store.models import Mention, Score
from store.queue import claim_unscored, guard_anti_join, release, score_queue_name

log = logging.getLogger(__name__)
_M: Any = Mention.__table__.c  # type: ignore[attr-defined]
_S: Any = Score.__table__.c  # type: ignore[attr-defined]

#: How long an idle worker sleeps between looks at the table.
IDLE_POLL_S = 0.02
#: A claimed batch is retried by another worker if not finished within this time.
LEASE = timedelta(minutes=5)
#: Backoff while the database is unreachable: first and longest wait, in seconds.
RETRY_FIRST_S = 0.2
RETRY_MAX_S = 10.0
_COLUMNS = (_M.id, _M.author_id, _M.text, _M.lang, _M.lang_confidence, _M.created_at)


def _pending(conn: Connection, scorer: Scorer, limit: int) -> list[Any]:
    """The oldest unscored, undeleted mentions (anti-join on this model's score rows)."""
    scored = and_(
        _S.mention_id == _M.id,
        _S.model_name == scorer.model_name,
        _S.model_version == scorer.model_version,
    )
    query = (
        select(*_COLUMNS)
        .outerjoin(Score, scored)
        .where(_S.id.is_(None), _M.deleted.is_(False))
        .order_by(_M.id)
        .limit(limit)
    )
    return list(conn.execute(query).all())


def _insert_ignore(conn: Connection, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    table = Score.__table__  # type: ignore[attr-defined]
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(table).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table).on_conflict_do_nothing()
    result = conn.execute(stmt, rows)
    return max(0, result.rowcount or 0) if result.rowcount not in (None, -1) else len(rows)


def _claim(
    engine: Engine, scorer: Scorer, worker: str, limit: int, lease: timedelta = LEASE
) -> list[Any]:
    """Lease up to ``limit`` unscored mentions for this worker and read them."""
    ids = claim_unscored(
        engine,
        model_name=scorer.model_name,
        model_version=scorer.model_version,
        worker=worker,
        limit=limit,
        lease=lease,
        now=utcnow(),
    )
    if not ids:
        return []
    with engine.connect() as conn:
        rows = conn.execute(
            select(*_COLUMNS).where(_M.id.in_(ids)).order_by(_M.created_at, _M.id)
        ).all()
    return list(rows)


def score_batch(
    engine: Engine, scorer: Scorer, rows: Sequence[Any], *, leased: bool = False
) -> int:
    """Score these mention rows, fuse in behaviour, write Score rows; returns rows written.

    With ``leased``, the rows' work leases are dropped in the same transaction.
    """
    if not rows:
        return 0
    try:
        scores = scorer.score([TextInput(r.text or "", r.lang, r.lang_confidence) for r in rows])
    except ScoringError:
        raise
    except Exception as exc:  # a model failure must not look like bad data
        raise ScoringError(f"the model {scorer.model_name} failed on a batch: {exc}") from exc
    toxicity = {r.id: s.toxicity for r, s in zip(rows, scores, strict=True)}
    views = [MentionView(r.id, r.author_id, r.text or "", r.created_at) for r in rows]
    now = utcnow()
    try:
        with engine.begin() as conn:
            feats = gather_features(
                conn,
                views,
                toxicity,
                model_name=scorer.model_name,
                model_version=scorer.model_version,
            )
            out = []
            for r, s in zip(rows, scores, strict=True):
                verdict = troll_likelihood(feats[r.id])
                out.append(
                    {
                        "mention_id": r.id,
                        "model_name": s.model_name,
                        "model_version": s.model_version,
                        "sentiment_label": s.sentiment_label,
                        "p_negative": s.p_negative,
                        "p_neutral": s.p_neutral,
                        "p_positive": s.p_positive,
                        "sentiment": s.sentiment,
                        "toxicity": s.toxicity,
                        "troll_likelihood": verdict.probability,
                        "troll_reasons": verdict.reasons,
                        "language_supported": s.language_supported,
                        "scored_at": now,
                    }
                )
            written = _insert_ignore(conn, out)
            if leased:
                queue = score_queue_name(scorer.model_name, scorer.model_version)
                release(conn, queue=queue, item_ids=[r.id for r in rows])
            return written
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot write scores: {exc}") from exc


def score_pending(
    engine: Engine,
    scorer: Scorer,
    *,
    batch_size: int = 64,
    limit: int | None = None,
    progress: bool = False,
) -> int:
    """Score everything unscored now (up to ``limit``); idempotent. Returns mentions scored."""
    from tqdm import tqdm

    done = 0
    worker = _worker_id()
    bar = tqdm(total=limit, desc="scoring", unit="mention", disable=not progress)
    try:
        while limit is None or done < limit:
            size = batch_size if limit is None else min(batch_size, limit - done)
            rows = _claim(engine, scorer, worker, size)
            if not rows:
                break
            written = score_batch(engine, scorer, rows, leased=True)
            done += len(rows)
            bar.update(len(rows))
            log.debug("scored %d mentions (%d new rows)", len(rows), written)
    finally:
        bar.close()
    return done


def run_worker(
    engine: Engine,
    scorer: Scorer,
    *,
    stop: threading.Event,
    batch_size: int = 64,
    max_wait_ms: int = 50,
    lease: timedelta = LEASE,
) -> int:
    """Score continuously until ``stop`` is set: a batch goes when full or ``max_wait_ms`` old.

    A lost database connection (a restart, a failover) does not end the worker: it waits
    with exponential backoff and carries on; what it had claimed comes back when ``lease``
    runs out. Returns the number of mentions scored.
    """
    total = 0
    worker = _worker_id()
    first_seen: float | None = None
    delay = RETRY_FIRST_S
    while not stop.is_set():
        try:
            with engine.connect() as conn:
                guard_anti_join(conn)
                rows = _pending(conn, scorer, batch_size)
            if not rows:
                first_seen = None
                stop.wait(IDLE_POLL_S)
                continue
            now = time.monotonic()
            first_seen = first_seen if first_seen is not None else now
            if len(rows) < batch_size and (now - first_seen) * 1000 < max_wait_ms:
                stop.wait(min(IDLE_POLL_S, max_wait_ms / 1000))
                continue
            claimed = _claim(engine, scorer, worker, batch_size, lease)
            if not claimed:  # all pending work is leased by others: do not spin on it
                stop.wait(IDLE_POLL_S)
                continue
            score_batch(engine, scorer, claimed, leased=True)
            total += len(claimed)
            first_seen = None
            delay = RETRY_FIRST_S
        except (DBAPIError, StorageError) as exc:
            wait = delay * random.uniform(0.5, 1.0)
            log.warning("database unavailable (%s); retrying in %.1fs", _reason(exc), wait)
            stop.wait(wait)
            delay = min(delay * 2, RETRY_MAX_S)
    log.info("scoring worker stopped after %d mentions", total)
    return total


def _reason(exc: BaseException) -> str:
    """The first line of the driver's message (no URL, no password)."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _worker_id() -> str:
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:128]
