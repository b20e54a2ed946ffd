"""The product report: each complaint topic's volume, trend, negative share and reach, with
example posts and the fans won back, over one window against the window before it.

Pure: the mentions of both windows, the topics' labels and the fans per topic in; one row per
topic out, largest first. The store's reads are ``store.product_report``'s; the board, the
digest and the export show these rows.

- volume: the topic's mentions in ``[since, until)``; ``previous``: in the window of the same
  length just before;
- trend: ``new`` (none before), ``rising`` / ``falling`` (a change of at least
  :data:`TREND_SHARE` of the previous volume and at least :data:`TREND_MIN` mentions),
  ``gone`` (none now), else ``steady``;
- negative share: of the window's mentions, those whose newest score reads negative;
- reach: the distinct authors in the window, the sum of their followers and the median;
- examples: up to :data:`EXAMPLES` posts by different authors (no two alike), negative ones
  first, then the most typical (nearest the topic's centre), then the widest reach; cleaned
  for display (invisible and control characters removed, one line, at most
  :data:`EXAMPLE_CHARS` characters); still hostile text, to be shown inert;
- fans won back: cases closed as a fan in the window with a mention in the topic.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.names import strip_invisible
from store.product_report import ReportMention

#: The report's default window.
DEFAULT_DAYS = 7
#: A change of at least this share of the previous window's volume is a trend ...
TREND_SHARE = 0.25
#: ... and of at least this many mentions (so 1 -> 2 is steady).
TREND_MIN = 3
#: Example posts per topic, and their length once cleaned.
EXAMPLES = 3
EXAMPLE_CHARS = 280


@dataclass(frozen=True)
class ReportWindow:
    """The report's window ``[since, until)`` and the one of the same length before it."""

    since: datetime
    until: datetime

    @classmethod
    def ending(cls, until: datetime, *, days: int = DEFAULT_DAYS) -> ReportWindow:
        """The ``days`` before ``until``."""
        if days < 1:
            raise ValueError("a report window is at least one day")
        return cls(until - timedelta(days=days), until)

    @property
    def previous_since(self) -> datetime:
        """Where the previous window starts."""
        return self.since - (self.until - self.since)


@dataclass(frozen=True)
class TopicReport:
    """One topic's line in the product report."""

    topic_id: int
    label: str
    mentions: int
    previous: int
    change: float | None
    trend: str
    negative: int
    negative_share: float | None
    authors: int
    reach: int
    median_followers: float | None
    examples: tuple[str, ...]
    fans_won_back: int


@dataclass(frozen=True)
class ProductReport:
    """The report over one window: its topics, largest first."""

    window: ReportWindow
    topics: list[TopicReport]


def trend_of(volume: int, previous: int) -> tuple[str, float | None]:
    """The trend word and the relative change (None when there was nothing before)."""
    if previous == 0:
        return ("new" if volume else "steady"), None
    change = (volume - previous) / previous
    if volume == 0:
        return "gone", change
    if abs(volume - previous) >= TREND_MIN and abs(change) >= TREND_SHARE:
        return ("rising" if change > 0 else "falling"), change
    return "steady", change


def clean_example(text: str, *, limit: int = EXAMPLE_CHARS) -> str:
    """A post fit to quote on one line: invisible characters and control characters gone,
    white space runs made one, cut at ``limit`` characters with an ellipsis."""
    visible = "".join(
        " " if (ord(c) < 32 or 0x7F <= ord(c) < 0xA0) else c for c in strip_invisible(text)
    )
    one_line = " ".join(visible.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"


def product_report(
    mentions: Iterable[ReportMention],
    labels: Mapping[int, str],
    fans: Mapping[int, int],
    window: ReportWindow,
    *,
    examples: int = EXAMPLES,
) -> list[TopicReport]:
    """One row per topic with mentions in either window or fans won back in this one, by
    volume, then negative mentions, then id. Mentions outside both windows are ignored."""
    now: dict[int, list[ReportMention]] = {}
    before: dict[int, int] = {}
    for m in mentions:
        if window.since <= m.created_at < window.until:
            now.setdefault(m.topic_id, []).append(m)
        elif window.previous_since <= m.created_at < window.since:
            before[m.topic_id] = before.get(m.topic_id, 0) + 1
    topics = set(now) | set(before) | {t for t, n in fans.items() if n}
    rows = [
        _row(t, labels.get(t, f"topic {t}"), now.get(t, []), before.get(t, 0), fans, examples)
        for t in topics
    ]
    rows.sort(key=lambda r: (-r.mentions, -r.negative, r.topic_id))
    return rows


def _row(
    topic_id: int,
    label: str,
    held: Sequence[ReportMention],
    previous: int,
    fans: Mapping[int, int],
    examples: int,
) -> TopicReport:
    trend, change = trend_of(len(held), previous)
    negative = sum(1 for m in held if m.negative)
    latest: dict[int, ReportMention] = {}
    for m in held:  # an author counts once, with the followers of their latest post
        if m.author_id is not None:
            seen = latest.get(m.author_id)
            if seen is None or (m.created_at, m.mention_id) > (seen.created_at, seen.mention_id):
                latest[m.author_id] = m
    known = [m.followers for m in latest.values() if m.followers is not None]
    return TopicReport(
        topic_id=topic_id,
        label=label,
        mentions=len(held),
        previous=previous,
        change=change,
        trend=trend,
        negative=negative,
        negative_share=negative / len(held) if held else None,
        authors=len(latest),
        reach=sum(known),
        median_followers=float(statistics.median(known)) if known else None,
        examples=_examples(held, examples),
        fans_won_back=int(fans.get(topic_id, 0)),
    )


def _examples(held: Sequence[ReportMention], top: int) -> tuple[str, ...]:
    def rank(m: ReportMention) -> tuple[bool, float, int, int]:
        return (not m.negative, -round(m.similarity, 4), -(m.followers or 0), m.mention_id)

    ranked = sorted(held, key=rank)
    out: list[str] = []
    seen: set[object] = set()
    for m in ranked:
        who = m.author_id if m.author_id is not None else ("post", m.mention_id)
        text = clean_example(m.text)
        if not text or who in seen or text.casefold() in seen:
            continue
        seen.update((who, text.casefold()))
        out.append(text)
        if len(out) == top:
            break
    return tuple(out)
