"""The fan and walk-away templates are offered at those moments: a thank-you for a new fan, a
courteous last word for a walk-away (never for a troll or bad faith)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlmodel import Session, select

from playbooks import service
from playbooks.engine import advance
from playbooks.events import StaffReply
from playbooks.runner import process_pending
from playbooks.service import offers_reply, reply_stage
from store.models import Case


def test_reply_stage__follows_the_moment(pb, post, t0) -> None:
    case, _ = advance(None, post(neg=0.9), t0, pb)
    assert case is not None and reply_stage(case) == "acknowledge"
    answered, _ = advance(case, StaffReply("user:ann", "sorry"), t0, pb)
    assert answered is not None
    tired = replace(answered, walkaway_recommended="cannot_be_pleased")
    assert reply_stage(tired) == "walk_away"
    # A troll gets one calm answer from the high ground; after it, silence.
    assert reply_stage(replace(case, walkaway_recommended="troll")) == "high_ground"
    assert reply_stage(replace(answered, walkaway_recommended="troll")) == ""
    # A pile-on: one statement on its lead case, nothing on the others.
    assert reply_stage(replace(case, pileon_of=7, pileon_lead=True)) == "pileon"
    assert reply_stage(replace(case, pileon_of=7)) == ""
    assert reply_stage(replace(answered, pileon_of=7, pileon_lead=True)) == ""
    assert reply_stage(replace(case, walkaway_recommended="cannot_be_pleased")) == "acknowledge"
    closed = replace(answered, is_open=False, stage="walk_away", walkaway_reason="no_answer")
    assert reply_stage(closed) == "walk_away" and offers_reply(closed)
    trolled = replace(closed, walkaway_reason="troll")
    assert reply_stage(trolled) == "" and not offers_reply(trolled)
    fan = replace(answered, is_open=False, stage="fan", outcome="fan")
    assert reply_stage(fan) == "fan" and offers_reply(fan)


def test_suggested_reply__new_fan_gets_the_thank_you(engine, feed, pb, t0) -> None:
    first = feed.say("ana", "Brightloop internet is down again", t0, neg=0.9)
    feed.say("brightloop", "So sorry Ana", t0 + timedelta(minutes=5), reply_to=first, brand=True)
    feed.say("ana", "thank you, all good now!", t0 + timedelta(minutes=30), pos=0.9)
    process_pending(engine, pb)
    with Session(engine) as s:
        (case,) = s.exec(select(Case)).all()
    assert case.stage == "fan"
    text = service.suggested_reply(engine, case.id or 0, pb)
    assert text.startswith("Thanks Ana, glad we could sort it out")


def test_suggested_reply__walk_away_gets_the_last_word(engine, feed, pb, t0) -> None:
    feed.say("bo", "Brightloop billed me twice, awful", t0, neg=0.9)
    process_pending(engine, pb)
    with Session(engine) as s:
        (case,) = s.exec(select(Case)).all()
    case_id = case.id or 0
    service.walk_away(engine, case_id, "ann", "agreed_to_disagree", t0, playbook=pb)
    assert "We've noted it" in service.suggested_reply(engine, case_id, pb)
    service.reopen(engine, case_id, "lee", t0, playbook=pb)
    service.walk_away(engine, case_id, "ann", "troll", t0, playbook=pb)
    assert service.suggested_reply(engine, case_id, pb) == ""
