"""A large-account critic is invited to a private conversation: the flag reaches the state,
the case row and the suggested reply's text."""

from __future__ import annotations

from sqlmodel import Session, select

from playbooks import service
from playbooks.actions import SuggestReply
from playbooks.engine import advance
from playbooks.runner import process_pending
from store.models import Case


def test_open__large_account_sets_private_suggested(pb, post, t0) -> None:
    big = pb.private.min_followers * 5
    case, actions = advance(None, post(neg=0.9, followers=big), t0, pb)
    assert case is not None and case.private_suggested
    assert [a.private for a in actions if isinstance(a, SuggestReply)] == [True]
    small, _ = advance(None, post(neg=0.9, followers=10), t0, pb)
    assert small is not None and not small.private_suggested


def test_suggested_reply__large_account_invites_a_dm(engine, feed, pb, t0) -> None:
    feed.author("bigvoice", followers=50_000)
    feed.author("smallvoice", followers=50)
    feed.say("bigvoice", "Brightloop billed me twice, awful", t0, neg=0.9)
    feed.say("smallvoice", "Brightloop billed me twice, awful", t0, neg=0.9)
    process_pending(engine, pb)
    with Session(engine) as s:
        rows = {r.author_id: r for r in s.exec(select(Case)).all()}
    big, small = sorted(rows.values(), key=lambda r: r.id or 0)
    assert big.state["private_suggested"] is True and small.state["private_suggested"] is False
    big_text = service.suggested_reply(engine, big.id or 0, pb)
    small_text = service.suggested_reply(engine, small.id or 0, pb)
    assert "DM" in big_text and "DM" not in small_text
    assert big_text.startswith("Hi Bigvoice")
