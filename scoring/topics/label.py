"""What a topic is called and shown with: distinctive terms, example posts, seed keywords.

Terms are class-based TF-IDF (as BERTopic labels topics): all of a topic's posts are one
document; a term scores by its frequency in that topic times ``log(1 + A / f)``, with ``A``
the average number of words per topic and ``f`` the term's frequency across all topics, so a
word every topic uses (the brand's name) ranks low everywhere.

Configured topics' keywords match whole words only (a plural ``s`` allowed), as the
playbook's case topics do (``core.keywords``): "cancel" matches "cancel" and "cancels", never
"Cancelled two meetings"; a keyword ending in ``*`` is a prefix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from core.keywords import compile_keywords, count_hits
from scoring.topics.cluster import NOISE

TOKENS = r"(?u)\b[^\W\d_][^\W\d_]+\b"
#: scikit-learn's English stop words name some of our subjects ("bill", "call", "down"): those
#: stay terms.
KEPT_WORDS = frozenset(
    {"bill", "call", "system", "fire", "interest", "computer", "amount", "empty", "full"}
    | {"move", "back", "down", "up", "off", "out", "online", "found", "find", "fill"}
)
TERMS = 6
#: With at least this many topics, a word found in ``COMMON_SHARE`` of them is no topic's term.
COMMON_FROM_TOPICS = 4
COMMON_SHARE = 0.8
EXAMPLES = 3


def distinctive_terms(
    texts: Sequence[str], labels: np.ndarray, *, top: int = TERMS
) -> dict[int, list[str]]:
    """The ``top`` most distinctive terms of each label (unassigned posts count as one more
    class, so they weigh in the term frequencies but get no terms)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    classes = sorted({int(c) for c in labels.tolist()})
    named = [c for c in classes if c != NOISE]
    if not named:
        return {}
    docs = [" ".join(t for t, lab in zip(texts, labels, strict=True) if lab == c) for c in classes]
    vectorizer = CountVectorizer(
        token_pattern=TOKENS, stop_words=sorted(ENGLISH_STOP_WORDS - KEPT_WORDS), lowercase=True
    )
    try:
        counts = vectorizer.fit_transform(docs).toarray().astype(np.float64)
    except ValueError:  # nothing but stop words
        return {c: [] for c in named}
    words = vectorizer.get_feature_names_out()
    per_class = counts.sum(axis=1, keepdims=True)
    tf = counts / np.maximum(per_class, 1)
    average = per_class.mean()
    idf = np.log(1 + average / np.maximum(counts.sum(axis=0), 1))
    scores = tf * idf
    # a word in nearly every topic (the brand's name, "thanks") names none of them
    named_rows = [row for row, c in enumerate(classes) if c != NOISE]
    if len(named_rows) >= COMMON_FROM_TOPICS:
        spread = (counts[named_rows] > 0).mean(axis=0)
        scores[:, spread >= COMMON_SHARE] = 0.0
    out = {}
    for row, c in enumerate(classes):
        if c == NOISE:
            continue
        order = np.argsort(-scores[row], kind="stable")
        out[c] = [str(words[i]) for i in order[:top] if scores[row, i] > 0]
    return out


def examples(
    x: np.ndarray, labels: np.ndarray, centroid: np.ndarray, label: int, *, top: int = EXAMPLES
) -> list[int]:
    """Row indexes of the ``top`` rows of ``label`` nearest its centroid, nearest first."""
    rows = np.flatnonzero(labels == label)
    if len(rows) == 0:
        return []
    sims = x[rows] @ centroid
    return [int(rows[i]) for i in np.argsort(-sims, kind="stable")[:top]]


def label_from_terms(terms: Sequence[str], seed: str | None = None) -> str:
    """A topic's label: its seed's name when it has one, else its top three terms."""
    if seed:
        return seed.replace("_", " ")
    return ", ".join(terms[:3]) or "unlabelled"


def keyword_matcher(seeds: Mapping[str, Sequence[str]]) -> dict[str, list[re.Pattern[str]]]:
    """Compiled whole-word patterns for each configured topic's keywords."""
    return {name: compile_keywords(kws) for name, kws in seeds.items()}


def seed_hits(text: str, matcher: Mapping[str, Sequence[re.Pattern[str]]]) -> dict[str, int]:
    """How many of each configured topic's keywords the text contains as whole words."""
    hits = {name: count_hits(text, pats) for name, pats in matcher.items()}
    return {name: n for name, n in hits.items() if n}


def best_seed(text: str, matcher: Mapping[str, Sequence[re.Pattern[str]]]) -> str | None:
    """The configured topic with the most whole-word keyword hits (first defined wins ties)."""
    hits = seed_hits(text, matcher)
    if not hits:
        return None
    top = max(hits.values())
    return next(name for name in matcher if hits.get(name) == top)
