"""Staff operations on the outbox: who may send, approve, reject, cancel and retry, on the trail;
a sent reply counts once as the staff reply, whether its record or its echo comes first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.clock import FixedClock
from core.errors import InputError
from outbound.worker import SenderWorker
from playbooks import service
from playbooks.runner import process_pending
from store import outbox
from store.models import Case, CaseEvent, Mention, OutboxItem, User
from tests.outbound.fake_sender import Crash, FakeSender


@pytest.fixture
def case_id(engine: Engine, feed, pb, t0) -> int:
    """One open acknowledge case, an agent ``ann`` and a lead ``lee``."""
    feed.say("ana", "Brightloop charged me a cancellation fee, scam", t0, neg=0.9)
    process_pending(engine, pb)
    with Session(engine) as s:
        s.add(User(username="ann", display_name="Ann", role="agent", password_hash="x"))
        s.add(User(username="lee", display_name="Lee", role="lead", password_hash="x"))
        s.commit()
        row = s.exec(select(Case)).one()
        assert row.id is not None
        return row.id


def _trail(engine: Engine, case_id: int) -> list[tuple[str, str]]:
    with Session(engine) as s:
        q = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.id))
        return [(e.kind, e.actor) for e in s.exec(q).all() if e.kind.startswith("reply")]


def _case(engine: Engine, case_id: int) -> Case:
    with Session(engine) as s:
        row = s.get(Case, case_id)
        assert row is not None
        return row


def test_agent__sends_directly_at_a_stage_the_playbook_allows(engine, case_id, pb, t0) -> None:
    item = service.draft_reply(engine, case_id, "ann", "Sorry, Ana", t0)
    assert item.id is not None and item.platform == "x" and item.in_reply_to is not None

    sent = service.send_reply(engine, item.id, "ann", t0, playbook=pb)

    assert sent.state == "approved" and sent.approved_by == "user:ann" and sent.idempotency_key
    assert _trail(engine, case_id) == [
        ("reply_drafted", "user:ann"),
        ("reply_approved", "user:ann"),
    ]


def test_agent__needs_a_lead_where_the_playbook_says_so(engine, case_id, pb, t0) -> None:
    strict = pb.model_copy(update={"sending": pb.sending.model_copy(update={"agent_may_send": []})})
    item = service.draft_reply(engine, case_id, "ann", "Sorry, Ana", t0)
    assert item.id is not None

    with pytest.raises(InputError, match="needs a lead's approval"):
        service.send_reply(engine, item.id, "ann", t0, playbook=strict)
    with pytest.raises(InputError, match="not a lead"):
        service.approve_reply(engine, item.id, "ann", t0)
    service.submit_reply(engine, item.id, "ann", t0)
    approved = service.approve_reply(engine, item.id, "lee", t0, text="Sorry about the fee, Ana")

    assert approved.text == "Sorry about the fee, Ana" and approved.approved_by == "user:lee"
    assert _trail(engine, case_id)[-2:] == [
        ("reply_pending", "user:ann"),
        ("reply_approved", "user:lee"),
    ]


def test_lead__rejects_and_retries_and_cancels_on_the_trail(engine, case_id, t0) -> None:
    item = service.draft_reply(engine, case_id, "ann", "Hi", t0)
    assert item.id is not None
    service.submit_reply(engine, item.id, "ann", t0)
    back = service.reject_reply(engine, item.id, "lee", t0, reason="too curt")
    assert back.state == "draft" and "too curt" in (back.error or "")
    with pytest.raises(InputError, match="not a lead"):
        service.cancel_reply(engine, item.id, "bob", t0)
    service.cancel_reply(engine, item.id, "ann", t0)

    kinds = [k for k, _ in _trail(engine, case_id)]
    assert kinds[-2:] == ["reply_rejected", "reply_cancelled"]


def test_check__refuses_before_approval_and_writes_nothing(engine, case_id, pb, t0) -> None:
    item = service.draft_reply(engine, case_id, "ann", "Hi {name}", t0)
    assert item.id is not None

    def check(row: OutboxItem, handle: str | None) -> str:
        raise InputError(f"an unfilled part is left, for @{handle}")

    with pytest.raises(InputError, match="unfilled part is left, for @ana"):
        service.send_reply(engine, item.id, "lee", t0, check=check, playbook=pb)
    with Session(engine) as s:
        assert outbox.get_item(s, item.id).state == "draft"


def test_sent__counts_once_as_the_staff_reply_and_its_echo_is_not_counted_again(
    engine, feed, case_id, pb, t0
) -> None:
    item = service.draft_reply(engine, case_id, "ann", "Sorry about the fee, Ana", t0)
    assert item.id is not None
    service.send_reply(engine, item.id, "ann", t0, playbook=pb)
    clock = FixedClock(t0 + timedelta(minutes=1))
    sender = FakeSender("x", clock.now)
    SenderWorker(engine, {"x": sender}, worker="w", clock=clock).step()

    process_pending(engine, pb, now=clock.now())
    assert _case(engine, case_id).stage == "empathize"
    _echo(engine, feed, sender.posts[0].platform_id, "Sorry about the fee, Ana", clock)
    process_pending(engine, pb, now=clock.advance(timedelta(minutes=1)))

    staff = _staff_replies(engine, case_id)
    assert len(staff) == 1 and staff[0].data["outbox_id"] == item.id
    with Session(engine) as s:
        row = s.get(OutboxItem, item.id)
        assert row is not None and row.counted and row.echo_mention_id is not None


def test_echo_first__of_an_unrecorded_send_counts_once_and_the_worker_posts_nothing(
    engine, feed, case_id, pb, t0
) -> None:
    item = service.draft_reply(engine, case_id, "ann", "Sorry about the fee, Ana", t0)
    assert item.id is not None
    service.send_reply(engine, item.id, "ann", t0, playbook=pb)
    clock = FixedClock(t0 + timedelta(minutes=1))
    sender = FakeSender("x", clock.now, script=["crash_after_post"])
    with pytest.raises(Crash):
        SenderWorker(engine, {"x": sender}, worker="dies", clock=clock).step()

    _echo(engine, feed, "x-1", "@ana Sorry about the fee, Ana", clock)
    process_pending(engine, pb, now=clock.advance(timedelta(minutes=1)))
    clock.advance(timedelta(hours=1))
    assert SenderWorker(engine, {"x": sender}, worker="next", clock=clock).step() == 0

    assert len(_staff_replies(engine, case_id)) == 1 and sender.calls == 1
    assert _case(engine, case_id).stage == "empathize"


def test_reply_typed_on_the_platform__still_counts(engine, feed, case_id, pb, t0) -> None:
    clock = FixedClock(t0 + timedelta(minutes=1))
    _echo(engine, feed, "typed-1", "We are on it, Ana", clock)
    process_pending(engine, pb, now=clock.advance(timedelta(minutes=1)))

    staff = _staff_replies(engine, case_id)
    assert len(staff) == 1 and "outbox_id" not in staff[0].data
    assert _case(engine, case_id).stage == "empathize"


def _echo(engine: Engine, feed, external_id: str, text: str, clock: FixedClock) -> None:
    """The listener stores the brand's post answering the critic's first post."""
    brand = feed.author("brightloop", brand=True)
    with Session(engine) as s:
        parent = s.exec(select(Mention).order_by(col(Mention.id))).first()
        assert parent is not None
        s.add(
            Mention(
                source="x",
                external_id=external_id,
                author_id=brand,
                text=text,
                created_at=clock.now(),
                in_reply_to=parent.external_id,
                thread_id=parent.external_id,
            )
        )
        s.commit()


def _staff_replies(engine: Engine, case_id: int) -> list[CaseEvent]:
    with Session(engine) as s:
        q = select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == "reply")
        return list(s.exec(q).all())
