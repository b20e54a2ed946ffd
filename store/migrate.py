"""Schema migrations with Alembic, run programmatically (``critic2fan db upgrade``)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from core.errors import StorageError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at the bundled migrations (and at ``engine`` if given)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
        config.set_main_option("sqlalchemy.url", url)
    return config


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring the database to ``revision``; returns the revision it is at afterwards."""
    config = alembic_config(engine)
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        raise StorageError(f"database upgrade failed: {exc.__class__.__name__}: {exc}") from None
    now = current_revision(engine)
    log.info("database at revision %s", now)
    return now or ""


def ensure_current(engine: Engine, *, auto_upgrade: bool) -> None:
    """Upgrade (when allowed) or refuse to run against an out-of-date schema."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if auto_upgrade:
        upgrade(engine)
        return
    raise StorageError(
        f"the database is at revision {current or 'none'} but this version needs {head}: "
        "run `critic2fan db upgrade`"
    )
