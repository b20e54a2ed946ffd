"""One ON CONFLICT helper for SQLite and PostgreSQL: duplicates skipped, upserts overwrite."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from store.models import Author, SourceCursor
from store.upsert import insert_for, insert_ignoring_duplicates, upsert

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _author(pid: str, *, followers: int | None = None) -> dict[str, object]:
    return {
        "platform": "x",
        "platform_id": pid,
        "handle": f"h{pid}",
        "followers": followers,
        "is_brand": False,
        "first_seen": T0,
        "last_seen": T0,
    }


def test_insert_ignoring_duplicates__counts_only_new_rows(any_engine: Engine) -> None:
    with any_engine.begin() as conn:
        first = insert_ignoring_duplicates(conn, Author, [_author("1"), _author("2")])
    with any_engine.begin() as conn:
        second = insert_ignoring_duplicates(
            conn, Author, [_author("2"), _author("3")], conflict_cols=["platform", "platform_id"]
        )
    with any_engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(Author)).scalar_one()
    assert (first, second, stored) == (2, 1, 3)


def test_insert_ignoring_duplicates__no_rows_is_a_no_op(any_engine: Engine) -> None:
    with any_engine.begin() as conn:
        assert insert_ignoring_duplicates(conn, Author, []) == 0


def test_upsert__overwrites_the_named_columns_only(any_engine: Engine) -> None:
    later = datetime(2026, 3, 2, tzinfo=UTC)
    with any_engine.begin() as conn:
        upsert(
            conn,
            SourceCursor,
            [{"name": "x", "value": "1", "updated_at": T0}],
            conflict_cols=["name"],
        )
        upsert(
            conn,
            SourceCursor,
            [{"name": "x", "value": "2", "updated_at": later}],
            conflict_cols=["name"],
            update_cols=["value"],
        )
    with Session(any_engine) as s:
        cursor = s.get(SourceCursor, "x")
        assert cursor is not None
        assert (cursor.value, cursor.updated_at) == ("2", T0)


def test_upsert__set_expressions_can_keep_stored_values(any_engine: Engine) -> None:
    with any_engine.begin() as conn:
        upsert(
            conn, Author, [_author("1", followers=10)], conflict_cols=["platform", "platform_id"]
        )
        excluded = insert_for(conn, Author).excluded
        upsert(
            conn,
            Author,
            [_author("1", followers=None) | {"handle": "renamed"}],
            conflict_cols=["platform", "platform_id"],
            set_={
                "handle": excluded.handle,
                "followers": func.coalesce(excluded.followers, Author.followers),
            },
        )
    with any_engine.connect() as conn:
        row = conn.execute(select(Author.handle, Author.followers)).one()  # type: ignore[call-overload]
    assert tuple(row) == ("renamed", 10)


def test_upsert__works_through_a_session(engine: Engine) -> None:
    with Session(engine) as s:
        upsert(
            s, SourceCursor, [{"name": "y", "value": "1", "updated_at": T0}], conflict_cols=["name"]
        )
        s.commit()
        assert (
            insert_ignoring_duplicates(
                s, SourceCursor, [{"name": "y", "value": "9", "updated_at": T0}]
            )
            == 0
        )
        s.commit()
    with Session(engine) as s:
        cursor = s.get(SourceCursor, "y")
        assert cursor is not None and cursor.value == "1"
