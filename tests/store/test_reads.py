"""Store reads the upper layers call: staff casework, incidents, terminal counts, evaluations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from store.casework import goodwill_spent, open_case_id, open_cases_to_tag
from store.incidents import incident_open, incidents_overlapping, newest_open_incident
from store.models import Author, Case, GoodwillLedger, Incident, Mention, Score
from store.scores import scored_mentions
from store.summary import (
    closed_cases_by_outcome,
    mention_counts,
    open_cases_by_stage,
    people_counts,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _seed(engine: Engine) -> None:
    with Session(engine) as s:
        s.add(Author(id=1, platform="x", platform_id="1", handle="critic"))
        s.add(Author(id=2, platform="x", platform_id="2", handle="quiet"))
        for mid in (1, 2):
            s.add(
                Mention(
                    id=mid,
                    source="x",
                    external_id=str(mid),
                    author_id=1,
                    text=f"post {mid}",
                    created_at=T0,
                )
            )
        s.add(
            Score(
                mention_id=1, model_name="m", model_version="1", sentiment_label="negative",
                p_negative=0.8, p_neutral=0.1, p_positive=0.1, sentiment=-0.7, toxicity=0.3,
                troll_likelihood=0.2, troll_reasons=["bait"],
            )
        )  # fmt: skip
        s.add(Case(id=1, author_id=1, topic="billing", source="x", stage="goodwill", opened_at=T0))
        s.add(
            Case(
                id=2, author_id=1, topic="outage", source="x", stage="walk_away", is_open=False,
                outcome="walked_away", walkaway_reason="troll", incident=True, opened_at=T0,
            )
        )  # fmt: skip
        for actor, amount, at in (
            ("user:a", 5.0, T0),
            ("user:b", 7.0, T0),
            ("user:a", 9.0, T0 - timedelta(days=1)),
        ):
            s.add(
                GoodwillLedger(
                    case_id=1, actor=actor, kind="voucher", amount=amount, currency="EUR", at=at
                )
            )
        s.add(
            Incident(
                kind="manual",
                started_at=T0 - timedelta(days=3),
                ended_at=T0 - timedelta(days=2),
                started_by="user:a",
            )
        )
        s.add(Incident(kind="spike", started_at=T0 - timedelta(hours=1), started_by="engine"))
        s.commit()


def test_casework_reads__clashing_case_untagged_cases_and_goodwill(any_engine: Engine) -> None:
    _seed(any_engine)
    with Session(any_engine) as s:
        assert open_case_id(s, author_id=1, topic="billing") == 1
        assert open_case_id(s, author_id=1, topic="outage") is None  # closed
        assert [c.id for c in open_cases_to_tag(s, incident=True)] == [1]
        assert open_cases_to_tag(s, incident=False) == []
        day = T0.replace(hour=0)
        assert goodwill_spent(s, day, day + timedelta(days=1)) == 12.0
        assert goodwill_spent(s, day, day + timedelta(days=1), actor="user:a") == 5.0
        assert goodwill_spent(s, day, day + timedelta(days=1), actor="user:c") == 0.0


def test_incident_reads__open_newest_and_overlapping_a_day(any_engine: Engine) -> None:
    _seed(any_engine)
    with Session(any_engine) as s:
        assert incident_open(s)
        newest = newest_open_incident(s)
        assert newest is not None and newest.kind == "spike"
        day = T0.replace(hour=0)
        assert [i.kind for i in incidents_overlapping(s, day, day + timedelta(days=1))] == ["spike"]
        earlier = incidents_overlapping(s, day - timedelta(days=3), day)
        assert [i.kind for i in earlier] == ["manual"]


def test_summary_counts(any_engine: Engine) -> None:
    _seed(any_engine)
    with any_engine.connect() as conn:
        assert mention_counts(conn) == (2, 1)
        assert people_counts(conn) == (2, 1)
        assert open_cases_by_stage(conn) == {"goodwill": 1}
        assert closed_cases_by_outcome(conn) == {("walked_away", "troll"): 1}


def test_scored_mentions__one_row_per_score(any_engine: Engine) -> None:
    _seed(any_engine)
    with any_engine.connect() as conn:
        rows = scored_mentions(conn)
    assert len(rows) == 1
    source, external_id, text, label, troll, supported, reasons = rows[0]
    assert (source, external_id, text, label, troll, supported, reasons) == (
        "x", "1", "post 1", "negative", 0.2, True, ["bait"],
    )  # fmt: skip
