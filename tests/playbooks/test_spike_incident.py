"""A spike's incident is scoped to its topic and proposed for closing once volume is back."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from playbooks import service
from playbooks.runner import check_spike, process_pending
from playbooks.spike import back_to_baseline, spike_topic, topic_baseline
from store.incidents import incident_cases
from store.models import Case, Incident


def _cases(engine: Engine, topic: str) -> list[Case]:
    with Session(engine) as s:
        return list(s.exec(select(Case).where(Case.topic == topic, Case.is_open)).all())


def _incident(engine: Engine) -> Incident:
    with Session(engine) as s:
        return s.exec(select(Incident)).one()


def _outage_spike(engine, feed, pb, t0: datetime) -> datetime:
    """Two billing critics and one outage critic early on, then 30 outage posts in an hour."""
    feed.say("ana", "Brightloop billed me twice", t0, neg=0.9)
    feed.say("bo", "Brightloop overcharged me, what a bill", t0, neg=0.9)
    feed.say("cy", "Brightloop is down again, no internet", t0, neg=0.9)
    start = t0 + timedelta(hours=2)
    for i in range(30):
        feed.say(f"o{i}", "Brightloop is down everywhere", start + timedelta(minutes=i), neg=0.9)
    process_pending(engine, pb)
    return t0 + timedelta(hours=3)


def test_spike_topic__is_the_latest_buckets_commonest_topic(pb, t0) -> None:
    end = t0 + timedelta(hours=25)
    topics = [(end - timedelta(minutes=m), "outage") for m in (1, 2, 3)]
    topics += [(end - timedelta(minutes=5), "billing")]
    topics += [(end - timedelta(hours=3, minutes=m), "billing") for m in range(10)]
    assert spike_topic(topics, end=end, rules=pb.spike) == "outage"
    assert topic_baseline(topics, "billing", end=end, rules=pb.spike) == round(10 / 24, 3)


def test_back_to_baseline__needs_the_latest_bucket_at_or_under_the_baseline(pb, t0) -> None:
    end = t0 + timedelta(hours=25)
    busy = [(end - timedelta(minutes=m), "outage") for m in range(5)]
    assert not back_to_baseline(busy, "outage", 2.0, end=end, rules=pb.spike)
    assert back_to_baseline(busy[:2], "outage", 2.0, end=end, rules=pb.spike)
    assert back_to_baseline(busy, "billing", 0.0, end=end, rules=pb.spike)


def test_check_spike__tags_only_the_spikes_topic(engine, feed, pb, t0) -> None:
    now = _outage_spike(engine, feed, pb, t0)
    assert check_spike(engine, pb, now).spike
    incident = _incident(engine)
    assert (incident.kind, incident.topic) == ("spike", "outage")
    assert incident.reason is not None and "outage" in incident.reason
    outage, billing = _cases(engine, "outage"), _cases(engine, "billing")
    assert len(outage) == 31 and all(c.incident for c in outage)
    assert len(billing) == 2 and not any(c.incident for c in billing)
    holding = service.suggested_reply(engine, outage[0].id, pb)
    assert "outage problem" in holding and "working on it" in holding  # the playbook's holding
    assert "working on it" not in service.suggested_reply(engine, billing[0].id, pb)


def test_check_spike__cases_opened_during_the_incident_are_tagged_by_topic(
    engine, feed, pb, t0
) -> None:
    now = _outage_spike(engine, feed, pb, t0)
    check_spike(engine, pb, now)
    feed.say("dee", "Brightloop charged me for a month I cancelled", now, neg=0.9)
    feed.say("eve", "Brightloop outage, is down in my street", now, neg=0.9)
    process_pending(engine, pb)
    outage, billing = _cases(engine, "outage"), _cases(engine, "billing")
    assert len(outage) == 32 and all(c.incident for c in outage)
    assert len(billing) == 3 and not any(c.incident for c in billing)
    with Session(engine) as s:  # the newcomer is one of the incident's affected critics
        assert len(incident_cases(s, incident_id=_incident(engine).id or 0)) == 32


def test_check_spike__proposes_closing_when_volume_is_back(engine, feed, pb, t0) -> None:
    now = _outage_spike(engine, feed, pb, t0)
    check_spike(engine, pb, now)
    assert _incident(engine).close_proposed_at is None
    check_spike(engine, pb, now + timedelta(minutes=10))  # most of the spike still in the bucket
    assert _incident(engine).close_proposed_at is None
    calm = now + timedelta(hours=1)
    assert not check_spike(engine, pb, calm).spike
    incident = _incident(engine)
    assert incident.close_proposed_at == calm
    assert incident.ended_at is None and service.incident_active(engine)  # a lead closes it
    check_spike(engine, pb, calm + timedelta(hours=1))
    assert _incident(engine).close_proposed_at == calm  # proposed once
