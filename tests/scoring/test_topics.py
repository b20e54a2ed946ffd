"""Topic discovery's pure parts: compact vectors, clustering, labels, seeds, emerging math."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from scoring.topics.cluster import (
    NOISE,
    DiscoveryParams,
    assign,
    centroids,
    cluster,
    match_previous,
    split_in_two,
)
from scoring.topics.discover import discover
from scoring.topics.emerging import DayCount, EmergingRules, assess, daily_counts, emerging
from scoring.topics.evaluate import UNASSIGNED, known_themes, purity, scores
from scoring.topics.label import best_seed, distinctive_terms, keyword_matcher, label_from_terms
from scoring.topics.vectors import pack, unit, unpack, unpack_many

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def blobs(sizes: list[int], dim: int = 16, noise: float = 0.05, seed: int = 0) -> np.ndarray:
    """Unit vectors around ``len(sizes)`` orthogonal directions."""
    rng = np.random.default_rng(seed)
    rows = [np.eye(dim)[k] + noise * rng.standard_normal((n, dim)) for k, n in enumerate(sizes)]
    return unit(np.vstack(rows))


def test_vectors__pack_to_float16_and_back() -> None:
    v = np.arange(1, 385, dtype=np.float32)
    blob = pack(v)
    assert len(blob) == 768
    back = unpack(blob)
    assert np.allclose(back, unit(v)[0], atol=1e-3)
    assert np.allclose(np.linalg.norm(unpack_many([blob, blob]), axis=1), 1.0)


def test_cluster__hdbscan_finds_the_groups_and_assign_leaves_strays_out() -> None:
    x = blobs([20, 20, 20])
    labels = cluster(x, DiscoveryParams(min_cluster_size=8))
    found, cents = centroids(x, labels)
    assert len(found) == 3
    assert len(set(labels[:20].tolist())) == 1 and labels[0] != labels[20] != labels[40]
    stray = unit(np.eye(16)[10])
    idx, sims = assign(np.vstack([x[:1], stray]), cents, cutoff=0.6)
    assert idx[0] != NOISE and sims[0] > 0.9
    assert idx[1] == NOISE


def test_cluster__kmeans_and_too_few_rows() -> None:
    x = blobs([10, 10])
    assert len(set(cluster(x, DiscoveryParams(method="kmeans", k=2)).tolist())) == 2
    assert set(cluster(x[:3], DiscoveryParams(min_cluster_size=8)).tolist()) == {NOISE}


def test_split_in_two__separates_two_groups() -> None:
    halves = split_in_two(blobs([12, 7]))
    assert len(set(halves[:12].tolist())) == 1 and len(set(halves[12:].tolist())) == 1
    assert halves[0] != halves[12]


def test_match_previous__pairs_only_close_centroids() -> None:
    new = unit(np.eye(4)[[0, 1, 2]])
    old = unit(np.eye(4)[[1, 3]])
    assert match_previous(new, old, min_similarity=0.8) == {1: 0}


def test_terms__a_word_every_topic_uses_ranks_below_the_distinctive_ones() -> None:
    texts = [
        "brightloop outage again",
        "brightloop outage downtown",
        "brightloop bill refund",
        "brightloop bill charged",
    ]
    terms = distinctive_terms(texts, np.array([0, 0, 1, 1]))
    assert terms[0][0] == "outage" and terms[1][0] == "bill"
    assert terms[0].index("brightloop") > 0
    assert label_from_terms(terms[0]) == ", ".join(terms[0][:3])
    assert label_from_terms(terms[0], "price_rise") == "price rise"


def test_seeds__keywords_match_whole_words_only() -> None:
    matcher = keyword_matcher({"cancellation": ["cancel", "contract"], "outage": ["is down"]})
    assert best_seed("Brightloop dead here too. Cancelled two meetings already.", matcher) is None
    assert best_seed("I want to CANCEL my contracts", matcher) == "cancellation"
    assert best_seed("brightloop  is   down again", matcher) == "outage"
    assert best_seed("the site is downloading", matcher) is None


def test_discover__seeds_name_clusters_and_stand_alone_when_no_cluster_holds_them() -> None:
    x = blobs([15, 15, 4])
    texts = ["the internet is down"] * 15 + ["my bill again"] * 15 + ["price hike"] * 4
    seeds = {"outage": ["is down"], "price": ["hike"]}
    found = discover(x, texts, seeds=seeds, params=DiscoveryParams(min_cluster_size=8))
    by_label = {t.label: t for t in found.topics}
    assert by_label["outage"].size == 15 and by_label["outage"].seed == "outage"
    assert by_label["price"].size == 4  # too small to cluster: the seed made it a topic
    unseeded = [t for t in found.topics if t.seed is None]
    assert [t.terms[0] for t in unseeded] == ["bill"]
    assert found.assigned[0] == found.topics.index(by_label["outage"])
    assert all(0 <= e < 15 for e in by_label["outage"].examples)


def test_discover__nothing_to_find() -> None:
    found = discover(blobs([3]), ["a", "b", "c"])
    assert found.topics == [] and set(found.assigned.tolist()) == {NOISE}


def rows_per_day(counts: list[int], *, negative_last: int = 0, topic: int = 1) -> list:
    """``counts[i]`` mentions on day i (the last is the 24 h before NOW)."""
    out = []
    days = len(counts) - 1
    for i, n in enumerate(counts):
        for j in range(n):
            at = (
                NOW
                - timedelta(days=days - i, hours=-1)
                - timedelta(hours=23)
                + timedelta(minutes=j)
            )
            out.append((topic, at, i == days and j < negative_last))
    return out


def test_daily_counts__buckets_the_24_hours_before_now_last() -> None:
    rows = [(1, NOW - timedelta(hours=1), True), (1, NOW - timedelta(hours=25), False)]
    rows += [(1, NOW + timedelta(minutes=1), True), (1, NOW - timedelta(days=30), True)]
    counts = daily_counts(rows, now=NOW, days=3)
    assert counts[1] == [DayCount(), DayCount(), DayCount(1, 0), DayCount(1, 1)]


def test_emerging__a_burst_beyond_the_normal_range_alerts_with_evidence() -> None:
    rules = EmergingRules(baseline_days=7)
    trends = emerging(
        rows_per_day([2, 1, 2, 3, 2, 1, 2, 14], negative_last=12), [1, 2], now=NOW, rules=rules
    )
    t = trends[1]
    assert t.volume == 14 and t.alert and t.trend == "surging"
    assert "14 mentions in the last 24 h" in t.reasons[0]
    assert "negative share 86% against 0%" in t.reasons[1]
    assert trends[2].trend == "quiet" and not trends[2].alert


def test_emerging__normal_days_do_not_alert() -> None:
    t = assess(1, [DayCount(5, 1)] * 7 + [DayCount(7, 2)], EmergingRules())
    assert not t.alert and t.trend == "steady"
    low = assess(1, [DayCount(1)] * 7 + [DayCount(4, 4)], EmergingRules(min_volume=5))
    assert not low.alert  # below the minimum volume, however it compares
    new = assess(1, [DayCount()] * 7 + [DayCount(9, 9)], EmergingRules())
    assert new.trend == "new" and new.alert and new.baseline_negative_share is None


def test_evaluation__themes_purity_and_rand() -> None:
    truth = [
        {"kind": "claim", "claim_id": "fee", "topic": "billing"},
        {"kind": "mention", "source": "x", "id": "1", "claim_id": "fee", "tags": []},
        {"kind": "mention", "source": "x", "id": "2", "claim_id": None, "tags": ["spike"]},
        {"kind": "mention", "source": "x", "id": "3", "claim_id": None, "tags": ["praise"]},
    ]
    assert known_themes(truth) == {("x", "1"): "billing", ("x", "2"): "outage"}
    assert purity(["a", "a", "b", "b"], [1, 1, 1, 2]) == 0.75
    got = scores(["a", "a", "b", "b"], ["1", "1", "2", UNASSIGNED])
    assert got["purity"] == 1.0 and got["assigned_share"] == 0.75 and got["adjusted_rand"] < 1


def test_distinctive_terms__a_word_in_every_topic_names_none() -> None:
    import numpy as np

    from scoring.topics.label import distinctive_terms

    texts = [
        "brightloop outage again, internet down",
        "brightloop bill charged twice",
        "brightloop speed slow every evening",
        "brightloop support never answers chat",
        "brightloop price rise hurts",
    ]
    terms = distinctive_terms(texts, np.array([0, 1, 2, 3, 4]))
    assert all("brightloop" not in words for words in terms.values())
    assert "outage" in terms[0] and "bill" in terms[1]
