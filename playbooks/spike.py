"""Awareness of the moment: is mention volume or negativity spiking against the recent baseline?

:func:`detect_spike` is pure, over counts per time bucket; :func:`bucketize` builds those
buckets from (time, is_negative) pairs. The runner's live pass feeds it the last day of
scored mentions and, when it fires, opens incident mode for the spike's topic
(:func:`spike_topic`), remembering that topic's baseline (:func:`topic_baseline`); once the
topic is back at it (:func:`back_to_baseline`) closing the incident is proposed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from playbooks.schema import SpikeRules


@dataclass(frozen=True, slots=True)
class Bucket:
    """Mentions in one time bucket, and how many of them were negative."""

    start: datetime
    count: int
    negative: int


@dataclass(frozen=True, slots=True)
class SpikeCheck:
    """The verdict on the latest bucket, with the figures that led to it."""

    spike: bool
    volume_ratio: float
    negative_share: float
    baseline_negative_share: float
    reasons: tuple[str, ...] = ()


def bucketize(
    items: Iterable[tuple[datetime, bool]], *, end: datetime, rules: SpikeRules
) -> list[Bucket]:
    """Count (time, negative) pairs into the ``baseline_buckets + 1`` buckets ending at ``end``."""
    width = timedelta(minutes=rules.bucket_minutes)
    n = rules.baseline_buckets + 1
    start = end - n * width
    counts = [0] * n
    negatives = [0] * n
    for at, negative in items:
        if not start <= at < end:
            continue
        i = int((at - start) / width)
        counts[i] += 1
        negatives[i] += int(negative)
    return [Bucket(start + i * width, counts[i], negatives[i]) for i in range(n)]


def detect_spike(buckets: Sequence[Bucket], rules: SpikeRules) -> SpikeCheck:
    """Compare the last bucket with the ones before it (the rolling baseline)."""
    if len(buckets) < 2:
        return SpikeCheck(False, 0.0, 0.0, 0.0)
    current, baseline = buckets[-1], buckets[:-1]
    mean = sum(b.count for b in baseline) / len(baseline)
    base_total = sum(b.count for b in baseline)
    base_share = sum(b.negative for b in baseline) / base_total if base_total else 0.0
    share = current.negative / current.count if current.count else 0.0
    ratio = current.count / max(mean, 1.0)
    reasons: list[str] = []
    if current.count >= rules.min_volume:
        if ratio >= rules.volume_factor:
            reasons.append(f"volume {ratio:.1f}x the baseline")
        if share - base_share >= rules.negativity_rise:
            reasons.append(f"negative share {share:.0%} vs {base_share:.0%}")
    return SpikeCheck(
        bool(reasons), round(ratio, 3), round(share, 3), round(base_share, 3), tuple(reasons)
    )


def _topic_buckets(
    topics: Iterable[tuple[datetime, str]], topic: str, *, end: datetime, rules: SpikeRules
) -> list[Bucket]:
    return bucketize(((at, False) for at, t in topics if t == topic), end=end, rules=rules)


def spike_topic(topics: Iterable[tuple[datetime, str]], *, end: datetime, rules: SpikeRules) -> str:
    """The topic most of the latest bucket's mentions have (the spike's), from (time, topic)."""
    width = timedelta(minutes=rules.bucket_minutes)
    latest = Counter(t for at, t in topics if end - width <= at < end)
    return latest.most_common(1)[0][0] if latest else ""


def topic_baseline(
    topics: Iterable[tuple[datetime, str]], topic: str, *, end: datetime, rules: SpikeRules
) -> float:
    """The topic's mean mentions per bucket over the detector's baseline (before the latest)."""
    baseline = _topic_buckets(topics, topic, end=end, rules=rules)[:-1]
    return round(sum(b.count for b in baseline) / len(baseline), 3) if baseline else 0.0


def back_to_baseline(
    topics: Iterable[tuple[datetime, str]],
    topic: str,
    baseline: float,
    *,
    end: datetime,
    rules: SpikeRules,
) -> bool:
    """True when the topic's latest bucket holds no more than its baseline (as the detector
    measures it: a baseline under one mention a bucket counts as one)."""
    current = _topic_buckets(topics, topic, end=end, rules=rules)[-1]
    return current.count <= max(baseline, 1.0)
