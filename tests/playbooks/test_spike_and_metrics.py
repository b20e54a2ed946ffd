"""The spike detector (pure), the live spike check, and the board/digest metrics."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from playbooks import metrics, service
from playbooks.runner import check_spike, process_pending
from playbooks.spike import Bucket, bucketize, detect_spike
from store.models import Case, CaseEvent, Incident


def _flat(t0, n: int, count: int, negative: int) -> list[Bucket]:
    return [Bucket(t0 + timedelta(hours=i), count, negative) for i in range(n)]


def test_detect_spike__steady_volume_is_no_spike(pb, t0) -> None:
    buckets = _flat(t0, 25, 12, 3)
    assert not detect_spike(buckets, pb.spike).spike


def test_detect_spike__volume_jump_is_a_spike(pb, t0) -> None:
    buckets = [*_flat(t0, 24, 5, 1), Bucket(t0 + timedelta(hours=24), 40, 10)]
    verdict = detect_spike(buckets, pb.spike)
    assert verdict.spike and verdict.volume_ratio == 8.0 and "volume" in verdict.reasons[0]


def test_detect_spike__negativity_jump_is_a_spike(pb, t0) -> None:
    buckets = [*_flat(t0, 24, 12, 2), Bucket(t0 + timedelta(hours=24), 14, 12)]
    verdict = detect_spike(buckets, pb.spike)
    assert verdict.spike and any("negative" in r for r in verdict.reasons)


def test_detect_spike__tiny_volume_never_spikes(pb, t0) -> None:
    buckets = [*_flat(t0, 24, 0, 0), Bucket(t0 + timedelta(hours=24), 3, 3)]
    assert not detect_spike(buckets, pb.spike).spike


def test_bucketize__counts_into_the_right_buckets(pb, t0) -> None:
    end = t0 + timedelta(hours=25)
    items = [(end - timedelta(minutes=5), True), (end - timedelta(minutes=70), False)]
    buckets = bucketize(items, end=end, rules=pb.spike)
    assert (buckets[-1].count, buckets[-1].negative) == (1, 1)
    assert (buckets[-2].count, buckets[-2].negative) == (1, 0)


def test_check_spike__switches_incident_mode_on(engine, feed, pb, t0) -> None:
    for i in range(30):
        feed.say(f"c{i}", "Brightloop is down everywhere", t0 + timedelta(minutes=i), neg=0.9)
    verdict = check_spike(engine, pb, t0 + timedelta(minutes=31))
    assert verdict.spike and service.incident_active(engine)
    with Session(engine) as s:
        assert s.exec(select(Incident)).one().kind == "spike"


def test_metrics__report_counts_conversions_walkaways_and_sla(engine, feed, pb, t0) -> None:
    a = feed.say("ana", "Brightloop billed me twice", t0, neg=0.9)
    feed.say(
        "brightloop", "Sorry Ana, fixing it", t0 + timedelta(minutes=30), reply_to=a, brand=True
    )
    feed.say("ana", "thanks, all good now", t0 + timedelta(hours=2), pos=0.8)
    feed.say("bo", "Brightloop overcharged me", t0 + timedelta(minutes=1), neg=0.9)
    process_pending(engine, pb)
    with Session(engine) as s:
        bo = s.exec(select(Case).where(Case.topic == "billing", Case.is_open)).one()
    service.walk_away(engine, bo.id, "lee", "bad_faith", t0 + timedelta(hours=3), playbook=pb)
    figures = metrics.report(engine, t0, t0 + timedelta(days=1))
    assert figures["conversion_rate"] == 0.5
    assert figures["walkaways_by_reason"] == {"bad_faith": 1}
    assert figures["minutes_to_acknowledge"]["median"] == 30.0
    assert figures["sla_hit_rate"] == 0.5  # Bo's acknowledge SLA was breached
    assert figures["funnel"]["fan"] == 1 and figures["funnel"]["acknowledge"] == 2
    assert figures["minutes_in_stage"]["acknowledge"]["n"] == 2


def test_minutes_in_stage__open_stage_runs_until_now(t0) -> None:
    events = [CaseEvent(case_id=1, at=t0, kind="opened", actor="engine", stage_to="acknowledge")]
    spent = metrics.minutes_in_stage(events, t0 + timedelta(minutes=45))
    assert spent["acknowledge"] == [45.0]
