"""Reddit search results are trusted: the platform matched them, the loop keeps them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from core.config import RedditSettings
from listener.loop import LoopStats
from listener.sources.reddit import RedditSource, make_reddit
from tests.fakes.reddit import RedditFake, comment, serve
from tests.listener.conftest import stored

RunLoop = Callable[..., LoopStats]
#: Texts Reddit's search finds for "brightloop" that the local whole-word match does not.
PLURAL = "brightloops keep dropping wifi"
LINK = "got mine from https://getbrightloop.com/offer"


@pytest.fixture(autouse=True)
def _fast_prawcore(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("time.sleep", lambda s: None)


def _reddit(url: str) -> Any:
    settings = RedditSettings(client_id="id", client_secret="secret", enabled=True)
    return make_reddit(settings, oauth_url=url, reddit_url=url)


def test_reddit__search_results_kept_without_a_local_match(
    engine: Engine, run_loop: RunLoop
) -> None:
    fake = RedditFake(search=[comment(1, PLURAL), comment(2, LINK)])
    with serve(fake) as server:
        stats = run_loop(
            RedditSource(_reddit(server.url), "search", "brightloop"), lambda s: s.stored >= 2
        )
    assert sorted(stored(engine)) == ["t1_c1", "t1_c2"]
    assert stats.matched == 2


def test_reddit__the_same_text_from_a_listing_is_matched_locally(
    engine: Engine, run_loop: RunLoop
) -> None:
    fake = RedditFake(comments=[comment(1, PLURAL), comment(2, LINK), comment(3)])
    with serve(fake) as server:
        src = RedditSource(_reddit(server.url), "comments", "gadgets")
        stats = run_loop(src, lambda s: s.received >= 3 and s.stored >= 1)
    assert sorted(stored(engine)) == ["t1_c3"]
    assert stats.matched == 1


def test_mastodon_search__results_kept_without_a_local_match(
    engine: Engine, run_loop: RunLoop
) -> None:
    from listener.sources.mastodon import MastodonSearchSource, make_client
    from tests.fakes import mastodon

    fake = mastodon.MastodonFake(statuses=[mastodon.status(10, PLURAL)])
    with mastodon.serve(fake) as server:
        src = MastodonSearchSource(make_client(server.url, "t"), "brightloop")
        run_loop(src, lambda s: s.stored >= 1)
    assert sorted(stored(engine)) == ["10"]
