"""Attribution read from a small crafted store: templates and edits, first reply, channel,
agent, goodwill, thanks, staff minutes and durability windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from playbooks.learning.attribution import (
    CRITIC_AGAIN,
    FAN,
    NO_ANSWER,
    STILL_POSITIVE,
    TOO_SOON,
    LearningPolicy,
)
from playbooks.learning.load import attributions
from playbooks.loader import load_active_playbook
from playbooks.templates import render_reply
from store.models import (
    Author,
    Case,
    CaseEvent,
    GoodwillLedger,
    Mention,
    OutboxItem,
    Score,
    User,
)

T0 = datetime(2026, 10, 1, 9, tzinfo=UTC)


def _post(s: Session, author: Author, at: datetime, text: str, label: str, sentiment: float) -> int:
    m = Mention(
        source="x",
        external_id=f"{author.handle}-{at.isoformat()}",
        author_id=author.id,
        text=text,
        created_at=at,
    )
    s.add(m)
    s.flush()
    p = {"negative": (0.8, 0.1, 0.1), "neutral": (0.1, 0.8, 0.1), "positive": (0.1, 0.1, 0.8)}
    neg, neu, pos = p[label]
    s.add(
        Score(
            mention_id=m.id,
            model_name="m",
            model_version="1",
            sentiment_label=label,
            p_negative=neg,
            p_neutral=neu,
            p_positive=pos,
            sentiment=sentiment,
            toxicity=0.0,
            troll_likelihood=0.0,
        )
    )
    assert m.id is not None
    return m.id


def _event(
    s: Session, case: Case, at: datetime, kind: str, actor: str = "engine", **kw: object
) -> None:
    s.add(CaseEvent(case_id=case.id, at=at, kind=kind, actor=actor, **kw))  # type: ignore[arg-type]


def _store(engine: Engine) -> str:
    """Two cases: a fan won with a lightly edited billing template signed ^AK from the brand's
    account, plus goodwill and thanks; a private, heavily edited reply by a board agent that
    ended without an answer."""
    pb = load_active_playbook()
    with Session(engine) as s:
        s.add(User(username="dana", display_name="Dana", role="agent", password_hash="x"))
        rita = Author(
            platform="x", platform_id="1", handle="rita", display_name="Rita", followers=5_000
        )
        omar = Author(
            platform="x", platform_id="2", handle="omar", display_name="Omar", followers=20
        )
        s.add_all([rita, omar])
        s.flush()
        first = _post(s, rita, T0, "I was billed twice!", "negative", -0.7)
        thanks = _post(s, rita, T0 + timedelta(hours=2), "ok thank you, sorted", "positive", 0.6)
        # 20 days after becoming a fan: positive; 60 days after: a critic again
        _post(s, rita, T0 + timedelta(days=21), "love the new plan", "positive", 0.7)
        _post(s, rita, T0 + timedelta(days=61), "billed twice AGAIN", "negative", -0.8)
        fan = Case(
            author_id=rita.id,
            topic="billing",
            source="x",
            stage="fan",
            is_open=False,
            opened_at=T0,
            closed_at=T0 + timedelta(days=1),
            outcome="fan",
        )
        s.add(fan)
        s.flush()
        suggested = render_reply(pb, "acknowledge", "billing", name="Rita")
        _event(s, fan, T0, "opened", mention_id=first, stage_to="acknowledge")
        _event(
            s,
            fan,
            T0,
            "suggestion",
            data={"stage": "acknowledge", "topic": "billing", "fact_ids": [], "private": False},
        )
        _event(
            s, fan, T0 + timedelta(minutes=12), "reply", "user:brightloop", body=suggested + " ^AK"
        )
        _event(
            s,
            fan,
            T0 + timedelta(minutes=12),
            "stage",
            "user:brightloop",
            stage_from="acknowledge",
            stage_to="empathize",
        )
        _event(s, fan, T0 + timedelta(hours=2), "critic_reply", mention_id=thanks)
        _event(s, fan, T0 + timedelta(hours=3), "goodwill", "user:dana")
        s.add(
            GoodwillLedger(
                case_id=fan.id,
                actor="user:dana",
                kind="credit",
                amount=15.0,
                at=T0 + timedelta(hours=3),
            )
        )
        _event(s, fan, T0 + timedelta(days=1), "stage", stage_from="goodwill", stage_to="fan")

        opening = _post(s, omar, T0, "the app is awful", "negative", -0.9)
        lost = Case(
            author_id=omar.id,
            topic="support",
            source="x",
            stage="walk_away",
            is_open=False,
            opened_at=T0,
            closed_at=T0 + timedelta(days=3),
            outcome="walk_away",
            walkaway_reason="no_answer",
        )
        s.add(lost)
        s.flush()
        item = OutboxItem(
            case_id=lost.id,
            platform="x",
            private=True,
            text="x",
            drafted_by="user:dana",
            state="sent",
        )
        s.add(item)
        s.flush()
        _event(s, lost, T0, "opened", mention_id=opening, stage_to="acknowledge")
        _event(
            s,
            lost,
            T0,
            "experiment",
            data={"experiment": "warmth", "variant": "brief", "stage": "acknowledge"},
        )
        _event(
            s,
            lost,
            T0,
            "suggestion",
            data={"stage": "acknowledge", "topic": "support", "fact_ids": [], "private": True},
        )
        _event(
            s,
            lost,
            T0 + timedelta(hours=5),
            "reply",
            "user:dana",
            body="Hi Omar, DM us your account email and we will look. ^DD",
            data={"status": "sent", "outbox_id": item.id},
        )
        _event(
            s,
            lost,
            T0 + timedelta(days=3),
            "stage",
            "user:dana",
            stage_from="empathize",
            stage_to="walk_away",
        )
        s.commit()
    return suggested


def test_attribution_of_a_crafted_store(engine: Engine) -> None:
    _store(engine)
    now = T0 + timedelta(days=45)  # 30 days have passed since the fan, 90 have not
    rows = attributions(
        engine,
        T0 - timedelta(days=1),
        T0 + timedelta(days=1),
        now=now,
        playbook=load_active_playbook(),
        policy=LearningPolicy(),
    )
    fan, lost = sorted(rows, key=lambda a: a.case_id)
    assert fan.outcome == FAN and lost.outcome == NO_ANSWER
    assert fan.templates == ("acknowledge/billing",)
    assert fan.edit_share is not None and 0 < fan.edit_share < 0.05  # only the signature added
    assert fan.agent == "AK"  # posted from the brand's account, signed
    assert fan.first_reply_minutes == 12.0 and fan.reply_bucket == "under 15 min"
    assert fan.channel == "public" and fan.tier == "1k–10k"
    assert fan.first_sentiment == -0.7
    assert fan.goodwill_kinds == ("credit",) and fan.goodwill_amount == 15.0
    assert fan.thanked == ("AK",)
    assert fan.staff_minutes == 5.0 + 3.0  # a reply and a goodwill; the stage change is free
    assert fan.durability == (STILL_POSITIVE, TOO_SOON)
    assert lost.agent == "dana"  # a board account keeps its name over its signature
    assert lost.channel == "private" and lost.reply_bucket == "4–24 h"
    assert lost.templates == ("acknowledge/default#brief",)  # its experiment variant
    assert lost.edit_share is not None and lost.edit_share > 0.5
    assert lost.walkaway_by == "dana" and lost.durability is None
    assert lost.staff_minutes == 5.0 + 1.0

    later = attributions(
        engine,
        T0 - timedelta(days=1),
        T0 + timedelta(days=1),
        now=T0 + timedelta(days=120),
        playbook=load_active_playbook(),
    )
    assert min(later, key=lambda a: a.case_id).durability == (STILL_POSITIVE, CRITIC_AGAIN)
