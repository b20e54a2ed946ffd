"""The digest names an incident's scope, commander, affected critics, cause and fix."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dashboard.digest import build_digest, day_window, render_digest
from store.models import Case, Incident, IncidentCase

from .conftest import DAY, ZONE


def test_incidents__carry_scope_commander_affected_cause_and_fix(day: Engine) -> None:
    with Session(day) as s:
        incident = s.exec(select(Incident)).one()
        incident.topic = "outage"
        incident.commander = "user:lena"
        incident.root_cause = "A fiber <b>cut</b>"
        incident.fix = "Spliced & rerouted"
        s.add(incident)
        case_ids = [c for c in s.exec(select(Case.id).where(col(Case.id).is_not(None)))][:2]
        for case_id in case_ids:
            s.add(
                IncidentCase(
                    incident_id=incident.id, case_id=case_id, tagged_at=incident.started_at
                )
            )
        s.commit()

    digest = build_digest(
        day, day_window(DAY, ZONE), brand="Brightloop", now=datetime(2024, 5, 3, 6, tzinfo=UTC)
    )
    (row,) = digest.incidents
    assert (row.topic, row.commander, row.affected) == ("outage", "lena", len(case_ids))
    rendered = render_digest(digest)
    assert "A fiber &lt;b&gt;cut&lt;/b&gt;" in rendered.html and "<b>cut</b>" not in rendered.html
    assert "Spliced &amp; rerouted" in rendered.html
    assert f"{len(case_ids)} affected critics; commander lena" in rendered.text
    assert "cause: A fiber <b>cut</b>; fix: Spliced & rerouted" in rendered.text
