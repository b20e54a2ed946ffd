"""The Incidents page: active incidents with their commander (or a loud "no commander"), scope,
affected critics linked to their cases, status updates; lead-only actions; text shown plainly."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest

from core.clock import utcnow
from playbooks import incidents
from playbooks.loader import load_active_playbook
from store.models import Incident, OutboxItem
from tests.dashboard.board_helpers import BoardData, markdown_strings, open_page, texts

REASON = "Fibre cut **north** <b>x</b>"


def _button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def _labels(at: AppTest) -> set[str]:
    return {b.label for b in at.button}


def _open(data: BoardData) -> int:
    incident = incidents.open_incident(
        data.engine,
        "lena",
        utcnow(),
        topic="outage",
        reason=REASON,
        role="lead",
        playbook=load_active_playbook(),
    )
    return incident.id or 0


def test_incidents__none_open(board_db: BoardData) -> None:
    at = open_page("incidents", role="lead")
    assert not at.exception
    assert [t.value for t in at.title] == ["Incidents"]
    assert any("No incident is open" in c.value for c in at.caption)
    assert "Open incident" in _labels(at)


def test_incidents__lists_the_incident_its_critics_and_no_commander(board_db: BoardData) -> None:
    _open(board_db)
    at = open_page("incidents", role="agent")

    assert not at.exception
    assert any("No commander" in e.value for e in at.error)
    shown = texts(at)
    assert any(t.startswith("Scope: outage") for t in shown)
    assert any(REASON in t for t in shown)  # as written, plainly
    assert not any("<b>x</b>" in m or "**north**" in m for m in markdown_strings(at))
    assert any(t.startswith("Affected critics: ") and not t.endswith(": 0 (0 still open)")
               for t in shown)  # fmt: skip
    assert "Open case" in _labels(at)
    assert not {"Close incident", "Take it", "Open incident"} & _labels(at)  # leads only


def test_incidents__a_lead_takes_it_and_posts_a_status_update(board_db: BoardData) -> None:
    iid = _open(board_db)
    at = open_page("incidents", role="lead")
    _button(at, "Take it").click().run()
    assert not at.exception and not any("No commander" in e.value for e in at.error)
    with Session(board_db.engine) as s:
        assert (s.get(Incident, iid) or Incident(kind="", started_by="")).commander == "user:lena"

    at.text_area(key=f"incident_update_{iid}").input("Crews are on site.")
    _button(at, "Post status update").click().run()
    assert not at.exception
    with Session(board_db.engine) as s:
        posts = s.exec(select(OutboxItem).where(col(OutboxItem.case_id).is_(None))).all()
    assert sorted(p.platform for p in posts) == ["bluesky", "mastodon", "reddit", "x"]
    assert {p.state for p in posts} == {"approved"}  # a lead's update is approved at once


def test_incidents__a_lead_closes_it(board_db: BoardData) -> None:
    iid = _open(board_db)
    at = open_page("incidents", role="lead")
    _button(at, "Close incident").click().run()
    assert not at.exception
    with Session(board_db.engine) as s:
        assert (s.get(Incident, iid) or Incident(kind="", started_by="")).ended_at is not None
    assert any("No incident is open" in c.value for c in at.caption)
    # it stays on the page, closed, with what was (not) recorded
    assert any(h.value == "Recently closed" for h in at.subheader)
    assert any(e.label.startswith(f"#{iid} ·") for e in at.expander)
    assert "Root cause: not recorded" in texts(at)
