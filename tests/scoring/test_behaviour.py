"""Behaviour features are pure functions of the stored rows; the store reads the right window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from scoring.behaviour import (
    AUTHOR_WINDOW,
    PILEON_WINDOW,
    MentionView,
    features,
    gather_features,
)
from store.behaviour import BehaviourWindow, PostRow, ProfileRow, behaviour_window
from store.models import Author, Mention, Score

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CAMPAIGN = "Brightloop broke my order again, never buying"


def _view(mid: int, author: int, text: str, at: datetime) -> MentionView:
    return MentionView(mid, author, text, at)


def test_features__count_own_posts_hostility_and_bait_in_the_window() -> None:
    now = _view(10, 1, "answer me brightloop", T0)
    window = BehaviourWindow(
        author_posts=[
            PostRow(1, 1, "old news", T0 - AUTHOR_WINDOW - timedelta(minutes=1), 0.9),
            PostRow(2, 1, "you are awful", T0 - timedelta(hours=3), 0.8),
            PostRow(3, 1, "still waiting", T0 - timedelta(minutes=5), 0.1),
        ],
        recent_posts=[],
        profiles={1: ProfileRow(1, 50, 500, T0 - timedelta(days=2))},
    )
    got = features([now], {10: 0.7}, window)[10]
    assert got.author_posts == 3  # posts 2, 3 and the mention itself; post 1 is too old
    assert got.hostile_posts == 2  # post 2 (0.8) and the mention (0.7 this batch)
    assert got.posts_last_hour == 1  # post 3; the mention itself is not in the stored rows
    assert got.bait_posts == 2  # "still waiting" and "answer me"
    assert got.account_age_days == 2.0
    assert (got.followers, got.following) == (50, 500)


def test_features__pile_on_counts_copies_from_other_accounts_in_the_hour() -> None:
    now = _view(10, 1, CAMPAIGN + " @brand", T0)
    window = BehaviourWindow(
        author_posts=[],
        recent_posts=[
            PostRow(5, 2, CAMPAIGN + " https://x.y/1", T0 - timedelta(minutes=10)),
            PostRow(6, 3, CAMPAIGN.upper(), T0 - timedelta(minutes=20)),
            PostRow(7, 4, CAMPAIGN, T0 - PILEON_WINDOW - timedelta(minutes=1)),
            PostRow(8, 5, "something else entirely here", T0 - timedelta(minutes=1)),
        ],
        profiles={},
    )
    got = features([now], {}, window)[10]
    assert (got.pileon_posts, got.pileon_accounts) == (2, 2)
    assert got.account_age_days is None and got.followers is None


def test_features__short_texts_never_pile_on() -> None:
    now = _view(10, 1, "lol", T0)
    window = BehaviourWindow([], [PostRow(5, 2, "lol", T0 - timedelta(minutes=1))], {})
    assert features([now], {}, window)[10].pileon_posts == 0


def _seed(engine: Engine) -> None:
    with Session(engine) as s:
        s.add(Author(id=1, platform="x", platform_id="1", handle="a", followers=3))
        s.add(Author(id=2, platform="x", platform_id="2", handle="b"))
        rows = [
            (1, 1, T0 - timedelta(hours=2), False),
            (2, 1, T0 - timedelta(hours=30), False),  # outside the author window
            (3, 1, T0 - timedelta(hours=1), True),  # deleted
            (4, 2, T0 - timedelta(minutes=30), False),  # another author, in the pile-on hour
        ]
        for mid, author, at, deleted in rows:
            s.add(
                Mention(
                    id=mid,
                    source="x",
                    external_id=str(mid),
                    author_id=author,
                    text=CAMPAIGN,
                    created_at=at,
                    deleted=deleted,
                )
            )
        for model, tox in (("m", 0.9), ("other", 0.1)):
            s.add(
                Score(
                    mention_id=1,
                    model_name=model,
                    model_version="1",
                    sentiment_label="negative",
                    p_negative=0.8,
                    p_neutral=0.1,
                    p_positive=0.1,
                    sentiment=-0.7,
                    toxicity=tox,
                    troll_likelihood=0.2,
                )
            )
        s.commit()


def test_behaviour_window__reads_own_and_everyones_posts_with_this_models_toxicity(
    any_engine: Engine,
) -> None:
    _seed(any_engine)
    with any_engine.connect() as conn:
        window = behaviour_window(
            conn,
            author_ids={1},
            authors_since=T0 - AUTHOR_WINDOW,
            everyone_since=T0 - PILEON_WINDOW,
            until=T0,
            model_name="m",
            model_version="1",
            recent_limit=100,
        )
    assert [(p.id, p.toxicity) for p in window.author_posts] == [(1, 0.9)]
    assert [p.id for p in window.recent_posts] == [4]
    assert window.profiles == {1: ProfileRow(1, 3, None, None)}


def test_behaviour_window__a_long_history_reads_old_posts_without_their_text(
    any_engine: Engine,
) -> None:
    _seed(any_engine)
    with any_engine.connect() as conn:
        window = behaviour_window(
            conn,
            author_ids={1},
            authors_since=T0 - timedelta(days=14),
            texts_since=T0 - AUTHOR_WINDOW,
            everyone_since=T0 - PILEON_WINDOW,
            until=T0,
            model_name="m",
            model_version="1",
            recent_limit=100,
        )
    texts = {p.id: p.text for p in window.author_posts}
    assert texts == {1: CAMPAIGN, 2: ""}  # post 2 is 30 h old: its time counts, not its words


def test_gather_features__matches_features_over_the_store_window(engine: Engine) -> None:
    _seed(engine)
    batch = [_view(9, 1, CAMPAIGN, T0)]
    with engine.connect() as conn:
        got = gather_features(conn, batch, {9: 0.2}, model_name="m", model_version="1")
        assert gather_features(conn, [], {}, model_name="m", model_version="1") == {}
    assert got[9].author_posts == 2  # mention 1 and the batch mention
    assert got[9].hostile_posts == 1  # mention 1 at 0.9 under model "m"
    assert (got[9].pileon_posts, got[9].pileon_accounts) == (1, 1)  # mention 4 by author 2
