"""Topics at the store's edge: assignment as mentions are scored, discovery, staff edits, and
the summary the command line, the board and the digest show.

Assignment runs inside the scorer's own transaction (:func:`assign_scored`): one read of the
active centroids, one matrix product, one write. Discovery (:func:`rediscover`) re-clusters
every kept vector; it is run by ``critic2fan topics --discover``, from the board, or on a
schedule.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from scoring.topics.cluster import NOISE, DiscoveryParams, assign, match_previous, split_in_two
from scoring.topics.discover import discover
from scoring.topics.emerging import EmergingRules, TopicTrend, emerging
from scoring.topics.label import distinctive_terms, examples, label_from_terms
from scoring.topics.report import ProductReport, ReportWindow, product_report
from scoring.topics.vectors import pack, unit, unpack_many
from store import product_report as store_report
from store import topics as store_topics
from store.topics import TopicDraft

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

DEFAULT_PARAMS = DiscoveryParams()


@runtime_checkable
class Embedder(Protocol):
    """A scorer that can hand back the vectors it computed for texts (at no extra cost)."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text, ``(n, dim)``."""
        ...


def assign_scored(
    conn: Connection,
    mention_ids: Sequence[int],
    vectors: np.ndarray,
    *,
    now: datetime,
    cutoff: float = DEFAULT_PARAMS.cutoff,
) -> int:
    """Keep each mention's vector and assign it the nearest active topic (none below
    ``cutoff``); returns how many got a topic."""
    if not len(mention_ids):
        return 0
    x = unit(vectors)
    known = store_topics.active_centroids(conn)
    cents = unpack_many([c.centroid for c in known], x.shape[1])
    idx, sims = assign(x, cents, cutoff=cutoff)
    rows = []
    for mention_id, vec, k, sim in zip(mention_ids, x, idx, sims, strict=True):
        got = k != NOISE
        rows.append(
            {
                "mention_id": mention_id,
                "vector": pack(vec),
                "topic_id": known[k].topic_id if got else None,
                "similarity": float(sim) if got else None,
                "assigned_at": now,
            }
        )
    store_topics.save_vectors(conn, rows)
    return int((idx != NOISE).sum())


@dataclass(frozen=True)
class DiscoveryReport:
    """What a discovery did: topics found, kept (same id), new, and mentions assigned."""

    mentions: int
    topics: int
    kept: int
    new: int
    assigned: int


def rediscover(
    engine: Engine,
    *,
    seeds: Mapping[str, Sequence[str]] | None = None,
    params: DiscoveryParams = DEFAULT_PARAMS,
    now: datetime,
) -> DiscoveryReport:
    """Re-cluster every kept vector, keep the ids (and staff labels) of topics found again,
    retire the rest, and re-assign every mention."""
    with engine.begin() as conn:
        stored = store_topics.stored_vectors(conn)
        old = store_topics.active_topics(conn)
        x = unpack_many([s.vector for s in stored])
        found = discover(x, [s.text for s in stored], seeds=seeds, params=params)
        new_c = np.vstack([t.centroid for t in found.topics]) if found.topics else x[:0]
        old_c = unpack_many([t.centroid for t in old], x.shape[1] if len(x) else None)
        same = match_previous(new_c, old_c, min_similarity=params.keep_id_similarity)
        drafts = [
            TopicDraft(
                id=old[same[i]].id if i in same else None,
                label=t.label,
                terms=t.terms,
                examples=[stored[r].mention_id for r in t.examples],
                centroid=pack(t.centroid),
                seed=t.seed,
                size=t.size,
            )
            for i, t in enumerate(found.topics)
        ]
        assignments = {
            s.mention_id: (None if k == NOISE else (int(k), float(sim)))
            for s, k, sim in zip(stored, found.assigned, found.similarity, strict=True)
        }
        store_topics.replace_topics(conn, drafts, assignments, now=now)
    report = DiscoveryReport(
        mentions=len(stored),
        topics=len(drafts),
        kept=len(same),
        new=len(drafts) - len(same),
        assigned=int((found.assigned != NOISE).sum()),
    )
    log.info("topic discovery: %s", report)
    return report


def rename_topic(engine: Engine, topic_id: int, label: str, *, now: datetime) -> bool:
    """Name a topic; the name survives re-discovery. False when there is no such topic."""
    label = " ".join(label.split())[:128]
    if not label:
        return False
    with engine.begin() as conn:
        return store_topics.rename_topic(conn, topic_id, label, now=now)


