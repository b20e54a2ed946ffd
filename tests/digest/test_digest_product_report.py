"""The digest's product report: the week's largest complaint topics with trend, negative share,
reach, fans won back and an example, escaped in the HTML; nothing when there are no topics."""

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


def _posts(engine: Engine) -> None:
    """Six outage posts today and three the week before; four bill posts two weeks ago."""
    with session_scope(engine) as s:
        kim = Author(platform="x", platform_id="9", handle="kim", followers=1200)
        lee = Author(platform="x", platform_id="8", handle="lee", followers=30)
        s.add_all([kim, lee])
        s.flush()
        posts = [(kim, f"bad outage {IMG} {i}", at(10 + i / 10)) for i in range(6)]
        posts += [(lee, f"bad outage again {i}", at(-24 * 8 - i)) for i in range(3)]
        posts += [(lee, f"my bill {i}", at(-24 * 15 - i)) for i in range(4)]
        for i, (who, text, when) in enumerate(posts):
            s.add(
                Mention(
                    source="x", external_id=str(i), author_id=who.id, text=text, created_at=when
                )
            )
    score_pending(engine, EmbeddingScorer())
    rediscover(
        engine, seeds={"outage": ["outage"]}, params=DiscoveryParams(min_cluster_size=3), now=at(30)
    )


def test_digest__product_report_lists_the_week_s_topics(engine: Engine) -> None:
    _posts(engine)
    digest = build_digest(
        engine, day_window(DAY, ZONE), brand="Brightloop", now=datetime(2024, 5, 3, 6, tzinfo=UTC)
    )
    report = digest.product_report
    assert report is not None
    # the bill topic had no mention in the week: the section leaves it out
    assert [(t.label, t.mentions, t.previous, t.trend) for t in report.topics] == [
        ("outage", 6, 3, "rising")
    ]

    rendered = render_digest(digest)
    assert "PRODUCT REPORT (last 7 days, against the 7 before)" in rendered.text
    line = "- outage: 6 mentions (rising, 3 before), 100% negative, 1 author reaching 1,200"
    assert line in rendered.text
    assert "Product report (last 7 days)" in rendered.html
    assert IMG not in rendered.html and "&lt;img" in rendered.html


def test_digest__no_topics_no_product_report(engine: Engine) -> None:
    digest = build_digest(engine, day_window(DAY, ZONE), brand="Brightloop")
    assert digest.product_report is not None and digest.product_report.topics == []
    rendered = render_digest(digest)
    assert "PRODUCT REPORT" not in rendered.text
    assert "Product report" not in rendered.html
