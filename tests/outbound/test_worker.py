"""The sender worker: each approved reply is posted once, whatever fails and wherever it dies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.clock import FixedClock
from outbound.worker import SenderWorker
from store import outbox
from store.models import OutboxItem
from tests.outbound.fake_sender import Crash, FakeSender
from tests.playbooks.conftest import T0

LEASE = timedelta(seconds=60)


def _approve(engine: Engine, case_id: int, mention_id: int, text: str = "Hi Ana, sorry") -> int:
    with Session(engine) as s:
        item = outbox.create_draft(
            s,
            case_id=case_id,
            mention_id=mention_id,
            platform="x",
            text=text,
            private=False,
            drafted_by="user:ann",
            now=T0,
        )
        assert item.id is not None
        outbox.approve(s, item.id, approved_by="user:lee", now=T0)
        s.commit()
        return item.id


def _row(engine: Engine, item_id: int) -> OutboxItem:
    with Session(engine) as s:
        row = s.get(OutboxItem, item_id)
        assert row is not None
        return row


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


def _worker(
    engine: Engine, sender: FakeSender, clock: FixedClock, name: str = "w1", **kw
) -> SenderWorker:
    return SenderWorker(engine, {"x": sender}, worker=name, lease=LEASE, clock=clock, **kw)


def test_send__posts_once_and_records_the_platform_id_and_url(
    db, case_id, mention_id, clock
) -> None:
    item_id = _approve(db, case_id, mention_id)
    sender = FakeSender("x", clock.now)

    assert _worker(db, sender, clock).step() == 1
    assert _worker(db, sender, clock).step() == 0

    row = _row(db, item_id)
    assert len(sender.posts) == 1 and sender.posts[0].key == row.idempotency_key
    assert (row.state, row.platform_post_id, row.url) == ("sent", "x-1", "https://x.test/x-1")
    assert row.sent_at == T0 and row.lease_owner is None and not row.uncertain


def test_rejected__is_failed_in_the_platforms_words_and_never_retried(
    db, case_id, mention_id, clock
) -> None:
    item_id = _approve(db, case_id, mention_id)
    sender = FakeSender("x", clock.now, script=["rejected"])
    worker = _worker(db, sender, clock)

    worker.step()
    clock.advance(timedelta(hours=1))
    assert worker.step() == 0

    row = _row(db, item_id)
    assert row.state == "failed" and row.error == "the post you are replying to was deleted"
    assert sender.calls == 1 and sender.posts == []


def test_rate_limit__waits_for_the_reset_then_sends_once(db, case_id, mention_id, clock) -> None:
    item_id = _approve(db, case_id, mention_id)
    reset = T0 + timedelta(seconds=90)
    sender = FakeSender("x", clock.now, script=["429"], reset_at=reset)
    worker = _worker(db, sender, clock)

    worker.step()
    row = _row(db, item_id)
    assert row.state == "approved" and not row.uncertain and "too many" in (row.error or "")
    assert reset <= (row.next_attempt_at or T0) <= reset + timedelta(seconds=1)
    assert worker.paused_until["x"] >= reset and 0 < worker.next_wait(300) <= 91

    clock.advance(timedelta(seconds=60))
    assert worker.step() == 0
    clock.advance(timedelta(seconds=32))
    assert worker.step() == 1
    assert _row(db, item_id).state == "sent" and len(sender.posts) == 1
    assert sender.lookups == 0  # a 429 posted nothing: no lookup needed


def test_server_error_after_the_post__is_reconciled_not_posted_again(
    db, case_id, mention_id, clock
) -> None:
    item_id = _approve(db, case_id, mention_id)
    sender = FakeSender("x", clock.now, script=["posted_503"])
    worker = _worker(db, sender, clock)

    worker.step()
    row = _row(db, item_id)
    assert row.state == "approved" and row.uncertain and row.next_attempt_at is not None
    clock.set(row.next_attempt_at)
    worker.step()

    row = _row(db, item_id)
    assert len(sender.posts) == 1 and sender.calls == 1 and sender.lookups == 1
    assert (row.state, row.platform_post_id) == ("sent", "x-1")


def test_server_error_before_the_post__is_looked_up_then_sent_once(
    db, case_id, mention_id, clock
) -> None:
    item_id = _approve(db, case_id, mention_id)
    sender = FakeSender("x", clock.now, script=["503", "503"])
    worker = _worker(db, sender, clock)

    for _ in range(3):
        worker.step()
        clock.advance(timedelta(minutes=10))

    row = _row(db, item_id)
    assert row.state == "sent" and len(sender.posts) == 1 and sender.calls == 3
    assert row.attempts == 3 and sender.lookups == 2


def test_crash_between_the_call_and_the_record__is_reconciled_by_the_next_worker(
    db, case_id, mention_id, clock
) -> None:
    item_id = _approve(db, case_id, mention_id)
    sender = FakeSender("x", clock.now, script=["crash_after_post"])

    with pytest.raises(Crash):
        _worker(db, sender, clock, "dies").step()
    assert _row(db, item_id).state == "sending"
    assert _worker(db, sender, clock, "next").step() == 0  # the lease still holds
    clock.advance(LEASE + timedelta(seconds=1))
    assert _worker(db, sender, clock, "next").step() == 1

    row = _row(db, item_id)
    assert len(sender.posts) == 1 and sender.calls == 1
    assert (row.state, row.platform_post_id, row.attempts) == ("sent", "x-1", 1)


def test_crash_before_the_call__is_sent_once_after_the_lookup(
    db, case_id, mention_id, clock
) -> None:
    item_id = _approve(db, case_id, mention_id)
    sender = FakeSender("x", clock.now, script=["crash_before"])

    with pytest.raises(Crash):
        _worker(db, sender, clock, "dies").step()
    clock.advance(LEASE + timedelta(seconds=1))
    _worker(db, sender, clock, "next").step()

    row = _row(db, item_id)
    assert row.state == "sent" and len(sender.posts) == 1 and sender.lookups == 1
    assert row.attempts == 2 and row.first_attempt_at == T0


def test_echo_grace__waits_for_the_listener_instead_of_posting_again(
    db, case_id, mention_id, clock
) -> None:
    item_id = _approve(db, case_id, mention_id)
    sender = FakeSender("x", clock.now, script=["crash_after_post"])
    with pytest.raises(Crash):
        _worker(db, sender, clock, "dies").step()
    posted = sender.posts.pop()  # the platform's lookup lags: it does not show the post yet
    grace = {"x": timedelta(minutes=10)}

    clock.advance(LEASE + timedelta(seconds=1))
    _worker(db, sender, clock, "next", echo_grace=grace).step()
    row = _row(db, item_id)
    assert row.state == "approved" and row.uncertain and row.next_attempt_at == T0 + grace["x"]

    with Session(db) as s:  # the listener stores the brand's post: the echo links it
        linked = outbox.link_echo(
            s,
            platform="x",
            external_id=posted.platform_id,
            in_reply_to=row.in_reply_to,
            text=posted.text,
            mention_id=mention_id,
            now=clock.now(),
        )
        s.commit()
    assert linked is not None
    clock.advance(timedelta(hours=1))
    assert _worker(db, sender, clock, "next", echo_grace=grace).step() == 0
    assert sender.calls == 1 and _row(db, item_id).state == "sent"


def test_two_workers__share_the_rows_and_post_each_once(db, case_id, mention_id, clock) -> None:
    ids = [_approve(db, case_id, mention_id, f"reply {i}") for i in range(12)]
    sender = FakeSender("x", clock.now)
    one, two = _worker(db, sender, clock, "one"), _worker(db, sender, clock, "two")

    while one.step() + two.step():
        pass

    assert sorted(p.text for p in sender.posts) == sorted(f"reply {i}" for i in range(12))
    assert {_row(db, i).state for i in ids} == {"sent"}
    assert one.stats.sent > 0 and two.stats.sent > 0
