"""A statement's rows as one Arrow table: read natively by ADBC, else through SQLAlchemy.

Bulk reads (the analyst exports) spend most of their time turning rows into Python objects.
The ADBC drivers (``adbc-driver-sqlite``, ``adbc-driver-postgresql``) step SQLite or read
PostgreSQL's binary COPY stream in C and hand back Arrow columns, about twice as fast and
without the per-value objects. The statement is still built and compiled by SQLAlchemy, and
its parameters go through the column types' own bind processing, so a filter means the same
on either path.

The SQLAlchemy path is the fallback: an in-memory SQLite database (which another driver cannot
open) or a machine without the ADBC driver. Both return the same column names; types may
differ (SQLite's ADBC driver infers them from the values, so a column of NULLs is ``int64``),
so callers cast to the types they promise.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler

from core.errors import StorageError
from core.redact import redact_text

log = logging.getLogger(__name__)

#: Rows per ADBC batch: a page, so a page is one batch whose types are inferred once. (Larger
#: batches cost memory: SQLite's driver grows its buffers to the batch.)
ADBC_BATCH_ROWS = 25_000
#: SQLite's driver infers a column's type from its first batch: a later batch whose values do
#: not fit (text after a batch of NULLs) is read again as one batch of up to this many rows.
ADBC_RETRY_ROWS = 100_000_000


class ArrowReads(Protocol):
    """Runs statements on one connection, inside one transaction."""

    #: ``adbc`` or ``sqlalchemy``: which path reads (for logs and tests).
    kind: str

    def table(self, stmt: Executable, params: Mapping[str, Any] | None = None) -> pa.Table:
        """All rows of ``stmt`` as a table, columns named by the statement's labels."""
        ...


@contextlib.contextmanager
def arrow_reads(
    engine: Engine, *, native: bool = True, batch_rows: int = ADBC_BATCH_ROWS
) -> Iterator[ArrowReads]:
    """Open one reading connection on ``engine``'s database (ADBC when it can, see above).

    ``native=False`` forces the SQLAlchemy path; ``batch_rows`` is the rows a read usually
    returns (a page). A driver's failure (a missing table, a lost connection) is a
    ``StorageError`` with the driver's reason, credentials masked.
    """
    target = _adbc_target(engine) if native else None
    if target is None:
        with _failures(), engine.connect() as conn, conn.begin():
            yield _SqlAlchemyReads(conn)
        return
    module, uri = target
    driver = importlib.import_module(module)
    with _failures(), driver.connect(uri) as conn:
        reads = _AdbcReads(conn, engine.dialect.name, batch_rows)
        try:
            yield reads
        finally:
            conn.rollback()  # read only: end the snapshot


@contextlib.contextmanager
def _failures() -> Iterator[None]:
    """Driver errors as ``StorageError`` (ADBC's PEP 249 errors and SQLAlchemy's alike)."""
    try:
        yield
    except _driver_errors() as exc:
        orig = getattr(exc, "orig", None) or exc
        reason = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        raise StorageError(f"reading the database failed: {redact_text(reason)}") from None


def _adbc_error() -> type[Exception]:
    from adbc_driver_manager import Error as AdbcError

    return AdbcError


def _driver_errors() -> tuple[type[Exception], ...]:
    try:
        return (DBAPIError, _adbc_error())
    except ImportError:
        return (DBAPIError,)


def _adbc_target(engine: Engine) -> tuple[str, str] | None:
    """The ADBC DB-API module and URI for ``engine``'s database, or None to use SQLAlchemy."""
    url = engine.url
    backend = url.get_backend_name()
    if backend == "sqlite":
        module = "adbc_driver_sqlite.dbapi"
        database = url.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        uri = Path(database).resolve().as_uri() + "?mode=ro"
    elif backend == "postgresql":
        module = "adbc_driver_postgresql.dbapi"
        uri = url.set(drivername="postgresql").render_as_string(hide_password=False)
    else:
        return None
    if importlib.util.find_spec(module.split(".")[0]) is None:
        log.debug("%s is not installed: reading through SQLAlchemy", module)
        return None
    return module, uri


class _AdbcReads:
    kind = "adbc"

    def __init__(self, conn: Any, dialect_name: str, batch_rows: int) -> None:
        self._conn = conn
        self._dialect = _adbc_dialect(dialect_name)
        self._batch_rows = max(1, batch_rows)
        self._compiled: dict[int, tuple[Executable, SQLCompiler]] = {}

    def table(self, stmt: Executable, params: Mapping[str, Any] | None = None) -> pa.Table:
        sql, args = self._bind(stmt, params or {})
        if self._dialect.name != "sqlite":
            return self._fetch(sql, args, {})
        try:
            return self._fetch(sql, args, {"adbc.sqlite.query.batch_rows": str(self._batch_rows)})
        except (_adbc_error(), OSError) as exc:  # the reader's error surfaces as Arrow's OSError
            if "type mismatch" not in str(exc).lower():
                raise
            log.debug("column types changed after the first batch; reading as one batch")
            return self._fetch(sql, args, {"adbc.sqlite.query.batch_rows": str(ADBC_RETRY_ROWS)})

    def _fetch(self, sql: str, args: list[Any], options: dict[str, str]) -> pa.Table:
        with self._conn.cursor() as cur:
            if options:
                cur.adbc_statement.set_options(**options)
            cur.execute(sql, args or None)
            table: pa.Table = cur.fetch_arrow_table()
        return table

    def _bind(self, stmt: Executable, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
        """The statement's SQL and its positional values, each through its type's processing."""
        cached = self._compiled.get(id(stmt))
        if cached is None or cached[0] is not stmt:
            assert isinstance(stmt, ClauseElement)
            compiled = stmt.compile(dialect=self._dialect)
            assert isinstance(compiled, SQLCompiler)
            cached = self._compiled[id(stmt)] = (stmt, compiled)
        compiled = cached[1]
        values = compiled.construct_params(dict(params))
        args = []
        for name in compiled.positiontup or ():
            bound = compiled.binds[name]
            process = bound.type.dialect_impl(self._dialect).bind_processor(self._dialect)
            value = values[name]
            args.append(process(value) if process is not None else value)
        return str(compiled), args


def _adbc_dialect(name: str) -> Dialect:
    """A dialect that compiles to the ADBC driver's placeholders (``?`` or ``$1``)."""
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

        return SQLiteDialect_pysqlite()
    from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

    return PGDialect_psycopg(paramstyle="numeric_dollar")  # type: ignore[no-untyped-call]


class _SqlAlchemyReads:
    kind = "sqlalchemy"

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def table(self, stmt: Executable, params: Mapping[str, Any] | None = None) -> pa.Table:
        result = self._conn.execute(stmt, dict(params or {}))
        names = list(result.keys())
        cursor = getattr(result, "cursor", None)
        # the driver's plain tuples: no per-value SQLAlchemy processing, as ADBC returns them
        rows = cursor.fetchall() if cursor is not None else result.all()
        result.close()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        arrays = [_array(list(values)) for values in columns]
        return pa.Table.from_arrays(arrays, names=names)


def _array(values: list[Any]) -> pa.Array:
    """One column; values Arrow cannot type together (JSON lists, mixed kinds) become text."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        import json

        return pa.array(
            [
                v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                for v in values
            ],
            pa.string(),
        )
