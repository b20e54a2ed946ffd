"""The engine factory: SQLite (WAL, busy timeout) by default, PostgreSQL when configured."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlmodel import Session, create_engine

from core.errors import ConfigError, StorageError
from core.redact import mask_url, redact_text

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for ``url``, checking it can be reached (a clear error if not)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        detail = f" ({redact_text(str(exc))})" if isinstance(exc, ValueError) else ""
        raise ConfigError(f"not a database URL: {mask_url(url)!r}{detail}") from None
    backend = parsed.get_backend_name()
    kwargs: dict[str, Any] = {"echo": echo}
    if backend == "sqlite":
        _prepare_sqlite_folder(parsed.database)
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    elif backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=5)
    else:
        raise ConfigError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")
    try:
        engine = create_engine(parsed, **kwargs)
    except NoSuchModuleError:
        raise ConfigError(f"no driver for {parsed.drivername!r}") from None
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"the {backend} driver is not installed ({exc.name}); "
            "install the 'postgres' extra: pip install 'critic2fan[postgres]'"
        ) from None
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    check_connection(engine)
    return engine


def check_connection(engine: Engine) -> None:
    """Open and close one connection; raise ``StorageError`` with the reason if it fails.

    The message names the database with every credential masked (user info and query keys
    such as ``password`` or ``sslpassword``), and the driver's reason is masked the same way.
    """
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        raise StorageError(
            f"cannot reach the database {masked_url(engine)}: {_reason(exc)}"
        ) from None
    except DBAPIError as exc:  # the driver refused the URL itself, e.g. an unknown option
        raise ConfigError(
            f"the database URL {masked_url(engine)} was refused: {_reason(exc)}"
        ) from None


def _reason(exc: DBAPIError) -> str:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return redact_text(reason)


def masked_url(engine: Engine) -> str:
    """The engine's URL fit to print: SQLAlchemy hides only the user-info password, so
    credentials in the query (``?password=``, ``?sslpassword=``) are masked here too."""
    return mask_url(engine.url.render_as_string(hide_password=False))


def _prepare_sqlite_folder(database: str | None) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    folder = Path(database).expanduser().resolve().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create the data folder {folder}: {exc.strerror}") from None
    probe = folder / ".critic2fan-write-test"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StorageError(f"the data folder {folder} is not writable: {exc.strerror}") from None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
