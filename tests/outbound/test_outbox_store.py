"""The outbox's states, its claims under a lease and its echo match, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.errors import InputError
from store import outbox
from store.models import OutboxItem
from tests.playbooks.conftest import T0

LEASE = timedelta(seconds=60)


def _approved(engine: Engine, case_id: int, mention_id: int, text: str = "Hi Ana") -> int:
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
        outbox.submit_for_approval(s, item.id or 0, by="user:ann", now=T0)
        outbox.approve(s, item.id or 0, approved_by="user:lee", now=T0)
        s.commit()
        assert item.id is not None
        return item.id


def _get(engine: Engine, item_id: int) -> OutboxItem:
    with Session(engine) as s:
        item = s.get(OutboxItem, item_id)
        assert item is not None
        return item


def test_approve__mints_one_key_and_keeps_who_and_when(db, case_id, mention_id) -> None:
    engine = db
    item = _get(engine, _approved(engine, case_id, mention_id))

    assert item.state == "approved" and len(item.idempotency_key or "") == 32
    assert item.drafted_by == "user:ann" and item.approved_by == "user:lee"
    assert item.approved_at == T0 and item.in_reply_to is not None


def test_transitions__out_of_order_are_refused(db, case_id, mention_id) -> None:
    engine = db
    item_id = _approved(engine, case_id, mention_id)
    with Session(engine) as s, pytest.raises(InputError, match="approved, not"):
        outbox.approve(s, item_id, approved_by="user:lee", now=T0)
    with Session(engine) as s, pytest.raises(InputError, match="not failed"):
        outbox.retry(s, item_id, by="user:lee", now=T0)
    with Session(engine) as s:
        outbox.cancel(s, item_id, by="user:lee", now=T0)
        s.commit()
    assert _get(engine, item_id).state == "cancelled"


def test_claim__stamps_the_attempt_and_a_second_worker_gets_nothing(
    db, case_id, mention_id
) -> None:
    engine = db
    item_id = _approved(engine, case_id, mention_id)

    first = outbox.claim(engine, worker="w1", limit=10, lease=LEASE, now=T0)
    second = outbox.claim(engine, worker="w2", limit=10, lease=LEASE, now=T0)

    assert [c.id for c in first] == [item_id] and second == []
    assert not first[0].reconcile and first[0].recipient_handle == "ana"
    row = _get(engine, item_id)
    assert row.state == "sending" and row.attempts == 1 and row.attempt_at == T0
    assert row.uncertain and row.first_attempt_at == T0


def test_claim__an_expired_sending_row_comes_back_to_be_reconciled(db, case_id, mention_id) -> None:
    engine = db
    item_id = _approved(engine, case_id, mention_id)
    outbox.claim(engine, worker="dead", limit=10, lease=LEASE, now=T0)

    later = T0 + LEASE + timedelta(seconds=1)
    again = outbox.claim(engine, worker="w2", limit=10, lease=LEASE, now=later)

    assert [c.reconcile for c in again] == [True]
    assert _get(engine, item_id).attempts == 1
    assert not outbox.mark_sent(
        engine, item_id, worker="dead", platform_post_id="1", url=None, now=later
    )
    assert outbox.begin_attempt(engine, item_id, worker="w2", lease=LEASE, now=later)
    assert outbox.mark_sent(engine, item_id, worker="w2", platform_post_id="9", url="u", now=later)
    row = _get(engine, item_id)
    assert (row.state, row.attempts, row.platform_post_id, row.uncertain) == ("sent", 2, "9", False)
    assert row.first_attempt_at == T0 and row.attempt_at == later


def test_defer__waits_until_then_claims_again(db, case_id, mention_id) -> None:
    engine = db
    item_id = _approved(engine, case_id, mention_id)
    outbox.claim(engine, worker="w", limit=10, lease=LEASE, now=T0)
    until = T0 + timedelta(seconds=30)
    assert outbox.defer(
        engine, item_id, worker="w", until=until, uncertain=False, reason="429", now=T0
    )

    assert outbox.claim(engine, worker="w", limit=10, lease=LEASE, now=T0) == []
    again = outbox.claim(engine, worker="w", limit=10, lease=LEASE, now=until)
    assert [(c.id, c.reconcile) for c in again] == [(item_id, False)]


def test_link_echo__by_platform_id_or_by_text_for_an_unrecorded_send(
    db, case_id, mention_id
) -> None:
    engine = db
    sent = _approved(engine, case_id, mention_id, "Sorry about the fee")
    lost = _approved(engine, case_id, mention_id, "We refunded it")
    outbox.claim(engine, worker="w", limit=10, lease=LEASE, now=T0)
    outbox.mark_sent(engine, sent, worker="w", platform_post_id="p1", url=None, now=T0)
    parent = _get(engine, sent).in_reply_to

    with Session(engine) as s:
        one = outbox.link_echo(
            s,
            platform="x",
            external_id="p1",
            in_reply_to=parent,
            text="x",
            mention_id=mention_id,
            now=T0,
        )
        two = outbox.link_echo(
            s,
            platform="x",
            external_id="p2",
            in_reply_to=parent,
            text="@ana  We refunded it",
            mention_id=mention_id,
            now=T0,
        )
        none = outbox.link_echo(
            s,
            platform="x",
            external_id="p3",
            in_reply_to=parent,
            text="typed by hand",
            mention_id=mention_id,
            now=T0,
        )
        s.commit()
        assert one is not None and one.id == sent
        assert two is not None and two.id == lost
        assert none is None
    row = _get(engine, lost)
    assert (row.state, row.platform_post_id, row.echo_mention_id) == ("sent", "p2", mention_id)


def test_list_outbox__filters_by_state_with_the_post_link(db, case_id, mention_id) -> None:
    engine = db
    item_id = _approved(engine, case_id, mention_id)
    with engine.connect() as conn:
        rows = outbox.list_outbox(conn, states=["approved"])
        none = outbox.list_outbox(conn, states=["failed"])
        for_case = outbox.outbox_for_case(conn, case_id)

    assert [r.id for r in rows] == [item_id] and none == []
    assert rows[0].author_handle == "ana" and [r.id for r in for_case] == [item_id]
