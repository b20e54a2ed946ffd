"""Fair auto-assignment plans."""

from __future__ import annotations

from collections import Counter

import pytest

from dashboard.assignment import plan_assignments


def test_plan__least_loaded_fills_the_emptiest_first() -> None:
    plan = plan_assignments([1, 2, 3, 4], {"a": 3, "b": 0, "c": 1}, strategy="least_loaded")
    assert [who for _, who in plan] == ["b", "b", "c", "b"]


def test_plan__round_robin_starts_after_the_last_assignee() -> None:
    plan = plan_assignments(
        [1, 2, 3, 4], {"a": 9, "b": 0, "c": 0}, strategy="round_robin", last_assignee="b"
    )
    assert [who for _, who in plan] == ["c", "a", "b", "c"]


def test_plan__round_robin_is_even_over_many_cases() -> None:
    plan = plan_assignments(list(range(30)), {"a": 0, "b": 5, "c": 9}, strategy="round_robin")
    assert set(Counter(w for _, w in plan).values()) == {10}


def test_plan__no_staff_means_no_plan() -> None:
    assert plan_assignments([1, 2], {}, strategy="least_loaded") == []


def test_plan__unknown_strategy_is_refused() -> None:
    with pytest.raises(ValueError, match="strategy"):
        plan_assignments([1], {"a": 0}, strategy="random")
