"""Brand matching on hostile text and backoff delays."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from core.backoff import MAX_RESET_WAIT_S, Backoff
from core.clock import utcnow
from core.config import BrandAccounts
from core.errors import SourceRateLimited, SourceUnavailable
from listener.matching import BrandIdentity, Matcher

M = Matcher(
    ["brightloop", "bright loop", "#brightloop"],
    BrandIdentity.from_settings(
        BrandAccounts(x=["@BrightLoop"], reddit=[], bluesky=[], mastodon=[])
    ),
)


@pytest.mark.parametrize(
    "text",
    [
        "BrightLoop broke again",
        "ugh bright loop",
        "#brightloop 🔥🔥",
        "@brightloop answer me",
        "bright\u200bloop is down",
        "ＢＲＩＧＨＴＬＯＯＰ",
        "‏لماذا brightloop لا يعمل‏",
        "brightloop.",
    ],
)
def test_matcher__finds_brand(text: str) -> None:
    assert M.matches_text(text)


@pytest.mark.parametrize("text", ["brightloopy", "notbrightloop", "bright", "", "x" * 50_000])
def test_matcher__ignores_other_words(text: str) -> None:
    assert not M.matches_text(text)


def test_matcher__no_keywords_matches_nothing() -> None:
    assert not Matcher([]).matches_text("anything")


def test_backoff__grows_jittered_and_capped() -> None:
    b = Backoff(base=1, cap=8, rng=random.Random(1))
    delays = [b.next_delay() for _ in range(8)]
    assert 0.5 <= delays[0] <= 1 and 1 <= delays[1] <= 2 and 2 <= delays[2] <= 4
    assert all(4 <= d <= 8 for d in delays[4:])
    b.reset()
    assert b.next_delay() <= 1


def test_backoff__rate_limit_reset_respected_and_bounded() -> None:
    b = Backoff(base=1, cap=8)
    now = utcnow()
    assert (
        99
        <= b.delay_for(SourceRateLimited("x", reset_at=now + timedelta(seconds=99)), now=now)
        <= 100
    )
    huge = SourceRateLimited("x", reset_at=now + timedelta(days=2))
    assert b.delay_for(huge, now=now) <= MAX_RESET_WAIT_S + 1
    assert b.delay_for(SourceUnavailable("503"), now=now) <= 8
