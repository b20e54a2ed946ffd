"""Wilson intervals, the minimum-n rule, the adjusted estimate, cost per fan and care by agent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from playbooks.learning.attribution import (
    FAN,
    WALK_AWAY,
    Attribution,
    LearningPolicy,
    ReplyUse,
    edit_share,
    is_thanks,
    signature_of,
)
from playbooks.learning.care import care_by_agent
from playbooks.learning.cost import cost_per_fan, loud_flag, loudness_fifths, shares
from playbooks.learning.stats import conversion_table, wilson

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _case(
    i: int,
    *,
    fan: bool,
    template: str = "acknowledge/default",
    topic: str = "billing",
    followers: int = 100,
    sentiment: float = -0.5,
    goodwill: float = 0.0,
    posts: int = 1,
    agent: str = "ana",
    minutes: float = 5.0,
    outcome: str | None = None,
) -> Attribution:
    policy = LearningPolicy()
    reply = ReplyUse(T0 + timedelta(minutes=30), agent, template, 0.1, False)
    return Attribution(
        case_id=i,
        author_id=i,
        handle=f"c{i}",
        topic=topic,
        tier=policy.tier(followers),
        followers=followers,
        first_sentiment=sentiment,
        opened_at=T0,
        closed_at=T0 + timedelta(days=1),
        outcome=outcome or (FAN if fan else WALK_AWAY),
        walkaway_reason=None,
        replies=(reply,),
        goodwill_kinds=("credit",) if goodwill else (),
        goodwill_amount=goodwill,
        first_reply_minutes=30.0,
        reply_bucket=policy.reply_bucket(30.0),
        channel="public",
        agent=agent,
        staff_minutes=minutes,
        thanked=(agent,) if fan else (),
        walkaway_by=None if fan else "lee",
        durability=None,
        posts=posts,
    )


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # values from the published Wilson score formula (e.g. Newcombe 1998, Table I)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (29, 29, 0.8830, 1.0),
        (5, 10, 0.2366, 0.7634),
    ],
)
def test_wilson_matches_known_intervals(k: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson(k, n)
    assert lo == pytest.approx(low, abs=5e-4)
    assert hi == pytest.approx(high, abs=5e-4)


def test_wilson_refuses_impossible_counts_and_is_wide_without_data() -> None:
    assert wilson(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson(3, 2)


def test_values_below_the_minimum_are_shown_but_not_ranked() -> None:
    rows = [_case(i, fan=i % 2 == 0, template="a/x") for i in range(12)]
    rows += [_case(100 + i, fan=True, template="a/y") for i in range(4)]
    table = conversion_table(rows, "template", LearningPolicy(min_n=10))
    by_value = {r.value: r for r in table}
    assert by_value["a/x"].rank == 1 and by_value["a/x"].n == 12 and by_value["a/x"].fans == 6
    # a perfect record on four cases is not ranked above a tested one
    assert by_value["a/y"].rank is None and by_value["a/y"].rate == 1.0
    assert by_value["a/y"].adjusted is None
    assert [r.value for r in table] == ["a/x", "a/y"]
    # lowered minimum: both ranked, the perfect one first
    table = conversion_table(rows, "template", LearningPolicy(min_n=4))
    assert [(r.value, r.rank) for r in table] == [("a/y", 1), ("a/x", 2)]


def test_open_cases_do_not_count() -> None:
    rows = [_case(i, fan=True) for i in range(3)] + [_case(9, fan=False, outcome="open")]
    (row,) = conversion_table(rows, "topic", LearningPolicy(min_n=1), adjust=False)
    assert (row.n, row.fans) == (3, 3)


def test_adjusted_estimate_removes_confounding_by_topic() -> None:
    """Template X is used mostly on an easy topic, Y on a hard one; templates do nothing.

    Raw rates favour X widely; adjusted for topic, the gap mostly closes."""
    rng = np.random.default_rng(7)
    rows = []
    for i in range(600):
        easy = rng.random() < 0.5
        template = (
            ("t/x" if rng.random() < 0.85 else "t/y")
            if easy
            else ("t/y" if rng.random() < 0.85 else "t/x")
        )
        fan = rng.random() < (0.7 if easy else 0.15)
        rows.append(_case(i, fan=bool(fan), template=template, topic="easy" if easy else "hard"))
    table = {r.value: r for r in conversion_table(rows, "template", LearningPolicy())}
    x, y = table["t/x"], table["t/y"]
    assert x.rate is not None and y.rate is not None
    raw_gap = x.rate - y.rate
    assert x.adjusted is not None and y.adjusted is not None
    adjusted_gap = x.adjusted - y.adjusted
    assert raw_gap > 0.3
    assert abs(adjusted_gap) < raw_gap / 3


def test_adjusted_estimate_keeps_a_real_effect() -> None:
    rng = np.random.default_rng(11)
    rows = []
    for i in range(600):
        template = "t/good" if rng.random() < 0.5 else "t/plain"
        fan = rng.random() < (0.6 if template == "t/good" else 0.3)
        rows.append(_case(i, fan=bool(fan), template=template, topic=rng.choice(["a", "b"])))
    table = {r.value: r for r in conversion_table(rows, "template", LearningPolicy())}
    assert table["t/good"].adjusted - table["t/plain"].adjusted > 0.15  # type: ignore[operator]


def test_cost_per_fan_counts_the_walkaways_cost_too() -> None:
    rows = [
        _case(1, fan=True, minutes=10, goodwill=20),
        _case(2, fan=False, minutes=6),
        _case(3, fan=False, minutes=4, topic="speed"),
    ]
    by_topic = {r.value: r for r in cost_per_fan(rows, "topic")}
    assert by_topic["billing"].minutes_per_fan == 16
    assert by_topic["billing"].goodwill_per_fan == 20
    assert by_topic["speed"].minutes_per_fan is None  # no fan won: no cost per fan


def test_loud_flag_raised_when_the_loudest_get_the_goodwill() -> None:
    quiet = [_case(i, fan=i % 2 == 0, followers=50, posts=1, goodwill=1) for i in range(16)]
    loud = [_case(100 + i, fan=False, followers=90_000, posts=9, goodwill=30) for i in range(4)]
    policy = LearningPolicy()
    fifths = loudness_fifths(quiet + loud)
    assert {fifths[a.case_id] for a in loud} == {"loudest"}
    flag = loud_flag(quiet + loud, policy)
    assert flag.raised and flag.ratio == pytest.approx(30 / 1)
    rows = {r.value: r for r in shares(quiet + loud, "loudness")}
    assert rows["loudest"].goodwill_share == pytest.approx(120 / 136)
    assert rows["loudest"].conversion == 0
    # the same goodwill for everyone: no flag
    even = [_case(i, fan=True, followers=10 * i, posts=i % 5 + 1, goodwill=5) for i in range(20)]
    assert not loud_flag(even, policy).raised


def test_care_by_agent_is_alphabetical_and_counts_thanks_and_walkaways() -> None:
    rows = [
        _case(1, fan=True, agent="zoe"),
        _case(2, fan=True, agent="Ana"),
        _case(3, fan=False, agent="Ana"),
    ]
    care = care_by_agent(rows)
    assert [c.agent for c in care] == ["Ana", "lee", "zoe"]
    ana = care[0]
    assert (ana.cases, ana.fans, ana.thanks, ana.median_first_reply_minutes) == (2, 1, 1, 30.0)
    assert care[1].walkaways_confirmed == 1 and care[1].cases == 0


def test_signatures_thanks_and_edit_share() -> None:
    assert signature_of("We'll swap it tomorrow. ^AK") == "AK"
    assert signature_of("Refunded. — Priya, Brightloop Community Team") == "Priya"
    assert signature_of("A well-known fact - really") is None
    assert is_thanks("ok thanks, that worked") and not is_thanks("still broken")
    assert edit_share("Sorry Sam, we are on it.", "Sorry Sam, we are on it.") == 0.0
    assert 0.0 < edit_share("Sorry Sam, we are on it.", "Sorry Sam, we're on it now!") < 0.5
    assert edit_share("abc", "xyz") == 1.0
