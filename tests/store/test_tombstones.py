"""A deletion notice that comes before its post: kept as a tombstone, the post stored purged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.records import AuthorRecord, MentionRecord
from listener.base import deletion_notice
from listener.importer import import_file
from store.models import Mention, Tombstone
from store.writer import TOMBSTONE_DAYS, write_batch

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _post(i: int, text: str = "brightloop lost my parcel") -> MentionRecord:
    return MentionRecord(
        source="bluesky",
        external_id=f"at://did:plc:a/app.bsky.feed.post/{i}",
        author=AuthorRecord(platform="bluesky", platform_id="did:plc:a", handle="ann"),
        text=text,
        created_at=T0,
        raw={"cid": "bafy"},
    )


def _notice(i: int) -> MentionRecord:
    return deletion_notice("bluesky", f"at://did:plc:a/app.bsky.feed.post/{i}")


def _mentions(engine: Engine) -> dict[str, Mention]:
    with Session(engine) as s:
        return {m.external_id.rsplit("/", 1)[1]: m for m in s.exec(select(Mention)).scalars()}  # type: ignore[call-overload]


def _tombstones(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return sorted(t.external_id for t in s.exec(select(Tombstone)).scalars())  # type: ignore[call-overload]


def test_notice_first__the_post_is_stored_deleted_and_purged(any_engine: Engine) -> None:
    kept = write_batch(any_engine, [_notice(1)], now=T0)
    later = write_batch(any_engine, [_post(1), _post(2)], now=T0 + timedelta(hours=1))

    assert (kept.deleted, kept.tombstoned) == (0, 1)
    assert (later.inserted, later.deleted) == (2, 1)
    mentions = _mentions(any_engine)
    assert mentions["1"].deleted is True
    assert mentions["1"].text == "" and mentions["1"].raw is None
    assert mentions["2"].deleted is False and mentions["2"].text == "brightloop lost my parcel"
    assert _tombstones(any_engine) == []  # answered


def test_post_first__the_notice_purges_it_and_keeps_no_tombstone(any_engine: Engine) -> None:
    write_batch(any_engine, [_post(1)], now=T0)
    result = write_batch(any_engine, [_notice(1)], now=T0)

    assert (result.deleted, result.tombstoned) == (1, 0)
    assert _mentions(any_engine)["1"].text == ""
    assert _tombstones(any_engine) == []


def test_notice_first__an_edit_of_the_unknown_post_is_stored_purged(any_engine: Engine) -> None:
    write_batch(any_engine, [_notice(1)], now=T0)
    write_batch(any_engine, [], edits=[_post(1, text="edited brightloop rant")], now=T0)

    mention = _mentions(any_engine)["1"]
    assert mention.deleted is True and mention.text == ""


def test_notice_and_post_in_one_batch__either_order(any_engine: Engine) -> None:
    write_batch(any_engine, [_notice(1), _post(1)], now=T0)
    write_batch(any_engine, [_post(2), _notice(2)], now=T0)

    mentions = _mentions(any_engine)
    assert [mentions[k].text for k in ("1", "2")] == ["", ""]
    assert _tombstones(any_engine) == []


def test_a_repeated_notice_keeps_one_tombstone(any_engine: Engine) -> None:
    write_batch(any_engine, [_notice(1), _notice(1)], now=T0)
    write_batch(any_engine, [_notice(1)], now=T0)

    assert _tombstones(any_engine) == ["at://did:plc:a/app.bsky.feed.post/1"]


def test_old_tombstones_are_dropped(any_engine: Engine) -> None:
    write_batch(any_engine, [_notice(1)], now=T0)
    write_batch(any_engine, [_notice(2)], now=T0 + timedelta(days=TOMBSTONE_DAYS + 1))

    assert _tombstones(any_engine) == ["at://did:plc:a/app.bsky.feed.post/2"]


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("source,id,author,text,created_at,deleted\n" + "".join(rows), encoding="utf-8")
    return path


def test_import__a_deletion_row_before_its_post_in_another_file(
    any_engine: Engine, tmp_path: Path
) -> None:
    notices = _write(tmp_path / "deleted.csv", ["reddit,t1_a,[deleted],,2026-11-01,true\n"])
    posts = _write(
        tmp_path / "posts.csv",
        [
            "reddit,t1_a,bob,brightloop is a scam,2026-11-01,\n",
            "reddit,t1_b,bob,fine,2026-11-01,\n",
        ],
    )

    first = import_file(any_engine, notices)
    second = import_file(any_engine, posts)

    assert first.written.tombstoned == 1
    assert second.written.deleted == 1
    with Session(any_engine) as s:
        rows = {m.external_id: m for m in s.exec(select(Mention)).scalars()}  # type: ignore[call-overload]
    assert rows["t1_a"].deleted is True and rows["t1_a"].text == ""
    assert rows["t1_b"].text == "fine"


def test_import__a_deletion_row_after_its_post_in_the_same_file(
    any_engine: Engine, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "m.csv",
        [
            "reddit,t1_a,bob,brightloop is a scam,2026-11-01,\n",
            "reddit,t1_a,[deleted],,2026-11-01,true\n",
        ],
    )

    report = import_file(any_engine, path)

    assert report.written.deleted == 1
    with Session(any_engine) as s:
        mention = s.exec(select(Mention)).scalars().one()  # type: ignore[call-overload]
    assert mention.deleted is True and mention.text == ""
    assert _tombstones(any_engine) == []
