"""The Playbook page's validator: leads and admins only, run in a limited child process."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import playbooks.loader
from playbooks.loader import DEFAULT_PLAYBOOK
from tests.dashboard.board_helpers import BoardData, open_page

NESTED_RANGES = "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}"


def upload(at: AppTest, text: str) -> AppTest:
    """Upload ``text`` as the playbook and press Validate."""
    at.file_uploader(key="pb_upload").upload("mine.yaml", text.encode(), "application/yaml")
    at.run()
    at.button(key="pb_validate").click().run()
    return at


def hostile_playbook(source: str) -> str:
    """The bundled playbook with the fan stage's default template replaced by ``source``."""
    text = DEFAULT_PLAYBOOK.read_text()
    start = text.index("  fan:\n")
    end = text.index("\n  walk_away:", start)
    quoted = source.replace("'", "''")
    return text[:start] + f"  fan:\n    default: '{quoted}'" + text[end:]


@pytest.mark.parametrize("role", ["analyst", "agent"])
def test_playbook__only_leads_and_admins_may_upload(board_db: BoardData, role: str) -> None:
    at = open_page("playbook", role=role)
    assert not at.exception, at.exception
    assert not at.get("file_uploader")
    assert any("Leads and admins" in i.value for i in at.info)
    assert any("brand:" in c.value for c in at.code)  # the active file is still shown


def test_playbook_validator__reports_the_line_of_a_broken_file(board_db: BoardData) -> None:
    text = DEFAULT_PLAYBOOK.read_text().replace("version: 1", "version: 7", 1)
    at = upload(open_page("playbook", role="lead"), text)
    assert any("not valid" in e.value for e in at.error)
    line = DEFAULT_PLAYBOOK.read_text().splitlines().index("version: 1") + 1
    shown = [c.value for c in at.code]
    assert f"playbook.yaml:{line}: version: Input should be less than or equal to 1" in shown
    assert not any("critic2fan-playbook-" in c for c in shown)  # no temporary paths
    good = upload(open_page("playbook", role="admin"), DEFAULT_PLAYBOOK.read_text())
    assert any(s.value.startswith("Valid: 7 topics") for s in good.success)


@pytest.mark.parametrize(
    ("source", "reason"),
    [(NESTED_RANGES, "range()"), ("{{ 'x' * 50000000 }}", "longer than 10,000 characters")],
    ids=["ranges", "string"],
)
def test_playbook_validator__hostile_templates_are_refused_quickly_outside_the_board(
    board_db: BoardData, monkeypatch: pytest.MonkeyPatch, source: str, reason: str
) -> None:
    loaded: list[Path] = []
    real = playbooks.loader.load_playbook

    def spy(path: Path | None = None, **kwargs: Any) -> Any:
        loaded.append(Path(path or DEFAULT_PLAYBOOK))
        return real(path, **kwargs)

    monkeypatch.setattr(playbooks.loader, "load_playbook", spy)
    at = open_page("playbook", role="lead")
    started = time.monotonic()
    upload(at, hostile_playbook(source))
    assert time.monotonic() - started < 20
    assert not at.exception, at.exception
    assert any("not valid" in e.value for e in at.error)
    assert any(reason in c.value and "templates.fan.default" in c.value for c in at.code)
    assert not [p for p in loaded if "critic2fan-playbook-" in str(p)]  # never in-process
