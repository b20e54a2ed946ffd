"""``critic2fan demo --no-board``: the sample imported, scored and worked; idempotent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from core.clock import FixedClock, as_utc
from critic2fan.demo import LEAD_TIME, SHIFT_CURSOR, run_demo
from store.models import Author, Case, CaseEvent, DiscoveredTopic, Mention, MentionTopic, Score
from store.writer import load_cursor
from tests.cli_helpers import run_cli

pytestmark = pytest.mark.slow


def _counts(db_url: str) -> dict[str, int]:
    from store.engine import make_engine

    with Session(make_engine(db_url)) as session:
        return {
            table.__name__: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (Mention, Score, Case, CaseEvent)
        }


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, str]:
    folder: Path = tmp_path_factory.mktemp("demo")
    db_url = f"sqlite:///{folder / 'demo.db'}"
    first = run_cli("--db", db_url, "demo", "--no-board")
    assert first.code == 0, first.err
    second = run_cli("--db", db_url, "demo", "--no-board")
    assert second.code == 0, second.err
    return db_url, first.out, second.out


def test_demo__twice_leaves_the_same_rows(demo_run: tuple[str, str, str]) -> None:
    db_url, first, second = demo_run

    assert _numbers(first) == _numbers(second)
    counts = _counts(db_url)
    assert counts["Mention"] >= 600
    assert counts["Score"] == counts["Mention"] - _deleted(db_url)


def test_demo__reaches_every_stage(demo_run: tuple[str, str, str]) -> None:
    db_url, first, _ = demo_run
    from store.engine import make_engine

    with Session(make_engine(db_url)) as session:
        stages = set(session.execute(select(Case.stage).distinct()).scalars())
        outcomes = set(session.execute(select(Case.outcome).distinct()).scalars())

    assert {"acknowledge", "empathize", "goodwill", "fan", "walk_away"} <= stages
    assert "fan" in outcomes
    assert "mentions" in first and "critics" in first


def test_demo__latest_sample_mention_is_recent(demo_run: tuple[str, str, str]) -> None:
    db_url, _, _ = demo_run
    from core.clock import utcnow
    from store.engine import make_engine

    with Session(make_engine(db_url)) as session:
        latest = session.execute(select(func.max(Mention.created_at))).scalar_one()
    from store.types import UTCDateTime

    assert latest is not None
    age = utcnow() - UTCDateTime().process_result_value(latest, None)  # type: ignore[arg-type]
    assert age.total_seconds() < 3 * 3600


def _numbers(output: str) -> list[str]:
    return re.findall(r"\d+", output)


def _deleted(db_url: str) -> int:
    from store.engine import make_engine

    with Session(make_engine(db_url)) as session:
        return session.execute(
            select(func.count()).select_from(Mention).where(Mention.deleted.is_(True))  # type: ignore[attr-defined]
        ).scalar_one()


# -- the timeline, on a clock that stands still ------------------------------------------------

#: Well after the sample's two weeks, so the shift moves every post forward.
LOADED_AT = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class ClockedDemo:
    clock: FixedClock
    first: dict[str, list[tuple[object, ...]]]
    second: dict[str, list[tuple[object, ...]]]
    engine: Engine


def _rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the demo's tables, as plain sorted tuples."""
    with Session(engine) as session:
        return {
            table.__name__: sorted(
                tuple(str(value) for value in row.model_dump().values())
                for row in session.execute(select(table)).scalars()
            )
            for table in (Mention, Author, Score, Case, CaseEvent, DiscoveredTopic, MentionTopic)
        }


@pytest.fixture(scope="module")
def clocked_demo(tmp_path_factory: pytest.TempPathFactory) -> ClockedDemo:
    from critic2fan.context import AppContext

    folder: Path = tmp_path_factory.mktemp("clocked")
    actx = AppContext.from_options(db=f"sqlite:///{folder / 'demo.db'}")
    clock = FixedClock(LOADED_AT)
    run_demo(actx, clock=clock)
    first = _rows(actx.engine())
    run_demo(actx, clock=clock)
    return ClockedDemo(clock, first, _rows(actx.engine()), actx.engine())


