"""The product report: volume, trend, negative share, reach, examples and fans won back per
topic; the arithmetic on plain rows, then read from the store on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from core.clock import FixedClock
from scoring.topics.cluster import DiscoveryParams
from scoring.topics.report import (
    EXAMPLE_CHARS,
    ReportWindow,
    clean_example,
    product_report,
    trend_of,
)
from scoring.topics.service import rediscover, report
from scoring.worker import score_pending
from store.engine import session_scope
from store.models import Case, CaseEvent
from store.product_report import ReportMention
from tests.scoring.conftest import BASE_TIME, add_author, add_mention
from tests.scoring.test_topics_store import EmbeddingScorer

END = datetime(2026, 3, 15, tzinfo=UTC)
WINDOW = ReportWindow.ending(END, days=7)


def post(
    topic: int,
    days_ago: float,
    *,
    negative: bool = True,
    author: int | None = 1,
    followers: int | None = 100,
    text: str = "it broke",
    similarity: float = 0.5,
    mention_id: int = 0,
) -> ReportMention:
    return ReportMention(
        mention_id=mention_id,
        topic_id=topic,
        similarity=similarity,
        created_at=END - timedelta(days=days_ago),
        negative=negative,
        author_id=author,
        followers=followers,
        text=text,
    )


@pytest.mark.parametrize(
    ("volume", "previous", "trend"),
    [
        (5, 0, "new"),
        (0, 0, "steady"),
        (0, 4, "gone"),
        (10, 5, "rising"),
        (2, 1, "steady"),  # doubled, but by one mention
        (3, 10, "falling"),
        (11, 10, "steady"),
    ],
)
def test_trend_of__words(volume: int, previous: int, trend: str) -> None:
    assert trend_of(volume, previous)[0] == trend


def test_trend_of__change_is_relative() -> None:
    assert trend_of(15, 10) == ("rising", 0.5)
    assert trend_of(4, 0) == ("new", None)


def test_window__previous_is_as_long_and_right_before() -> None:
    w = ReportWindow.ending(END, days=3)
    assert (w.since, w.until, w.previous_since) == (
        END - timedelta(days=3),
        END,
        END - timedelta(days=6),
    )
    with pytest.raises(ValueError):
        ReportWindow.ending(END, days=0)


def test_report__volume_trend_negative_share_and_reach() -> None:
    rows = [
        post(1, 1, author=1, followers=100),
        post(1, 2, author=2, followers=300, negative=False),
        post(1, 3, author=2, followers=500),  # older: author 2's count is the later post's
        post(1, 4, author=3, followers=None),
        post(1, 8),  # the previous window
        post(1, 30),  # outside both: ignored
        post(2, 9),
        post(2, 10),
    ]
    got = {r.topic_id: r for r in product_report(rows, {1: "outage"}, {}, WINDOW)}

    one = got[1]
    assert (one.label, one.mentions, one.previous, one.trend) == ("outage", 4, 1, "rising")
    assert one.change == 3.0
    assert (one.negative, one.negative_share) == (3, 0.75)
    # author 2 counted once, with the followers of their latest post in the window
    assert (one.authors, one.reach, one.median_followers) == (3, 400, 200.0)
    two = got[2]
    assert (two.label, two.mentions, two.previous, two.trend) == ("topic 2", 0, 2, "gone")
    assert two.negative_share is None and two.median_followers is None


def test_report__ordered_by_volume_then_negative_then_id() -> None:
    rows = [post(3, 1), post(3, 2), post(5, 1, negative=False), post(5, 2, negative=False)]
    rows += [post(4, 1), post(4, 2), post(4, 3)]
    assert [r.topic_id for r in product_report(rows, {}, {}, WINDOW)] == [4, 3, 5]


def test_report__fans_won_back_keep_a_quiet_topic_listed() -> None:
    got = product_report([post(1, 1)], {}, {1: 2, 7: 1, 8: 0}, WINDOW)
    assert {r.topic_id: r.fans_won_back for r in got} == {1: 2, 7: 1}


def test_report__examples_negative_typical_distinct_and_clean() -> None:
    hostile = "=cmd|' /C calc'!A0\u202e\ntxt.exe"
    rows = [
        post(1, 1, author=1, text="fine really", negative=False, followers=10**6, mention_id=1),
        post(1, 1, author=2, text="typical outage", similarity=0.9, mention_id=2),
        post(1, 1, author=2, text="same author again", similarity=0.85, mention_id=3),
        post(1, 1, author=3, text="Typical  outage", similarity=0.8, mention_id=4),  # a copy
        post(1, 1, author=4, text=hostile, similarity=0.1, mention_id=5),
        post(1, 1, author=5, text="off topic", similarity=0.2, mention_id=6),
    ]
    got = product_report(rows, {}, {}, WINDOW, examples=3)[0].examples

    # negative first, nearest the centre first; one per author; no two alike; one clean line
    assert got == ("typical outage", "off topic", "=cmd|' /C calc'!A0 txt.exe")
    got = product_report(rows, {}, {}, WINDOW, examples=9)[0].examples
    assert got[3:] == ("fine really",)


def test_clean_example__one_line_and_bounded() -> None:
    hostile = "a\u200bb\r\n\tc \x1b[31mred" + "x" * 1000
    cleaned = clean_example(hostile)
    assert cleaned.startswith("ab c [31mred")
    assert len(cleaned) == EXAMPLE_CHARS and cleaned.endswith("…")
    assert clean_example("  \u200b ") == ""


# --- read from the store ----------------------------------------------------------------------


def _close_as_fan(engine: Engine, author: int, mention: int, at: datetime) -> None:
    with session_scope(engine) as s:
        case = Case(author_id=author, source="x", topic="outage", is_open=False)
        case.stage, case.outcome, case.closed_at, case.opened_at = "fan", "fan", at, at
        s.add(case)
        s.flush()
        assert case.id is not None
        s.add(
            CaseEvent(case_id=case.id, at=at, kind="recorded", actor="engine", mention_id=mention)
        )


def test_report__from_the_store(any_engine: Engine) -> None:
    loud = add_author(any_engine, "loud", followers=10_000)
    quiet = add_author(any_engine, "quiet", followers=10)
    brand = add_author(any_engine, "brand", followers=99_999, is_brand=True)
    day = 24 * 60
    first = add_mention(any_engine, loud, "bad outage again", minutes=8 * day)
    for i in range(5):
        add_mention(any_engine, quiet, f"bad outage {i}", minutes=8 * day + i)
        add_mention(any_engine, quiet, f"my bill {i}", minutes=6 * day + i)
    add_mention(any_engine, brand, "outage update from us", minutes=8 * day + 9)
    add_mention(any_engine, quiet, "bad outage deleted", minutes=8 * day + 10, deleted=True)
    score_pending(any_engine, EmbeddingScorer(), clock=FixedClock(BASE_TIME))
    rediscover(any_engine, params=DiscoveryParams(min_cluster_size=3), now=BASE_TIME)
    now = BASE_TIME + timedelta(days=9)
    _close_as_fan(any_engine, loud, first, now - timedelta(hours=1))
    _close_as_fan(any_engine, loud, first, now - timedelta(days=3))  # before the window

    got = report(any_engine, ReportWindow.ending(now, days=2)).topics
    outage = next(t for t in got if "outage" in t.label)
    bill = next(t for t in got if t is not outage)

    assert (outage.mentions, outage.previous, outage.trend) == (6, 0, "new")
    assert outage.negative_share == 1.0
    assert (outage.authors, outage.reach, outage.median_followers) == (2, 10_010, 5005.0)
    # one example per author; the brand's own post and the deleted one are not counted
    assert len(outage.examples) == 2 and "bad outage again" in outage.examples
    assert not any("update" in e or "deleted" in e for e in outage.examples)
    assert outage.fans_won_back == 1
    assert (bill.mentions, bill.previous, bill.negative_share) == (0, 5, None)
    assert bill.trend == "gone" and bill.fans_won_back == 0
