"""The scoring stage: find mentions this model has not scored, score them in micro-batches.

"Unscored" means no ``Score`` row for this scorer's ``model_name`` + ``model_version``, so a
new model version re-scores everything beside the old rows. Work is claimed through leases
(``store.pending``): N workers never score a mention at once, and a killed worker's batch is
picked up again when its lease expires. Scores are inserted ignoring duplicates on (mention,
model, version), so even a late worker cannot write a mention twice.

The live worker runs in :func:`store.polling.run_until_stopped`: idle, it waits for the writer's
notification of new mentions on PostgreSQL (a short poll on SQLite); with the database gone it
backs off and carries on.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from core.backoff import Backoff
from core.clock import SYSTEM_CLOCK, Clock
from core.errors import ScoringError
from scoring.base import Scorer, TextInput, TextScore
from scoring.behaviour import MentionView, gather_features
from scoring.topics.service import Embedder, assign_scored
from scoring.troll import troll_likelihood
from store.pending import claim_pending, count_pending, save_scores, scoring_transaction
from store.polling import run_until_stopped
from store.wakeup import MENTIONS_CHANNEL, Wakeup, wakeup_for

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

#: How often a worker filling a micro-batch looks whether more mentions arrived.
FILL_POLL_S = 0.02
#: An idle worker looks again this often even without a notification (leases run out).
IDLE_S = 1.0
#: SQLite has no notifications: an idle worker polls this often. Shorter than the other
#: stages' poll because stored-to-scored latency has a target (p95 < 250 ms).
SQLITE_POLL_S = 0.05
#: A claimed batch is retried by another worker if not finished within this time.
LEASE = timedelta(minutes=5)


def _claim(
    engine: Engine,
    scorer: Scorer,
    worker: str,
    limit: int,
    lease: timedelta = LEASE,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> list[Any]:
    """Lease up to ``limit`` unscored mentions for this worker and read them."""
    return claim_pending(
        engine,
        model_name=scorer.model_name,
        model_version=scorer.model_version,
        worker=worker,
        limit=limit,
        lease=lease,
        now=clock.now(),
    )


def score_batch(
    engine: Engine,
    scorer: Scorer,
    rows: Sequence[Any],
    *,
    leased: bool = False,
    clock: Clock = SYSTEM_CLOCK,
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
    now = clock.now()
    topic_input = topic_vectors(scorer, rows, scores)
    with scoring_transaction(engine) as conn:
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
        model = (scorer.model_name, scorer.model_version)
        written = save_scores(conn, out, release_lease_of=model if leased else None)
        if topic_input is not None:
            assign_scored(conn, topic_input[0], topic_input[1], now=now)
        return written


def topic_vectors(
    scorer: Scorer, rows: Sequence[Any], scores: Sequence[TextScore]
) -> tuple[list[int], Any] | None:
    """The mention ids and vectors to keep for topics: mentions with text in a language the
    model reads, when the scorer hands back its vectors (the encoder's cache makes that free).
    A failure here is logged and costs the batch its topics, never its scores."""
    if not isinstance(scorer, Embedder):
        return None
    keep = [
        (r.id, r.text)
        for r, s in zip(rows, scores, strict=True)
        if s.language_supported and r.text and r.text.strip()
    ]
    if not keep:
        return None
    try:
        vectors = scorer.embed([text for _, text in keep])
    except Exception:  # topics are a by-product: scores are written regardless
        log.warning("no topic vectors for a batch of %d mentions", len(keep), exc_info=True)
        return None
    return [mention_id for mention_id, _ in keep], vectors


def score_pending(
    engine: Engine,
    scorer: Scorer,
    *,
    batch_size: int = 64,
    limit: int | None = None,
    progress: bool = False,
    clock: Clock = SYSTEM_CLOCK,
) -> int:
    """Score everything unscored now (up to ``limit``); idempotent. Returns mentions scored."""
    from tqdm import tqdm

    done = 0
    worker = _worker_id()
    bar = tqdm(total=limit, desc="scoring", unit="mention", disable=not progress)
    try:
        while limit is None or done < limit:
            size = batch_size if limit is None else min(batch_size, limit - done)
            rows = _claim(engine, scorer, worker, size, clock=clock)
            if not rows:
                break
            written = score_batch(engine, scorer, rows, leased=True, clock=clock)
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
    wake: Wakeup | None = None,
    backoff: Backoff | None = None,
    sqlite_poll_s: float = SQLITE_POLL_S,
    idle_s: float = IDLE_S,
    clock: Clock = SYSTEM_CLOCK,
) -> int:
    """Score continuously until ``stop`` is set: a batch goes when full or ``max_wait_ms`` old.

    A lost database connection (a restart, a failover) does not end the worker: it waits
    with backoff and carries on; what it had claimed comes back when ``lease`` runs out.
    ``wake`` defaults to the database's own (LISTEN on PostgreSQL, a ``sqlite_poll_s`` poll
    on SQLite); an idle worker looks again after ``idle_s`` regardless. Returns the number of
    mentions scored.
    """
    worker = _worker_id()
    wake = wake or wakeup_for(engine, [MENTIONS_CHANNEL], sqlite_poll_s=sqlite_poll_s)

    def pending() -> int:
        return count_pending(
            engine,
            model_name=scorer.model_name,
            model_version=scorer.model_version,
            up_to=batch_size,
        )

    def step() -> int:
        waiting = pending()
        if not waiting:
            return 0
        # A micro-batch: wait up to max_wait_ms from the first pending mention for it to fill.
        deadline = time.monotonic() + max_wait_ms / 1000
        while waiting < batch_size and not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            stop.wait(min(FILL_POLL_S, left))
            waiting = pending()
        claimed = _claim(engine, scorer, worker, batch_size, lease, clock=clock)
        if not claimed:  # all pending work is leased by others: wait, do not spin on it
            return 0
        score_batch(engine, scorer, claimed, leased=True, clock=clock)
        return len(claimed)

    try:
        total = run_until_stopped(
            step, stop=stop, wake=wake, idle_s=idle_s, backoff=backoff, name="scoring worker"
        )
    finally:
        wake.close()
    log.info("scoring worker stopped after %d mentions", total)
    return total


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:128]
