"""Fixtures for the board tests (the builders live in ``board_helpers``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dashboard.board_helpers import BoardData, build_board_db


@pytest.fixture
def board_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BoardData]:
    """A fresh board database, named in the environment as the board would find it."""
    data = build_board_db(tmp_path / "board.db")
    monkeypatch.setenv("CRITIC2FAN_DATABASE_URL", data.url)
    monkeypatch.delenv("CRITIC2FAN_BOARD_DEMO", raising=False)
    monkeypatch.chdir(tmp_path)
    yield data
    data.engine.dispose()
