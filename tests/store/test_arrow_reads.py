"""Arrow reads: ADBC and SQLAlchemy return the same rows, parameters bound the same way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.errors import StorageError
from store.arrow_reads import arrow_reads
from store.models import Author, Mention

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _seed(engine: Engine) -> None:
    with Session(engine) as s:
        for i in range(7):
            # four authors without a display name, then three with one (non-Latin included)
            name = None if i < 4 else ("Zoë", "日本語", "=x")[i - 4]
            s.add(
                Author(
                    id=i + 1, platform="x", platform_id=str(i), handle=f"h{i}", display_name=name
                )
            )
            s.add(
                Mention(
                    id=i + 1,
                    source="x",
                    external_id=f"e{i}",
                    author_id=i + 1,
                    text=f"post {i} 😡",
                    created_at=T0 + timedelta(hours=i),
                )
            )
        s.commit()


@pytest.mark.parametrize("native", [True, False], ids=["adbc", "sqlalchemy"])
def test_reads__text_after_a_batch_of_nulls_keeps_its_values(
    any_engine: Engine, native: bool
) -> None:
    _seed(any_engine)
    stmt = select(Author.id, Author.display_name).order_by(Author.id)
    with arrow_reads(any_engine, native=native, batch_rows=2) as reads:
        assert reads.kind == ("adbc" if native else "sqlalchemy")
        table = reads.table(stmt)
    assert table.column("display_name").to_pylist() == [None] * 4 + ["Zoë", "日本語", "=x"]


@pytest.mark.parametrize("native", [True, False], ids=["adbc", "sqlalchemy"])
def test_reads__timestamp_parameters_go_through_the_column_type(
    any_engine: Engine, native: bool
) -> None:
    _seed(any_engine)
    stmt = (
        select(Mention.id, Mention.text)
        .where(Mention.created_at >= bindparam("since"), Mention.id > bindparam("after"))
        .order_by(Mention.id)
    )
    with arrow_reads(any_engine, native=native) as reads:
        table = reads.table(stmt, {"since": T0 + timedelta(hours=2), "after": 3})
        again = reads.table(stmt, {"since": T0 + timedelta(hours=5), "after": 0})
    assert table.column("id").to_pylist() == [4, 5, 6, 7]
    assert table.column("text").to_pylist()[0] == "post 3 😡"
    assert again.column("id").to_pylist() == [6, 7]


@pytest.mark.parametrize("native", [True, False], ids=["adbc", "sqlalchemy"])
def test_reads__a_failing_statement_is_a_storage_error(engine: Engine, native: bool) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE score")
    from store.models import Score

    with (
        pytest.raises(StorageError, match="reading the database failed"),
        arrow_reads(engine, native=native) as reads,
    ):
        reads.table(select(Score.id))


def test_reads__an_in_memory_database_is_read_through_sqlalchemy() -> None:
    from store.engine import make_engine
    from store.migrate import upgrade

    memory = make_engine("sqlite://")
    upgrade(memory)
    with arrow_reads(memory) as reads:
        assert reads.kind == "sqlalchemy"
        assert reads.table(select(Author.id)).num_rows == 0
    memory.dispose()
