"""The digest's emerging topics: a topic beyond its normal range at the day's end, with its
evidence and an example post, escaped in the HTML."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from dashboard.digest import build_digest, day_window, render_digest
from scoring.topics.cluster import DiscoveryParams
from scoring.topics.service import rediscover
from scoring.worker import score_pending
from store.engine import session_scope
from store.models import Author, Mention
from tests.digest.conftest import DAY, IMG, ZONE, at
from tests.scoring.test_topics_store import EmbeddingScorer


def test_digest__names_the_emerging_topic_with_its_evidence(engine: Engine) -> None:
    with session_scope(engine) as s:
        author = Author(platform="x", platform_id="9", handle="kim")
        s.add(author)
        s.flush()
        posts = [(f"bad outage {IMG} {i}", at(10 + i / 10)) for i in range(9)]
        posts += [(f"my bill {i}", at(-24 * (i + 2))) for i in range(9)]
        for i, (text, when) in enumerate(posts):
            s.add(
                Mention(
                    source="x", external_id=str(i), author_id=author.id, text=text, created_at=when
                )
            )
    score_pending(engine, EmbeddingScorer())
    rediscover(
        engine, seeds={"outage": ["outage"]}, params=DiscoveryParams(min_cluster_size=5), now=at(30)
    )
    digest = build_digest(
        engine, day_window(DAY, ZONE), brand="Brightloop", now=datetime(2024, 5, 3, 6, tzinfo=UTC)
    )
    assert [t.label for t in digest.emerging] == ["outage"]
    assert digest.emerging[0].volume == 9

    rendered = render_digest(digest)
    assert "EMERGING TOPICS (1)" in rendered.text
    assert "- outage: 9 mentions in the last 24 h" in rendered.text
    assert "Emerging topics (1)" in rendered.html
    assert IMG not in rendered.html and "&lt;img" in rendered.html


def test_digest__no_topics_no_section(engine: Engine) -> None:
    digest = build_digest(engine, day_window(DAY, ZONE), brand="Brightloop")
    assert digest.emerging == []
    assert "EMERGING TOPICS" not in render_digest(digest).text
