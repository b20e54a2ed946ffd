"""How discovered topics line up with the sample's known themes: purity and adjusted Rand.

The sample's truth names a theme for two kinds of posts: a post repeating a false claim (the
claim's ``topic`` in its ``kind: claim`` row) and a post in the regional outage burst (tag
``spike``: the outage). Only those posts are scored against; every post is clustered, as in
production. An unassigned post counts as one more cluster of its own kind ("no topic"), so
leaving posts out is not free.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

#: The theme of every post in the sample's outage burst.
SPIKE_THEME = "outage"
UNASSIGNED = "no topic"


def known_themes(truth_rows: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    """Each mention's known theme by ``(source, id)``, from the sample's truth rows."""
    rows = list(truth_rows)
    claims = {r["claim_id"]: r["topic"] for r in rows if r.get("kind") == "claim"}
    out = {}
    for r in rows:
        if r.get("kind") != "mention":
            continue
        key = (r["source"], str(r["id"]))
        if r.get("claim_id") in claims:
            out[key] = claims[r["claim_id"]]
        elif "spike" in (r.get("tags") or []):
            out[key] = SPIKE_THEME
    return out


def purity(truth: Sequence[Hashable], found: Sequence[Hashable]) -> float:
    """Share of posts in their cluster's most common true theme (1.0: every cluster pure)."""
    if not truth:
        return 0.0
    by_cluster: dict[Hashable, Counter[Hashable]] = defaultdict(Counter)
    for t, f in zip(truth, found, strict=True):
        by_cluster[f][t] += 1
    return sum(max(c.values()) for c in by_cluster.values()) / len(truth)


def scores(truth: Sequence[Hashable], found: Sequence[Hashable]) -> dict[str, float]:
    """Purity, adjusted Rand index and the share of posts given a topic."""
    from sklearn.metrics import adjusted_rand_score

    assigned = sum(1 for f in found if f != UNASSIGNED)
    return {
        "purity": round(purity(truth, found), 3),
        "adjusted_rand": round(float(adjusted_rand_score(truth, found)), 3),
        "assigned_share": round(assigned / len(found), 3) if found else 0.0,
    }
