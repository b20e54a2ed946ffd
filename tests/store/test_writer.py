"""The batched writer: dedup by the database, authors upserted, cursor in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.errors import StorageError
from core.records import AuthorRecord, MentionRecord
from listener.base import deletion_notice
from store.models import Author, Mention
from store.writer import ROWS_PER_STATEMENT, load_cursor, write_batch

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _rec(
    i: int | str, *, author: str = "alice", text: str | None = None, **kw: object
) -> MentionRecord:
    return MentionRecord(
        source=str(kw.pop("source", "mastodon")),
        external_id=str(i),
        author=AuthorRecord(
            platform=str(kw.pop("platform", "mastodon")),
            platform_id=f"id-{author}",
            handle=author,
            followers=kw.pop("followers", None),  # type: ignore[arg-type]
        ),
        text=text if text is not None else f"post {i} about brightloop",
        created_at=T0 + timedelta(seconds=int(str(i)) if str(i).isdigit() else 0),
        **kw,  # type: ignore[arg-type]
    )


def _ids(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return sorted(s.exec(select(Mention.external_id)).scalars())  # type: ignore[call-overload]


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(model)).scalar_one())  # type: ignore[call-overload]


def test_write_batch__stores_new_and_skips_known(any_engine: Engine) -> None:
    first = write_batch(any_engine, [_rec(1), _rec(2)])
    second = write_batch(any_engine, [_rec(2), _rec(3), _rec(3)])
    assert (first.inserted, first.duplicates) == (2, 0)
    assert (second.inserted, second.duplicates) == (1, 2)
    assert _ids(any_engine) == ["1", "2", "3"]


def test_write_batch__more_rows_than_one_statement(any_engine: Engine) -> None:
    n = ROWS_PER_STATEMENT * 2 + 7
    records = [_rec(i, author=f"a{i % 50}") for i in range(n)]
    result = write_batch(any_engine, records)
    assert result.inserted == n
    assert _count(any_engine, Author) == 50
    assert _ids(any_engine) == sorted(str(i) for i in range(n))


def test_write_batch__upserts_author_keeping_known_fields(any_engine: Engine) -> None:
    write_batch(any_engine, [_rec(1, followers=10)])
    write_batch(any_engine, [_rec(2, followers=None)])
    write_batch(any_engine, [_rec(3, followers=25)])
    with Session(any_engine) as s:
        authors = s.exec(select(Author)).scalars().all()  # type: ignore[call-overload]
        mentions = s.exec(select(Mention)).scalars().all()  # type: ignore[call-overload]
    assert len(authors) == 1 and authors[0].followers == 25
    assert {m.author_id for m in mentions} == {authors[0].id}


def test_write_batch__cursor_saved_with_batch(any_engine: Engine) -> None:
    write_batch(any_engine, [_rec(1)], cursor=("mastodon:tag:x", "101"))
    write_batch(any_engine, [], cursor=("mastodon:tag:x", "102"))
    assert load_cursor(any_engine, "mastodon:tag:x") == "102"
    assert load_cursor(any_engine, "never") is None


def test_write_batch__failure_keeps_neither_batch_nor_cursor(any_engine: Engine) -> None:
    write_batch(any_engine, [_rec(1)], cursor=("c", "1"))
    bad = _rec(2).model_copy(update={"external_id": None})  # violates NOT NULL
    with pytest.raises(Exception):  # noqa: B017 - any database error
        write_batch(any_engine, [_rec(3), bad], cursor=("c", "3"))
    assert _ids(any_engine) == ["1"]
    assert load_cursor(any_engine, "c") == "1"


def test_write_batch__deletion_notice_purges_text(any_engine: Engine) -> None:
    write_batch(any_engine, [_rec(1, text="secret brightloop"), _rec(2)])
    result = write_batch(any_engine, [deletion_notice("mastodon", "1")])
    assert result.deleted == 1 and result.inserted == 0
    with Session(any_engine) as s:
        m = s.exec(select(Mention).where(Mention.external_id == "1")).scalar_one()  # type: ignore[call-overload]
    assert m.deleted and m.text == "" and m.raw is None and m.edited_at is not None
    assert _count(any_engine, Author) == 1  # the notice never creates a "[deleted]" author


def test_write_batch__edit_replaces_text_and_inserts_unknown(any_engine: Engine) -> None:
    write_batch(any_engine, [_rec(1, text="old brightloop")])
    result = write_batch(any_engine, [], edits=[_rec(1, text="new brightloop"), _rec(9, text="e")])
    assert (result.inserted, result.edited, result.duplicates) == (1, 1, 0)
    with Session(any_engine) as s:
        rows = {m.external_id: m for m in s.exec(select(Mention)).scalars()}  # type: ignore[call-overload]
    assert rows["1"].text == "new brightloop" and rows["1"].edited_at is not None
    assert rows["9"].text == "e"


def test_write_batch__edit_never_revives_deleted(any_engine: Engine) -> None:
    write_batch(any_engine, [_rec(1)])
    write_batch(any_engine, [deletion_notice("mastodon", "1")])
    result = write_batch(any_engine, [], edits=[_rec(1, text="back again")])
    assert result.edited == 0
    with Session(any_engine) as s:
        m = s.exec(select(Mention)).scalar_one()  # type: ignore[call-overload]
    assert m.deleted and m.text == ""


def test_write_batch__hostile_text_round_trips(any_engine: Engine) -> None:
    texts = ["🔥 brightloop 👎🏽", "مرحبا brightloop", "bright\u200bloop\u200f", "x" * 30_000]
    write_batch(any_engine, [_rec(i, text=t) for i, t in enumerate(texts)])
    with Session(any_engine) as s:
        stored = {m.external_id: m.text for m in s.exec(select(Mention)).scalars()}  # type: ignore[call-overload]
    assert stored["0"] == texts[0] and stored["1"] == texts[1] and stored["2"] == texts[2]
    assert stored["3"].endswith("[truncated]") and len(stored["3"]) < 30_000


def test_write_batch__missing_table_is_storage_error(any_engine: Engine) -> None:
    from sqlalchemy import text

    with any_engine.begin() as conn:
        conn.execute(text("DROP TABLE sourcecursor"))
    with pytest.raises(StorageError):
        write_batch(any_engine, [_rec(1)], cursor=("c", "1"))
    assert _ids(any_engine) == []


def test_write_batch__times_round_trip_as_aware_utc(any_engine: Engine) -> None:
    from datetime import timezone

    east = timezone(timedelta(hours=5, minutes=30))
    record = _rec(1).model_copy(
        update={"created_at": datetime(2026, 3, 1, 17, 30, 0, 123456, tzinfo=east)}
    )
    write_batch(any_engine, [record], now=T0)
    with Session(any_engine) as s:
        m = s.exec(select(Mention)).scalar_one()  # type: ignore[call-overload]
        a = s.exec(select(Author)).scalar_one()  # type: ignore[call-overload]
    assert m.created_at == datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
    assert m.created_at.tzinfo is not None and m.fetched_at == T0 and a.first_seen == T0


def test_write_batch__language_and_its_confidence_round_trip(any_engine: Engine) -> None:
    write_batch(any_engine, [_rec(1, lang="fr", lang_confidence=0.93), _rec(2, lang="de")])
    write_batch(
        any_engine, [], edits=[_rec(2, text="edited brightloop", lang="es", lang_confidence=0.7)]
    )
    with Session(any_engine) as s:
        rows = {m.external_id: m for m in s.exec(select(Mention)).scalars()}  # type: ignore[call-overload]
    assert (rows["1"].lang, rows["1"].lang_confidence) == ("fr", pytest.approx(0.93))
    assert (rows["2"].lang, rows["2"].lang_confidence) == ("es", pytest.approx(0.7))


def test_mention_record__confidence_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError):
        _rec(1, lang="fr", lang_confidence=1.5)