def merge_topics(engine: Engine, source_id: int, target_id: int, *, now: datetime) -> None:
    """Fold ``source_id`` into ``target_id``: its mentions move, the target's centroid, terms
    and examples are read again from what it now holds."""
    if source_id == target_id:
        return
    with engine.begin() as conn:
        store_topics.retire_into(conn, source_id, target_id, now=now)
        _refresh(conn, target_id, now=now)


def split_topic(engine: Engine, topic_id: int, *, now: datetime) -> int | None:
    """Split a topic in two by re-clustering its mentions (k-means, k=2): the larger half keeps
    the topic, the other becomes a new one. Returns the new topic's id (None: too few posts)."""
    with engine.begin() as conn:
        held = store_topics.stored_vectors(conn, topic_id=topic_id)
        if len(held) < 2:
            return None
        x = unpack_many([h.vector for h in held])
        halves = split_in_two(x)
        if (halves == 0).sum() < (halves == 1).sum():
            halves = 1 - halves
        moved = [h for h, half in zip(held, halves, strict=True) if half == 1]
        if not moved:
            return None
        texts = [h.text for h in moved]
        mx = x[halves == 1]
        centroid = unit(mx.mean(axis=0))[0]
        rest = distinctive_terms([h.text for h in held], halves)
        terms = rest.get(1, [])
        near = examples(mx, np.zeros(len(mx)), centroid, 0)
        new_id = store_topics.add_topic(
            conn,
            TopicDraft(
                id=None,
                label=label_from_terms(terms),
                terms=terms,
                examples=[moved[i].mention_id for i in near],
                centroid=pack(centroid),
                seed=None,
                size=len(texts),
            ),
            now=now,
        )
        store_topics.set_mention_topics(
            conn,
            {h.mention_id: (new_id, float(v @ centroid)) for h, v in zip(moved, mx, strict=True)},
            now=now,
        )
        _refresh(conn, topic_id, now=now)
    return new_id


def _refresh(conn: Connection, topic_id: int, *, now: datetime) -> None:
    """Read a topic's centroid, terms, examples and size again from the mentions it holds."""
    held = store_topics.stored_vectors(conn, topic_id=topic_id)
    if not held:
        return
    everyone = store_topics.stored_vectors(conn)
    x = unpack_many([h.vector for h in held])
    centroid = unit(x.mean(axis=0))[0]
    mine = {h.mention_id for h in held}
    labels = np.array([1 if s.mention_id in mine else NOISE for s in everyone])
    terms = distinctive_terms([s.text for s in everyone], labels).get(1, [])
    near = examples(x, np.zeros(len(x)), centroid, 0)
    store_topics.update_topic(
        conn,
        topic_id,
        terms=terms,
        examples=[held[i].mention_id for i in near],
        centroid=pack(centroid),
        size=len(held),
        now=now,
    )


@dataclass(frozen=True)
class TopicSummary:
    """A topic as listed: counts, negative share, its last day against its baseline, examples."""

    id: int
    label: str
    terms: list[str]
    seed: str | None
    mentions: int
    negative_share: float | None
    trend: TopicTrend
    examples: list[str]


def summaries(
    engine: Engine, *, now: datetime, rules: EmergingRules = EmergingRules()
) -> list[TopicSummary]:
    """Every active topic with its totals and trend, largest first."""
    from datetime import timedelta

    with engine.connect() as conn:
        topics = store_topics.active_topics(conn)
        totals = store_topics.topic_totals(conn)
        since = now - timedelta(days=rules.baseline_days + 1)
        rows = store_topics.topic_mentions(conn, since=since, until=now)
        texts = store_topics.mention_texts(conn, [i for t in topics for i in t.examples])
    trends = emerging(
        [(r.topic_id, r.created_at, r.negative) for r in rows],
        [t.id for t in topics],
        now=now,
        rules=rules,
    )
    out = []
    for t in topics:
        count, negative = totals.get(t.id, (0, 0))
        out.append(
            TopicSummary(
                id=t.id,
                label=t.label,
                terms=t.terms,
                seed=t.seed,
                mentions=count,
                negative_share=negative / count if count else None,
                trend=trends[t.id],
                examples=[texts[i] for i in t.examples if i in texts],
            )
        )
    out.sort(key=lambda s: (-s.mentions, s.id))
    return out


def report(engine: Engine, window: ReportWindow) -> ProductReport:
    """The product report over ``window`` (against the window before it): per topic volume,
    trend, negative share, reach, example posts and fans won back."""
    with engine.connect() as conn:
        labels = {t.id: t.label for t in store_topics.active_topics(conn)}
        rows = store_report.report_mentions(conn, since=window.previous_since, until=window.until)
        fans = store_report.fans_won_back(conn, since=window.since, until=window.until)
    return ProductReport(window, product_report(rows, labels, fans, window))
