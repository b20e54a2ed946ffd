"""Configured keywords match whole words and phrases; a trailing ``*`` is a prefix."""

from __future__ import annotations

import time

import pytest

from core.keywords import compile_keyword, compile_keywords, count_hits


@pytest.mark.parametrize(
    ("keyword", "text", "hit"),
    [
        ("cancel", "I want to cancel my contract", True),
        ("cancel", "She cancels everything", True),
        ("cancel", "Cancelled two meetings already", False),
        ("cancel*", "Cancelled two meetings already", True),
        ("throttl*", "They are THROTTLING me again", True),
        ("throttl*", "no throttle here", True),
        ("throttl*", "unthrottled plans", False),
        ("lag", "thanks for flagging this", False),
        ("lag", "so much lag tonight", True),
        ("sim", "simply the best", False),
        ("sim", "my SIM is dead", True),
        ("on hold", "on\n  hold for an hour", True),
        ("on hold", "on holdout", False),
        ("40%", "a 40% hike", True),
        ("40%", "a 140% hike", False),
        ("doesn't work", "it doesn't work.", True),
    ],
)
def test_compile_keyword__matches_whole_words(keyword: str, text: str, hit: bool) -> None:
    pattern = compile_keyword(keyword)
    assert pattern is not None
    assert (count_hits(text, [pattern]) == 1) is hit


def test_compile_keywords__skips_keywords_without_words() -> None:
    assert compile_keywords(["  ", "*", "bill"])[0].search("my bill") is not None
    assert len(compile_keywords(["  ", "*", "bill"])) == 1


def test_count_hits__counts_each_keyword_once() -> None:
    patterns = compile_keywords(["bill", "fee", "refund*"])
    assert count_hits("bill bill bill, no refunds", patterns) == 2


def test_count_hits__hostile_text_stays_fast() -> None:
    patterns = compile_keywords(["no one answers", "a*", "customer service"])
    text = ("a " * 50_000) + ("no one " * 20_000)
    started = time.perf_counter()
    count_hits(text, patterns)
    assert time.perf_counter() - started < 1.0