def test_demo__newest_mention_is_minutes_old_at_load(clocked_demo: ClockedDemo) -> None:
    with Session(clocked_demo.engine) as session:
        newest = session.execute(select(func.max(Mention.created_at))).scalar_one()
    age = clocked_demo.clock.now() - as_utc(newest)

    assert timedelta(0) < age <= LEAD_TIME + timedelta(minutes=1)


def test_demo__account_dates_move_with_the_posts(clocked_demo: ClockedDemo) -> None:
    shift = timedelta(seconds=float(load_cursor(clocked_demo.engine, SHIFT_CURSOR) or "nan"))
    with Session(clocked_demo.engine) as session:
        author = session.execute(
            select(Author).where(col(Author.handle) == "modemowen")
        ).scalar_one()

    # the sample writes this account as created 2018-06-15T15:33:31Z
    created = datetime(2018, 6, 15, 15, 33, 31, tzinfo=UTC)
    assert author.account_created is not None
    assert as_utc(author.account_created) == created + shift


def test_demo__second_load_changes_nothing(clocked_demo: ClockedDemo) -> None:
    assert {k: len(v) for k, v in clocked_demo.second.items()} == {
        k: len(v) for k, v in clocked_demo.first.items()
    }
    assert clocked_demo.second == clocked_demo.first


def test_demo__fresh_cases_are_within_their_sla(clocked_demo: ClockedDemo) -> None:
    now = clocked_demo.clock.now()
    with Session(clocked_demo.engine) as session:
        waiting = [
            case
            for case in session.execute(select(Case).where(col(Case.is_open))).scalars()
            if case.sla_due is not None
        ]
    fresh = [c for c in waiting if now - as_utc(c.updated_at) < timedelta(minutes=60)]
    overdue = [c for c in waiting if as_utc(c.sla_due) < now]

    # the replay ends at the present: a case its critic opened minutes ago still has time
    assert fresh, "the sample's newest critics have cases waiting on staff"
    assert all(as_utc(c.sla_due) >= now for c in fresh)
    assert len(overdue) < len(waiting)


#: Fans the demo may still open a case on: the sample keeps a few understated praise posts
#: ("Zero Teams disconnects. My manager noticed.") that the model reads as complaints, a known
#: limit of the model (docs/model-card.md); 11 of the sample's 78 fans today.
FANS_WITH_A_CASE_AT_MOST = 12


def test_demo__few_fans_get_a_case(clocked_demo: ClockedDemo) -> None:
    import json

    from sample import TRUTH_PATH

    with TRUTH_PATH.open(encoding="utf-8") as fh:
        truth = [json.loads(line) for line in fh]
    fans = {(t["platform"], t["handle"]) for t in truth if t.get("persona") == "fan"}
    with Session(clocked_demo.engine) as session:
        with_a_case = set(
            session.execute(
                select(col(Author.platform), col(Author.handle)).join(
                    Case, col(Case.author_id) == col(Author.id)
                )
            ).tuples()
        )

    assert len(fans) > 50
    assert with_a_case - fans, "critics still get cases"
    assert len(with_a_case & fans) <= FANS_WITH_A_CASE_AT_MOST


def test_demo__shows_every_path(clocked_demo: ClockedDemo) -> None:
    from store.models import Incident

    now = clocked_demo.clock.now()
    with Session(clocked_demo.engine) as session:
        cases = list(session.execute(select(Case)).scalars())
        incidents = list(session.execute(select(Incident)).scalars())
    closed = [(c.outcome, c.walkaway_reason) for c in cases if not c.is_open]
    open_cases = [c for c in cases if c.is_open]
    past_sla = [c for c in open_cases if c.sla_due is not None and as_utc(c.sla_due) < now]

    assert closed.count(("walk_away", "troll")) >= 5
    assert closed.count(("fan", None)) >= 10
    assert ("walk_away", "agreed_to_disagree") in closed and ("walk_away", "no_answer") in closed
    # the team kept up: most open cases wait on the critic, not on staff
    assert len(past_sla) < len(open_cases) / 2
    # the outage's spike opened an incident on its topic, and a lead closed it once it was over
    outage = [i for i in incidents if i.kind == "spike" and i.topic == "outage"]
    assert outage and all(i.ended_at is not None for i in outage)
    assert all(i.close_proposed_at is not None for i in outage)


