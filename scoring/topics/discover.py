"""One discovery: vectors and texts in, labelled topics and each mention's topic out.

1. HDBSCAN (or MiniBatchKMeans) groups the vectors; outliers stay out.
2. Configured topics are seeds: a cluster whose posts mostly match one configured topic's
   keywords (whole words) takes its name; a configured topic with posts but no cluster of its
   own becomes a topic whose centroid is the mean of its posts.
3. Every post is assigned to its nearest centroid if similar enough (the same rule the scorer
   applies to new mentions), and the topics are labelled from what they then hold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from scoring.topics.cluster import NOISE, DiscoveryParams, assign, centroids, cluster
from scoring.topics.label import (
    best_seed,
    distinctive_terms,
    examples,
    keyword_matcher,
    label_from_terms,
)

#: A cluster takes a seed's name when at least this share of its posts match that seed.
SEED_SHARE = 0.3
#: A configured topic with no cluster becomes a topic of its own from this many posts.
SEED_MIN_POSTS = 3


@dataclass(frozen=True)
class FoundTopic:
    """A discovered topic: its centroid, label, terms, example rows and size."""

    centroid: np.ndarray
    label: str
    terms: list[str]
    examples: list[int]
    seed: str | None
    size: int


@dataclass(frozen=True)
class Discovery:
    """The topics found and, per input row, the topic index (``NOISE``) and similarity."""

    topics: list[FoundTopic]
    assigned: np.ndarray
    similarity: np.ndarray


def discover(
    x: np.ndarray,
    texts: Sequence[str],
    *,
    seeds: Mapping[str, Sequence[str]] | None = None,
    params: DiscoveryParams = DiscoveryParams(),
) -> Discovery:
    """Find topics in unit vectors ``x`` (one row per text); see the module's steps."""
    labels = cluster(x, params)
    ids, cents = centroids(x, labels)
    matcher = keyword_matcher(seeds or {})
    post_seed = [best_seed(t, matcher) for t in texts]
    cluster_seed: list[str | None] = []
    for c in ids:
        members = [post_seed[i] for i in np.flatnonzero(labels == c)]
        named = Counter(s for s in members if s)
        top = named.most_common(1)
        cluster_seed.append(top[0][0] if top and top[0][1] >= SEED_SHARE * len(members) else None)
    rows = list(cents)
    row_seeds = list(cluster_seed)
    for name in matcher:
        if name in row_seeds:
            continue
        posts = [i for i, s in enumerate(post_seed) if s == name]
        if len(posts) >= SEED_MIN_POSTS:
            mean = x[posts].mean(axis=0)
            rows.append(mean / max(float(np.linalg.norm(mean)), 1e-9))
            row_seeds.append(name)
    if not rows:
        empty = np.full(len(x), NOISE, dtype=np.int64)
        return Discovery([], empty, np.zeros(len(x), dtype=np.float32))
    c_all = np.vstack(rows).astype(np.float32)
    assigned, sims = assign(x, c_all, cutoff=params.cutoff)
    topics, kept = _labelled(x, texts, assigned, c_all, row_seeds)
    remap = np.full(len(rows) + 1, NOISE, dtype=np.int64)  # the last slot maps NOISE
    remap[kept] = np.arange(len(kept))
    assigned = remap[assigned]
    return Discovery(topics, assigned, np.where(assigned == NOISE, 0.0, sims).astype(np.float32))


def _labelled(
    x: np.ndarray,
    texts: Sequence[str],
    assigned: np.ndarray,
    cents: np.ndarray,
    seeds: Sequence[str | None],
) -> tuple[list[FoundTopic], list[int]]:
    """Topics that kept at least one post, with terms, examples and a centroid re-read from
    what they hold; and which centroid rows they were."""
    terms = distinctive_terms(texts, assigned)
    out, kept = [], []
    for k, seed in enumerate(seeds):
        held = np.flatnonzero(assigned == k)
        if len(held) == 0:
            continue
        mean = x[held].mean(axis=0)
        centroid = (mean / max(float(np.linalg.norm(mean)), 1e-9)).astype(np.float32)
        words = terms.get(k, [])
        out.append(
            FoundTopic(
                centroid=centroid,
                label=label_from_terms(words, seed),
                terms=words,
                examples=examples(x, assigned, cents[k], k),
                seed=seed,
                size=len(held),
            )
        )
        kept.append(k)
    return out, kept
