"""The board's sign-in audit trail, and the failure counts that lock a username or an address.

Every attempt and every session's end is one ``SignInEvent`` row. Locks are not stored: they
are read from the failures in a window, so they lift by themselves as failures age out, and a
reload or a second board process sees the same count.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from store.models import SignInEvent, SignInKind

#: The longest username and address kept (the columns' lengths); longer input is cut.
MAX_USERNAME = 64
MAX_ADDRESS = 64
MAX_DETAIL = 255


def record_sign_in_event(
    conn: Connection,
    *,
    kind: SignInKind,
    username: str,
    address: str,
    at: datetime,
    detail: str | None = None,
) -> None:
    """Append one event to the trail (``username`` as typed, cut to the column's length)."""
    conn.execute(
        insert(SignInEvent).values(
            at=at,
            kind=kind.value,
            username=username[:MAX_USERNAME],
            address=address[:MAX_ADDRESS],
            detail=detail[:MAX_DETAIL] if detail else None,
        )
    )


def account_failures(conn: Connection, username: str, *, since: datetime) -> int:
    """Failed sign-ins to ``username`` after ``since`` and after its last successful one."""
    name = username[:MAX_USERNAME]
    last_ok = conn.execute(
        select(func.max(col(SignInEvent.at))).where(
            col(SignInEvent.username) == name,
            col(SignInEvent.kind) == SignInKind.SIGNED_IN.value,
        )
    ).scalar_one_or_none()
    start = max(since, last_ok) if last_ok is not None else since
    return _count_failures(conn, col(SignInEvent.username) == name, start)


def address_failures(conn: Connection, address: str, *, since: datetime) -> int:
    """Failed sign-ins from ``address`` after ``since``, whoever they named (a success from
    the address does not reset them: one good account must not clear the way for guessing
    at others)."""
    return _count_failures(conn, col(SignInEvent.address) == address[:MAX_ADDRESS], since)


def _count_failures(conn: Connection, who: ColumnElement[bool], since: datetime) -> int:
    count = conn.execute(
        select(func.count())
        .select_from(SignInEvent)
        .where(who, col(SignInEvent.kind) == SignInKind.FAILED.value, col(SignInEvent.at) > since)
    ).scalar_one()
    return int(count)


def recent_sign_in_events(conn: Connection, *, limit: int = 200) -> list[SignInEvent]:
    """The newest events first, for the Users page."""
    rows = conn.execute(
        select(SignInEvent.__table__)  # type: ignore[attr-defined]
        .order_by(col(SignInEvent.at).desc(), col(SignInEvent.id).desc())
        .limit(limit)
    ).mappings()
    return [SignInEvent(**row) for row in rows]