def test_demo__the_pileon_gets_one_statement(clocked_demo: ClockedDemo) -> None:
    with Session(clocked_demo.engine) as session:
        cases = list(session.execute(select(Case)).scalars())
    pileon = [c for c in cases if c.state.get("pileon_of") is not None]
    leads = [c for c in pileon if c.state.get("pileon_lead")]

    assert len(pileon) >= 5 and len({c.state["pileon_of"] for c in pileon}) == 1
    assert len(leads) == 1 and leads[0].state["staff_replies"] == 1
    assert all(c.state["staff_replies"] == 0 for c in pileon if c not in leads)
    assert {(c.outcome, c.walkaway_reason) for c in pileon} == {("walk_away", "troll")}


def test_demo__fans_carry_their_one_thing(clocked_demo: ClockedDemo) -> None:
    with Session(clocked_demo.engine) as session:
        fans = list(session.execute(select(Case).where(col(Case.outcome) == "fan")).scalars())
        written = session.execute(
            select(func.count()).select_from(CaseEvent).where(col(CaseEvent.kind) == "one_thing")
        ).scalar_one()

    with_story = [c for c in fans if c.one_thing]
    # the sample lead wrote down what would fix it, on the trail, before they came round
    assert len(with_story) >= 3
    assert written >= len(with_story)


def test_demo__discovers_the_sample_themes_once(clocked_demo: ClockedDemo) -> None:
    with Session(clocked_demo.engine) as session:
        topics = list(session.execute(select(DiscoveredTopic)).scalars())
        assigned = session.execute(
            select(func.count())
            .select_from(MentionTopic)
            .where(col(MentionTopic.topic_id).is_not(None))
        ).scalar_one()

    active = [t for t in topics if t.active]
    assert len(active) >= 5 and all(t.label.strip() for t in active)
    # the sample's complaint themes come back as topics named after the playbook's
    assert {"outage", "billing", "speed", "cancellation"} <= {t.seed for t in active}
    assert assigned >= 400
    # the second run found them already there: every topic's row is as the first run wrote it
    assert clocked_demo.second["DiscoveredTopic"] == clocked_demo.first["DiscoveredTopic"]


def test_demo__the_product_report_has_the_outage_on_top(clocked_demo: ClockedDemo) -> None:
    from scoring.topics.report import ReportWindow
    from scoring.topics.service import report

    now = clocked_demo.clock.now()
    rows = report(clocked_demo.engine, ReportWindow.ending(now, days=14)).topics

    complaints = [r for r in rows if (r.negative_share or 0) >= 0.5]
    assert complaints[0].label == "outage"
    assert all(r.examples and r.authors and r.reach > 0 for r in complaints)
    assert sum(r.fans_won_back for r in rows) >= 10


def test_demo__the_outage_ends_with_its_fixed_drafts(clocked_demo: ClockedDemo) -> None:
    from store.models import Incident, IncidentCase, OutboxItem

    with Session(clocked_demo.engine) as session:
        (outage,) = session.execute(
            select(Incident).where(col(Incident.topic) == "outage")
        ).scalars()
        links = list(
            session.execute(
                select(IncidentCase).where(col(IncidentCase.incident_id) == outage.id)
            ).scalars()
        )
        drafts = list(
            session.execute(
                select(OutboxItem).where(
                    col(OutboxItem.id).in_([link.followup_id for link in links if link.followup_id])
                )
            ).scalars()
        )

    assert outage.holding_reply and outage.root_cause and outage.fix and outage.ended_at
    # one "it's fixed" follow-up per affected critic, each waiting for a lead's approval
    assert len(drafts) >= 10 and len({d.case_id for d in drafts}) == len(drafts)
    assert {d.state for d in drafts} == {"awaiting_approval"}
