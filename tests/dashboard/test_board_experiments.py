"""The Experiments page: variants, counts, the always-valid interval and verdict; leads stop."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from core.clock import utcnow
from store import experiments as store
from store.engine import session_scope
from store.models import ExperimentStop
from tests.dashboard.board_helpers import BoardData, open_page, texts


def _assign(data: BoardData) -> None:
    """Give every case of the board a variant (the ones it has keep theirs)."""
    with session_scope(data.engine) as s:
        for n, case_id in enumerate(data.case_ids):
            store.record_assignment(
                s, "ack_tone", case_id, "warm" if n % 2 else "brief", now=utcnow()
            )


def _buttons(at: AppTest, label: str) -> list[Any]:
    return [b for b in at.button if b.label == label]


def test_experiments_page__shows_variants_interval_verdict_and_caveat(board_db: BoardData) -> None:
    _assign(board_db)

    at = open_page("experiments")

    assert not at.exception
    assert [t.value for t in at.title] == ["Experiments"]
    shown = texts(at)
    assert any("brief vs warm: uplift" in t and "interval" in t and "p = " in t for t in shown)
    assert [m.value for m in at.metric][0].startswith("Keep running")
    assert any("at most 5%" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert set(table["variant"]) == {"warm", "brief"}
    assert int(table["cases"].sum()) >= len(board_db.case_ids)
    assert not _buttons(at, "Stop")  # an agent cannot stop it


def test_experiments_page__a_lead_stops_with_a_reason(board_db: BoardData) -> None:
    at = open_page("experiments", role="lead")
    (stop,) = _buttons(at, "Stop")
    stop.click().run()
    assert at.error and "say why" in at.error[0].value  # no reason: refused, nothing written
    with Session(board_db.engine) as s:
        assert s.exec(select(ExperimentStop)).all() == []

    at.text_input(key="experiment_reason_ack_tone").input("brief is clearly better").run()
    _buttons(at, "Stop")[0].click().run()

    assert not at.exception
    with Session(board_db.engine) as s:
        (row,) = s.exec(select(ExperimentStop)).all()
    assert (row.stopped_by, row.reason) == ("user:lena", "brief is clearly better")
    assert [m.value for m in at.metric] == ["Stopped"]
    assert any("brief is clearly better" in t for t in texts(at))
    assert not _buttons(at, "Stop")
