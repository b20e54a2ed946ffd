"""The Reddit collector's pure parts: poll pacing, gaps, endpoints and rebuilt links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from core.config import RedditSettings
from listener.sources.reddit import (
    find_gap,
    next_interval,
    poll_floor,
    reddit_endpoints,
    thing_url,
    time_filter_for,
)


def test_next_interval__a_busy_poll_shortens_the_wait_in_proportion() -> None:
    # 100 new items in 60 s: the next poll comes when about 25 more have arrived
    assert next_interval(60, 100, floor=5, ceiling=60) == pytest.approx(15)
    assert next_interval(60, 50, floor=5, ceiling=60) == pytest.approx(30)


def test_next_interval__never_under_the_floor_nor_over_the_ceiling() -> None:
    assert next_interval(10, 1000, floor=5, ceiling=60) == 5
    assert next_interval(50, 0, floor=5, ceiling=60) == 60
    assert next_interval(600, 0, floor=5, ceiling=60) == 60


def test_next_interval__quiet_polls_grow_back_towards_the_ceiling() -> None:
    waits = [5.0]
    for _ in range(7):
        waits.append(next_interval(waits[-1], 0, floor=5, ceiling=60))
    assert waits[1] == 7.5 and waits == sorted(waits) and waits[-1] == 60


def test_next_interval__a_steady_rate_settles_below_a_page() -> None:
    rate, wait = 4.0, 60.0  # items per second: a busy subreddit
    for _ in range(10):
        wait = next_interval(wait, round(rate * wait), floor=1, ceiling=60)
    assert rate * wait <= 50  # read again well before 100 new items pass


def test_find_gap__a_full_page_that_starts_after_the_cursor() -> None:
    assert find_gap([130.0, 120.0, 110.0], since=100.0, full=True) == (100.0, 110.0)
    assert find_gap([130.0, 120.0, 100.0], since=100.0, full=True) is None
    assert find_gap([130.0, 120.0, 110.0], since=100.0, full=False) is None
    assert find_gap([130.0], since=None, full=True) is None
    assert find_gap([], since=100.0, full=True) is None


def test_poll_floor__listings_share_the_rate() -> None:
    assert poll_floor(3, min_poll_seconds=5, requests_per_minute=90) == 5
    assert poll_floor(21, min_poll_seconds=5, requests_per_minute=90) == pytest.approx(14)


def test_time_filter_for__the_narrowest_that_reaches_back() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert time_filter_for(now - timedelta(minutes=10), now) == "hour"
    assert time_filter_for(now - timedelta(hours=5), now) == "day"
    assert time_filter_for(now - timedelta(days=3), now) == "week"
    assert time_filter_for(now - timedelta(days=400), now) == "all"


def test_reddit_endpoints__derived_from_the_base_or_set_on_their_own() -> None:
    assert reddit_endpoints(None, None) == {}
    assert reddit_endpoints("http://127.0.0.1:9/", None) == {
        "oauth_url": "http://127.0.0.1:9",
        "reddit_url": "http://127.0.0.1:9",
    }
    assert reddit_endpoints(
        "https://gw.example/reddit", "https://auth.example/api/v1/access_token"
    ) == {
        "oauth_url": "https://gw.example/reddit",
        "reddit_url": "https://auth.example",
    }


def test_reddit_settings__a_token_url_must_name_the_token_endpoint() -> None:
    with pytest.raises(ValidationError, match="access_token"):
        RedditSettings(token_url="https://auth.example/token")
    assert RedditSettings(token_url="https://www.reddit.com/api/v1/access_token").token_url


def test_make_reddit__points_praw_at_the_configured_hosts() -> None:
    from listener.sources.reddit import make_reddit

    settings = RedditSettings(
        client_id="id",
        client_secret="s",
        api_base_url="http://127.0.0.1:9",
        token_url="http://127.0.0.2:9/api/v1/access_token",
    )
    config = make_reddit(settings).config
    assert config.oauth_url == "http://127.0.0.1:9"
    assert config.reddit_url == "http://127.0.0.2:9"


def _thing(**data: object) -> SimpleNamespace:
    return SimpleNamespace(**data)


def test_thing_url__built_when_permalink_is_absent() -> None:
    c = _thing(name="t1_c9", id="c9", body="hi", link_id="t3_p1", subreddit="gadgets")
    s = _thing(name="t3_p2", id="p2", title="t", subreddit="gadgets")
    assert thing_url(c) == "https://www.reddit.com/r/gadgets/comments/p1/_/c9/"
    assert thing_url(s) == "https://www.reddit.com/r/gadgets/comments/p2/"
    kept = _thing(name="t3_p2", permalink="/r/gadgets/comments/p2/title/")
    assert thing_url(kept) == "https://www.reddit.com/r/gadgets/comments/p2/title/"
    assert thing_url(_thing(name="t1_c9", body="hi", subreddit="gadgets")) is None
