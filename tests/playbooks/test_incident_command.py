"""Incident command: open on a scope, a commander, the holding reply, status updates through the
outbox once per platform, root cause and fix with one "it's fixed" draft per affected critic,
closed by a lead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.errors import InputError
from playbooks import incidents, service
from playbooks.runner import process_pending
from store.incidents import affected_critics, incident_cases
from store.models import Case, CaseEvent, Incident, OutboxItem, User

PLATFORMS = ("x", "mastodon")


@pytest.fixture
def staff(engine: Engine) -> None:
    """A lead (``lee``) and an agent (``ann``)."""
    with Session(engine) as s:
        s.add(User(username="lee", display_name="Lee", role="lead", password_hash="x"))
        s.add(User(username="ann", display_name="Ann", role="agent", password_hash="x"))
        s.commit()


@pytest.fixture
def outage(engine: Engine, feed, pb, t0, staff) -> list[int]:
    """Two outage critics and one billing critic, each with an open case."""
    feed.say("ana", "Brightloop outage, internet is down again", t0, neg=0.9)
    feed.say("bo", "Brightloop no internet since this morning, outage", t0, neg=0.9)
    feed.say("cy", "Brightloop charged me a cancellation fee, scam", t0, neg=0.9)
    process_pending(engine, pb)
    with Session(engine) as s:
        rows = s.exec(select(Case).order_by(col(Case.id))).all()
        assert [r.topic for r in rows] == ["outage", "outage", "billing"]
        return [r.id or 0 for r in rows]


def _open(engine: Engine, pb, t0, **kw: object) -> Incident:
    values: dict[str, object] = {"topic": "outage", "reason": "fibre cut", "playbook": pb}
    values.update(kw)
    return incidents.open_incident(engine, "lee", t0, **values)  # type: ignore[arg-type]


def _items(engine: Engine) -> list[OutboxItem]:
    with Session(engine) as s:
        return list(s.exec(select(OutboxItem).order_by(col(OutboxItem.id))).all())


def test_open__tags_only_the_scope_and_has_no_commander(engine, pb, t0, outage) -> None:
    incident = _open(engine, pb, t0, region="north")
    assert incident.commander is None and incident.region == "north"
    with Session(engine) as s:
        tagged = [link.case_id for link in incident_cases(s, incident.id or 0)]
        billing = s.get(Case, outage[2])
        assert billing is not None and not billing.incident
    assert tagged == outage[:2]


def test_open__needs_a_lead_and_one_incident_per_scope(engine, pb, t0, outage) -> None:
    with pytest.raises(InputError, match="not a lead"):
        incidents.open_incident(engine, "ann", t0, topic="outage", playbook=pb)
    _open(engine, pb, t0)
    with pytest.raises(InputError, match="already open"):
        _open(engine, pb, t0)


def test_open__platform_scope_tags_that_platform_only(engine, pb, t0, outage) -> None:
    incident = _open(engine, pb, t0, platform="reddit")
    with Session(engine) as s:
        assert incident_cases(s, incident.id or 0) == []  # the feed's critics post on X


def test_suggested_reply__is_the_holding_reply_never_blank(engine, pb, t0, outage) -> None:
    incident = _open(engine, pb, t0)
    ours = service.suggested_reply(engine, outage[0], pb)
    assert "working on it" in ours and "Ana" in ours.title()  # the playbook's holding reply
    with pytest.raises(InputError, match="empty"):
        incidents.set_holding_reply(engine, incident.id or 0, "lee", "   ", t0)
    with pytest.raises(InputError, match="does not render"):
        incidents.set_holding_reply(engine, incident.id or 0, "lee", "Hi {{ nmae }}", t0)
    text = "Hi {{ name }}, a fibre cut took your area down; crews are on site."
    incidents.set_holding_reply(engine, incident.id or 0, "lee", text, t0)
    reply = service.suggested_reply(engine, outage[0], pb)
    assert reply.startswith("Hi ") and reply.endswith("crews are on site.")
    assert "{{" not in reply
    assert "fibre cut" not in service.suggested_reply(engine, outage[2], pb)  # out of scope


def test_commander__a_lead_names_them_and_they_may_work_it(engine, pb, t0, outage) -> None:
    incident = _open(engine, pb, t0)
    with pytest.raises(InputError, match="not a lead"):
        incidents.assign_commander(engine, incident.id or 0, "ann", "ann", t0)
    with pytest.raises(InputError, match="cannot set the holding reply"):
        incidents.set_holding_reply(engine, incident.id or 0, "ann", "Hi {{ name }}", t0)
    row = incidents.assign_commander(engine, incident.id or 0, "lee", "ann", t0)
    assert row.commander == "user:ann"
    incidents.set_holding_reply(engine, incident.id or 0, "ann", "Hi {{ name }}, on it.", t0)


def test_status_update__queued_once_per_platform_and_idempotent(engine, pb, t0, outage) -> None:
    incident = _open(engine, pb, t0)
    incidents.assign_commander(engine, incident.id or 0, "lee", "ann", t0)
    text = "Crews are repairing the fibre cut in the north; next update at 3 pm."
    update = incidents.post_status_update(
        engine, incident.id or 0, "ann", text, t0, platforms=PLATFORMS
    )
    again = incidents.post_status_update(
        engine, incident.id or 0, "ann", text, t0 + timedelta(minutes=1), platforms=PLATFORMS
    )
    assert again.id == update.id and again.outbox_ids == update.outbox_ids
    posts = [i for i in _items(engine) if i.incident_update_id == update.id]
    assert sorted(p.platform for p in posts) == ["mastodon", "x"]
    assert all(p.case_id is None and p.state == "awaiting_approval" for p in posts)
    with pytest.raises(InputError, match="not a lead"):
        incidents.approve_status_update(engine, update.id or 0, "ann", t0)
    assert incidents.approve_status_update(engine, update.id or 0, "lee", t0) == 2
    assert incidents.approve_status_update(engine, update.id or 0, "lee", t0) == 0
    assert {i.state for i in _items(engine)} == {"approved"}
    assert all(i.idempotency_key for i in _items(engine))


def test_status_update__a_leads_is_approved_at_once(engine, pb, t0, outage) -> None:
    incident = _open(engine, pb, t0, platform="x")
    update = incidents.post_status_update(
        engine, incident.id or 0, "lee", "Fixed soon.", t0, platforms=PLATFORMS
    )
    assert list(update.outbox_ids) == ["x"]  # scoped to X: posted there only
    assert [i.state for i in _items(engine)] == ["approved"]


def test_fix__one_followup_per_affected_critic_once(engine, pb, t0, outage) -> None:
    incident = _open(engine, pb, t0)
    iid = incident.id or 0
    with pytest.raises(InputError, match="root cause first"):
        incidents.record_fix(engine, iid, "lee", "Spliced the cable", t0, playbook=pb)
    incidents.record_root_cause(engine, iid, "lee", "A digger cut the fibre on Mill Road", t0)
    done = incidents.record_fix(engine, iid, "lee", "Spliced the cable", t0, playbook=pb)
    assert (done.drafted, done.skipped) == (2, 0)
    again = incidents.record_fix(engine, iid, "lee", "Spliced and rerouted", t0, playbook=pb)
    assert again.drafted == 0
    drafts = _items(engine)
    assert [d.case_id for d in drafts] == outage[:2]
    assert all(d.state == "awaiting_approval" and not d.private for d in drafts)
    text = drafts[0].text
    assert "A digger cut the fibre on Mill Road." in text and "Spliced the cable." in text
    assert "Ana" in text.title()
    with Session(engine) as s:
        critics = affected_critics(s.connection(), iid)
        trail = s.exec(select(CaseEvent).where(CaseEvent.kind == "fixed_followup")).all()
    assert [c.followup_state for c in critics] == ["awaiting_approval"] * 2
    assert len(trail) == 2


def test_fix__names_are_sanitised(engine, feed, pb, t0, staff) -> None:
    feed.say("evil", "Brightloop outage, internet is down", t0, neg=0.9)
    process_pending(engine, pb)
    with Session(engine) as s:
        from store.models import Author

        author = s.exec(select(Author).where(Author.handle == "evil")).one()
        author.display_name = "Eve\u202e @everyone https://x.test"
        s.add(author)
        s.commit()
    incident = _open(engine, pb, t0)
    incidents.record_root_cause(engine, incident.id or 0, "lee", "A cut.", t0)
    incidents.record_fix(engine, incident.id or 0, "lee", "Spliced.", t0, playbook=pb)
    text = _items(engine)[0].text
    assert "\u202e" not in text


def test_close__by_a_lead_only_and_untags(engine, pb, t0, outage) -> None:
    incident = _open(engine, pb, t0)
    iid = incident.id or 0
    incidents.assign_commander(engine, iid, "lee", "ann", t0)
    with pytest.raises(InputError, match="not a lead"):
        incidents.close_incident(engine, iid, "ann", t0, playbook=pb)
    later = t0 + timedelta(hours=2)
    assert incidents.close_incident(engine, iid, "lee", later, reason="repaired", playbook=pb) == 2
    with Session(engine) as s:
        row = s.get(Incident, iid)
        assert row is not None and row.ended_at == later and row.ended_by == "user:lee"
        assert not any(c.incident for c in s.exec(select(Case)).all())
        assert len(incident_cases(s, iid)) == 2  # still its affected critics
    with pytest.raises(InputError, match="closed"):
        incidents.record_root_cause(engine, iid, "lee", "late", later)
    assert "working on it" not in service.suggested_reply(engine, outage[0], pb)
