"""Demo mode only where it is harmless: SQLite, loopback, and a database holding nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.clock import utcnow
from core.errors import ConfigError
from critic2fan.board import demo_refusal, is_loopback
from critic2fan.demo import SHIFT_CURSOR, check_demo_database, sample_keys
from dashboard.auth import add_user
from store.engine import make_engine
from store.migrate import upgrade
from store.models import Author, Mention
from store.writer import save_cursor
from tests.cli_helpers import run_cli


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """Boards the launcher was asked to start (none is really started)."""
    calls: list[dict[str, object]] = []

    def fake_launch(script: Path, **kwargs: object) -> int:
        calls.append(kwargs)
        return 0

    monkeypatch.setattr("dashboard.launch.launch_board", fake_launch)
    return calls


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_is_loopback__accepts_loopback_addresses(address: str) -> None:
    assert is_loopback(address)


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "example.org"])
def test_is_loopback__refuses_everything_else(address: str) -> None:
    assert not is_loopback(address)


def test_demo_refusal__names_the_reason() -> None:
    assert demo_refusal("sqlite:///x.db", None) is None
    assert demo_refusal("sqlite:///x.db", "127.0.0.1") is None
    assert "not postgresql" in (demo_refusal("postgresql://u@h/db", None) or "")
    assert "not 0.0.0.0" in (demo_refusal("sqlite:///x.db", "0.0.0.0") or "")


def test_board_demo__on_all_interfaces_is_refused(
    db_url: str, launched: list[dict[str, object]]
) -> None:
    result = run_cli("--db", db_url, "board", "--demo", "--no-browser", "--address", "0.0.0.0")

    assert result.code == 2
    line = _one_line(result.err)
    assert line.startswith("error: demo mode") and "loopback" in line and "0.0.0.0" in line
    assert launched == []


def test_board_demo__on_loopback_sqlite_starts(
    db_url: str, launched: list[dict[str, object]]
) -> None:
    result = run_cli("--db", db_url, "board", "--demo", "--no-browser", "--address", "::1")

    assert result.code == 0, result.err
    assert launched and launched[0]["demo"] is True and launched[0]["address"] == "::1"


@pytest.mark.postgres
def test_board_demo__on_postgresql_is_refused(
    pg_engine: Engine, launched: list[dict[str, object]]
) -> None:
    url = pg_engine.url.render_as_string(hide_password=False)
    result = run_cli("--db", url, "board", "--demo", "--no-browser")

    assert result.code == 2
    line = _one_line(result.err)
    assert "SQLite" in line and "postgresql" in line
    assert launched == []


@pytest.mark.postgres
def test_demo__with_the_board_on_postgresql_is_refused_before_loading(
    pg_engine: Engine, launched: list[dict[str, object]]
) -> None:
    url = pg_engine.url.render_as_string(hide_password=False)
    result = run_cli("--db", url, "demo")

    assert result.code == 2
    assert "SQLite" in _one_line(result.err)
    assert _mentions(pg_engine) == 0 and launched == []


def test_demo__refuses_a_database_with_staff_accounts(
    db_url: str, launched: list[dict[str, object]]
) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    add_user(engine, username="maya", password="long enough pw", role="admin", display_name="M")

    result = run_cli("--db", db_url, "demo", "--no-board")

    assert result.code == 2
    line = _one_line(result.err)
    assert "1 staff account" in line and "empty database" in line
    assert _mentions(engine) == 0 and launched == []


def test_demo__refuses_a_database_with_other_mentions(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    _store_mention(engine, "x", "not-from-the-sample")
    with engine.begin() as conn:
        save_cursor(conn, SHIFT_CURSOR, "0", now=utcnow())

    result = run_cli("--db", db_url, "demo", "--no-board")

    assert result.code == 2
    assert "1 mentions that are not from the sample" in _one_line(result.err)
    assert _mentions(engine) == 1


def test_check_demo_database__empty_is_fine(any_engine: Engine) -> None:
    check_demo_database(any_engine)


def test_check_demo_database__the_demos_own_sample_is_fine(any_engine: Engine) -> None:
    source, external_id = sorted(sample_keys())[0]
    _store_mention(any_engine, source, external_id)
    with any_engine.begin() as conn:
        save_cursor(conn, SHIFT_CURSOR, "0", now=utcnow())

    check_demo_database(any_engine)


def test_check_demo_database__sample_rows_the_demo_did_not_load_are_refused(
    any_engine: Engine,
) -> None:
    source, external_id = sorted(sample_keys())[0]
    _store_mention(any_engine, source, external_id)

    with pytest.raises(ConfigError, match="mentions the demo did not load"):
        check_demo_database(any_engine)


def test_check_demo_database__more_rows_than_the_sample_are_refused(any_engine: Engine) -> None:
    rows = len(sample_keys()) + 1
    with Session(any_engine) as session:
        author = Author(platform="x", platform_id="1", handle="h")
        session.add(author)
        session.flush()
        for i in range(rows):
            session.add(
                Mention(
                    source="x",
                    external_id=f"real-{i}",
                    author_id=author.id or 0,
                    text="t",
                    created_at=utcnow(),
                )
            )
        session.commit()

    with pytest.raises(ConfigError, match="more mentions than the sample"):
        check_demo_database(any_engine)


def test_check_demo_database__staff_accounts_are_refused(any_engine: Engine) -> None:
    add_user(any_engine, username="ana", password="long enough pw", role="analyst", display_name="")

    with pytest.raises(ConfigError, match="1 staff account"):
        check_demo_database(any_engine)


def _store_mention(engine: Engine, source: str, external_id: str) -> None:
    with Session(engine) as session:
        author = Author(platform=source, platform_id="a1", handle="someone")
        session.add(author)
        session.flush()
        session.add(
            Mention(
                source=source,
                external_id=external_id,
                author_id=author.id or 0,
                text="hello",
                created_at=utcnow(),
            )
        )
        session.commit()


def _mentions(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(Mention)).scalar_one())
