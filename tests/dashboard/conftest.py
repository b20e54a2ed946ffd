"""Fixtures for the board tests (the builders live in ``board_helpers``)."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from store.engine import make_engine
from tests.dashboard.board_helpers import BoardData, build_board_db


@pytest.fixture(scope="session")
def _board_template(tmp_path_factory: pytest.TempPathFactory) -> BoardData:
    """The board database built once (migrations and argon2 hashes are slow), then copied."""
    data = build_board_db(tmp_path_factory.mktemp("board-template") / "board.db")
    with data.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    data.engine.dispose()
    return data


@pytest.fixture
def board_db(
    _board_template: BoardData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[BoardData]:
    """A fresh copy of the board database, named in the environment as the board finds it."""
    path = tmp_path / "board.db"
    shutil.copyfile(_board_template.url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    data = dataclasses.replace(
        _board_template, engine=make_engine(url), url=url, case_ids=list(_board_template.case_ids)
    )
    monkeypatch.setenv("CRITIC2FAN_DATABASE_URL", url)
    monkeypatch.delenv("CRITIC2FAN_BOARD_DEMO", raising=False)
    monkeypatch.chdir(tmp_path)
    yield data
    data.engine.dispose()
