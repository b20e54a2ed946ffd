"""A pass by hand (``playbook run``) never runs beside the playbook worker."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from core.errors import ConfigError
from playbooks import runner
from playbooks.schema import Playbook
from store.leader import leader_lock
from tests.cli_helpers import run_cli


def test_run_once__refused_while_a_worker_holds_the_lock(any_engine: Engine, pb: Playbook) -> None:
    worker = leader_lock(any_engine, runner.LOCK_NAME)
    assert worker.try_acquire()
    try:
        with pytest.raises(ConfigError, match="playbook worker is running"):
            runner.run_once(any_engine, pb)
    finally:
        worker.release()

    assert runner.run_once(any_engine, pb).mentions == 0  # free again: the pass runs
    again = leader_lock(any_engine, runner.LOCK_NAME)
    assert again.try_acquire()  # and it gave the lock back
    again.release()


def test_playbook_run_command__one_line_while_a_worker_runs(engine: Engine, db_url: str) -> None:
    worker = leader_lock(engine, runner.LOCK_NAME)
    assert worker.try_acquire()
    try:
        result = run_cli("--db", db_url, "playbook", "run")
    finally:
        worker.release()

    assert result.code == 2
    assert result.err.count("\n") == 1 and "playbook worker is running" in result.err
