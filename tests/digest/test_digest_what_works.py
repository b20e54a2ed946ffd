"""The digest's What works section: the best value of each dimension, with n and interval."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from dashboard.digest import build_digest, day_window, render_digest
from store.engine import session_scope
from store.models import Author, Case, CaseEvent, GoodwillLedger
from tests.digest.conftest import DAY, ZONE, at


def _cases(engine: Engine, topic: str, n: int, fans: int, *, followers: int, gift: float) -> None:
    with session_scope(engine) as s:
        for i in range(n):
            author = Author(
                platform="x", platform_id=f"{topic}{i}", handle=f"{topic}{i}", followers=followers
            )
            s.add(author)
            s.flush()
            fan = i < fans
            opened = at(-72 - i)
            case = Case(
                author_id=author.id,  # type: ignore[arg-type]
                topic=topic,
                source="x",
                stage="fan" if fan else "walk_away",
                is_open=False,
                opened_at=opened,
                closed_at=opened + timedelta(hours=30),
                walkaway_reason=None if fan else "agreed_to_disagree",
            )
            s.add(case)
            s.flush()
            s.add(CaseEvent(case_id=case.id, at=opened, kind="opened", actor="engine"))  # type: ignore[arg-type]
            if gift:
                s.add(GoodwillLedger(case_id=case.id, actor="user:ana", kind="gift", amount=gift))  # type: ignore[arg-type]


def test_digest__what_works_shows_the_best_ranked_value_and_the_loud_flag(engine: Engine) -> None:
    _cases(engine, "billing", 12, 9, followers=200_000, gift=40.0)
    _cases(engine, "speed", 12, 3, followers=10, gift=0.0)
    _cases(engine, "mobile", 3, 3, followers=10, gift=0.0)  # too few to rank
    digest = build_digest(engine, day_window(DAY, ZONE), brand="Brightloop")
    w = digest.what_works
    assert w is not None and (w.decided, w.fans) == (27, 15)
    topic = next(b for b in w.best if b.dimension == "topic")
    assert (topic.value, topic.fans, topic.n, topic.ranked) == ("billing", 9, 12, 2)
    assert w.loud is not None
    text = render_digest(digest).text
    assert "WHAT WORKS (last 28 days): 15 fans from 27 cases with an outcome" in text
    assert "- Topic: billing, 9 of 12 (75%, 47%-91%), best of 2" in text
    assert "Goodwill follows volume" in text
    html = render_digest(digest).html
    assert "What works (last 28 days)" in html and "mobile" not in html


def test_digest__no_outcomes_no_section(engine: Engine) -> None:
    digest = build_digest(engine, day_window(DAY, ZONE), brand="Brightloop")
    assert digest.what_works is not None and digest.what_works.decided == 0
    rendered = render_digest(digest)
    assert "WHAT WORKS" not in rendered.text and "What works" not in rendered.html


def test_digest__what_works_counts_with_the_brands_playbook(engine: Engine) -> None:
    from playbooks.loader import load_playbook
    from playbooks.schema import LearningRules

    _cases(engine, "billing", 12, 9, followers=200_000, gift=0.0)
    _cases(engine, "speed", 12, 3, followers=10, gift=0.0)
    strict = load_playbook()
    strict = strict.model_copy(update={"learning": LearningRules(min_cases=20)})
    digest = build_digest(engine, day_window(DAY, ZONE), brand="Brightloop", playbook=strict)
    w = digest.what_works
    # with the brand's minimum of 20 cases, twelve a topic rank nothing
    assert w is not None and w.min_n == 20
    assert not any(b.dimension == "topic" for b in w.best)
