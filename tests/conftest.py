"""Fixtures shared by every test package: a migrated temporary database and the CLI runner."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep each test away from the developer's own CRITIC2FAN_* environment."""
    for name in list(os.environ):
        if name.startswith("CRITIC2FAN_") and not name.startswith("CRITIC2FAN_LIVE_"):
            monkeypatch.delenv(name)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A SQLite URL in the test's own folder."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated, empty database."""
    from store.engine import make_engine
    from store.migrate import upgrade

    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    """One real PostgreSQL server for the whole test session (Debian's postgresql package)."""
    from tests.pgserver import PostgresServer, find_pg_bin

    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries not installed (make test installs them)")
    server = PostgresServer(bin_dir).init()
    yield server
    server.destroy()


@pytest.fixture
def pg_engine(pg_server: object) -> Iterator[Engine]:
    """A migrated, empty PostgreSQL database (the schema is recreated for each test)."""
    from sqlalchemy import text

    from store.engine import make_engine
    from store.migrate import upgrade

    eng = make_engine(pg_server.url)  # type: ignore[attr-defined]
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest) -> Engine:
    """The same test on SQLite and on a real PostgreSQL."""
    name = "engine" if request.param == "sqlite" else "pg_engine"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]
