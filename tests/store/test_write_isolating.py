"""A batch the database refuses is split until the refused records are found; the rest is stored.

Also: the column limits that ``store.limits`` checks are the tables' own.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import String
from sqlalchemy.engine import Engine

from core.errors import StorageError
from core.records import AuthorRecord, MentionRecord
from store import limits
from store.models import Author, Mention
from store.tables import table
from store.writer import RefusedBatch, write_batch, write_isolating
from tests.listener.conftest import stored

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _rec(i: int, *, followers: int | None = None) -> MentionRecord:
    return MentionRecord(
        source="x",
        external_id=str(i),
        author=AuthorRecord(platform="x", platform_id=f"u{i}", handle=f"u{i}", followers=followers),
        text="brightloop",
        created_at=T0,
    )


def test_write_batch__a_value_the_database_refuses_is_a_refused_batch(any_engine: Engine) -> None:
    with pytest.raises(RefusedBatch, match="could not write a batch of 2 mentions"):
        write_batch(any_engine, [_rec(1), _rec(2, followers=10**20)])

    assert stored(any_engine) == {}


def test_write_isolating__stores_all_but_the_refused_records(any_engine: Engine) -> None:
    records = [_rec(i, followers=10**20 if i in (5, 41) else 1) for i in range(64)]

    result, refused = write_isolating(any_engine, records)

    assert [r.index for r in refused] == [5, 41]
    assert all(r.reason for r in refused)
    assert result.inserted == 62
    assert sorted(stored(any_engine), key=int) == [str(i) for i in range(64) if i not in (5, 41)]


def test_write_isolating__an_unreachable_database_still_raises() -> None:
    from store.engine import make_engine

    engine = make_engine("sqlite:////nonexistent-folder/critic2fan.db")

    with pytest.raises(StorageError) as caught:
        write_isolating(engine, [_rec(1)])
    assert not isinstance(caught.value, RefusedBatch)


def test_limits__read_every_bounded_column_of_the_tables() -> None:
    bounded = {
        (model.__name__, column.name)
        for model in (Mention, Author)
        for column in table(model).columns
        if isinstance(limits._type(column), String) and limits._type(column).length  # type: ignore[attr-defined]
    }
    checked = {("Mention", c.name) for c in limits._MENTION_COLUMNS} | {
        ("Author", c.name) for c in limits._AUTHOR_COLUMNS
    }

    assert bounded <= checked
    assert {("Author", "handle"), ("Mention", "lang"), ("Mention", "external_id")} <= bounded


def test_limits__integer_ranges_follow_the_column_type() -> None:
    followers = table(Author).c.followers

    assert limits.int_range(followers) == (-(2**31), 2**31 - 1)
    assert limits.column_problem(followers, 2**31 - 1) is None
    assert limits.column_problem(followers, 2**31) == (
        "2147483648 is larger than the database stores (2147483647)"
    )
