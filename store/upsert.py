"""``INSERT … ON CONFLICT`` on both databases, written once.

SQLite and PostgreSQL both speak ``ON CONFLICT``, but SQLAlchemy builds it from two dialect
modules (``sqlalchemy.dialects.sqlite.insert`` and ``…postgresql.insert``). Every write that
must tolerate a replay (a batch written again after a crash, a late worker) goes through here
instead of choosing the dialect itself:

* :func:`insert_ignoring_duplicates` ``(conn, table, rows, *, conflict_cols=None) -> int``
  inserts rows and skips those that break a unique key; returns how many were new.
* :func:`upsert` ``(conn, table, rows, *, conflict_cols, update_cols=None, set_=None)``
  inserts rows and, on a clash on ``conflict_cols``, overwrites ``update_cols`` (default: every
  other column) with the new values, or applies the expressions in ``set_``.
* :func:`insert_for` ``(conn, table)`` is the dialect's insert statement itself, for the rare
  write that needs more (``RETURNING``, ``excluded`` in expressions).

``table`` is a SQLModel table class or a ``sqlalchemy.Table``; ``rows`` are dicts by column
name. All run inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from core.errors import StorageError

Insert = sqlite.Insert | postgresql.Insert


def _table(table: Any) -> Table:
    found = getattr(table, "__table__", table)
    if not isinstance(found, Table):
        raise TypeError(f"not a table: {table!r}")
    return found


def _connection(conn: Connection | Session) -> Connection:
    return conn.connection() if isinstance(conn, Session) else conn


def insert_for(conn: Connection | Session, table: Any) -> Insert:
    """An ``INSERT`` for ``table`` in the connection's dialect, with ``on_conflict_*`` methods."""
    name = _connection(conn).dialect.name
    if name == "sqlite":
        return sqlite.insert(_table(table))
    if name == "postgresql":
        return postgresql.insert(_table(table))
    raise StorageError(f"unsupported database dialect {name!r}")


def insert_ignoring_duplicates(
    conn: Connection | Session,
    table: Any,
    rows: Sequence[Mapping[str, Any]],
    *,
    conflict_cols: Sequence[str] | None = None,
) -> int:
    """Insert ``rows``, skipping any that clash on a unique key; return how many were new.

    ``conflict_cols`` names the key; without it, any unique constraint counts. On PostgreSQL
    the new rows' primary keys are returned and counted, because drivers report -1 as the row
    count of an executemany; SQLite's count of changes is exact.
    """
    if not rows:
        return 0
    connection = _connection(conn)
    target = _table(table)
    stmt = insert_for(connection, target).on_conflict_do_nothing(index_elements=conflict_cols)
    if connection.dialect.name == "postgresql" and target.primary_key.columns:
        return len(connection.execute(stmt.returning(*target.primary_key.columns), rows).all())
    result = connection.execute(stmt, list(rows))
    return max(0, result.rowcount) if result.rowcount not in (None, -1) else len(rows)


def upsert(
    conn: Connection | Session,
    table: Any,
    rows: Sequence[Mapping[str, Any]],
    *,
    conflict_cols: Sequence[str],
    update_cols: Sequence[str] | None = None,
    set_: Mapping[str, Any] | None = None,
) -> None:
    """Insert ``rows``; where one clashes on ``conflict_cols``, update the stored row instead.

    The stored row takes the new values of ``update_cols`` (default: every column that is
    neither in ``conflict_cols`` nor the primary key). ``set_`` replaces that with explicit
    expressions, e.g. ``{"followers": func.coalesce(insert_for(...).excluded.followers, …)}``;
    use :func:`insert_for` when those expressions need the statement's ``excluded`` row.
    """
    if not rows:
        return
    target = _table(table)
    stmt = insert_for(conn, target)
    if set_ is None:
        skip = set(conflict_cols) | {c.name for c in target.primary_key.columns}
        names = update_cols or [c.name for c in target.columns if c.name not in skip]
        set_ = {name: stmt.excluded[name] for name in names}
    _connection(conn).execute(
        stmt.on_conflict_do_update(index_elements=list(conflict_cols), set_=dict(set_)),
        list(rows),
    )
