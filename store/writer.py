"""Batched writes of normalized mentions: one multi-row insert per batch, dedup by the database.

A batch is written in one transaction together with the cursor that covers it, so a crash
at any moment either keeps the whole batch and its cursor or neither: nothing is lost, and
the unique ``(source, external_id)`` constraint makes a replayed batch store nothing twice.

A deletion notice for a post not stored yet is kept as a :class:`~store.models.Tombstone`;
the post, when it comes (from a stream or a file), is stored deleted with its text and raw
payload purged. Tombstones older than :data:`TOMBSTONE_DAYS` are dropped.

:func:`write_isolating` is for callers that must not lose good rows to a bad one (the file
import): when the database refuses a batch it splits it in halves, down to single rows, so the
refused rows are named and every other row is stored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, select, tuple_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlmodel import col

from core.clock import utcnow
from core.errors import StorageError
from core.records import NO_AUTHOR_ID, AuthorRecord, MentionRecord
from store.models import Author, Mention, SourceCursor, Tombstone
from store.tables import table
from store.upsert import insert_for, insert_ignoring_duplicates, upsert
from store.wakeup import MENTIONS_CHANNEL, notify

log = logging.getLogger(__name__)

#: Rows per INSERT statement (well under SQLite's bound-parameter limit).
ROWS_PER_STATEMENT = 500

#: How long a deletion notice waits for its post before it is forgotten.
TOMBSTONE_DAYS = 90


class RefusedBatch(StorageError):
    """The database refused what a batch holds (a value, not the connection)."""


@dataclass(frozen=True)
class WriteResult:
    """What one batch did to the store."""

    inserted: int
    duplicates: int
    deleted: int = 0
    edited: int = 0
    #: Deletion notices kept for posts not stored yet.
    tombstoned: int = 0

    def __add__(self, other: WriteResult) -> WriteResult:
        return WriteResult(
            self.inserted + other.inserted,
            self.duplicates + other.duplicates,
            self.deleted + other.deleted,
            self.edited + other.edited,
            self.tombstoned + other.tombstoned,
        )


EMPTY_RESULT = WriteResult(0, 0, 0, 0)


def write_batch(
    engine: Engine,
    records: Sequence[MentionRecord],
    *,
    cursor: tuple[str, str] | None = None,
    now: datetime | None = None,
    edits: Sequence[MentionRecord] = (),
    keep_tombstones: bool = True,
) -> WriteResult:
    """Store ``records`` (new ones inserted, known ones skipped) and ``cursor``, atomically.

    Records flagged ``deleted`` are platform deletion notices: the stored mention is marked
    deleted and its text purged; they never insert a row, and one for a post not stored yet
    is kept as a tombstone. ``edits`` are new versions of posts: stored when unknown,
    otherwise their text replaces the stored one (``edited_at`` set) unless the mention was
    deleted. ``keep_tombstones=False`` forgets notices for unknown posts instead (a firehose
    that sends the deletions of the whole network). :class:`RefusedBatch` says the database
    refused a value in the batch; any other :class:`StorageError` that it could not be
    reached or written.
    """
    now = now or utcnow()
    try:
        with engine.begin() as conn:
            result = write_batch_in(
                conn, records, now=now, edits=edits, keep_tombstones=keep_tombstones
            )
            if result.inserted or result.edited:
                notify(conn, MENTIONS_CHANNEL)  # the scorer wakes when this commits
            if cursor is not None:
                save_cursor(conn, cursor[0], cursor[1], now=now)
    except (DataError, IntegrityError) as exc:
        raise RefusedBatch(_failed(len(records), _reason(exc))) from None
    except DBAPIError as exc:
        raise StorageError(_failed(len(records), _reason(exc))) from None
    except (OverflowError, UnicodeEncodeError, RecursionError) as exc:
        # raised by the driver while binding a value (SQLite's 64-bit integers, lone
        # surrogates), before the database saw the row
        raise RefusedBatch(_failed(len(records), f"{exc.__class__.__name__}: {exc}")) from None
    return result


def _failed(count: int, reason: str) -> str:
    return f"could not write a batch of {count} mentions: {reason}"


def _reason(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else exc.__class__.__name__


@dataclass(frozen=True)
class RefusedRecord:
    """A record the database refused on its own, by its index in the batch, and why."""

    index: int
    reason: str


def write_isolating(
    engine: Engine,
    records: Sequence[MentionRecord],
    *,
    now: datetime | None = None,
    keep_tombstones: bool = True,
) -> tuple[WriteResult, list[RefusedRecord]]:
    """Store ``records`` like :func:`write_batch`; when the database refuses the batch, split
    it in halves and write each, down to single records, so only the refused ones are lost.

    Returns what was written and the refused records; a batch the database could not be
    reached for still raises :class:`StorageError` (splitting would not help).
    """
    now = now or utcnow()
    refused: list[RefusedRecord] = []
    result = EMPTY_RESULT
    pending = [(0, len(records))]
    while pending:
        start, end = pending.pop()
        try:
            result = result + write_batch(
                engine, records[start:end], now=now, keep_tombstones=keep_tombstones
            )
        except RefusedBatch as exc:
            if end - start == 1:
                reason = str(exc).removeprefix(_failed(1, ""))
                log.warning("refused a mention (%s): %s", records[start].external_id, reason)
                refused.append(RefusedRecord(start, reason))
                continue
            middle = (start + end) // 2
            pending += [(middle, end), (start, middle)]  # the first half is written first
    refused.sort(key=lambda r: r.index)
    return result, refused


def write_batch_in(
    conn: Connection,
    records: Sequence[MentionRecord],
    *,
    now: datetime,
    edits: Sequence[MentionRecord] = (),
    keep_tombstones: bool = True,
) -> WriteResult:
    """Like :func:`write_batch`, inside a transaction the caller owns."""
    live = [r for r in records if not r.deleted]
    notices = [r for r in records if r.deleted]
    notices += [e for e in edits if e.deleted]
    edits = [e for e in edits if not e.deleted]
    inserted = duplicates = edited = deleted = tombstoned = 0
    if live or edits:
        buried = tombstoned_keys(conn, [(r.source, r.external_id) for r in live + edits])
        named = [r.author for r in live + edits if r.author.platform_id != NO_AUTHOR_ID]
        author_ids = upsert_authors(conn, named, now=now)
        if live:
            new = _insert_mentions(conn, _unique_mention_rows(live, author_ids, now, buried))
            inserted += new
            duplicates += len(live) - new
        if edits:
            rows = _unique_mention_rows(edits, author_ids, now, buried)
            inserted += _insert_mentions(conn, rows)
            edited = apply_edits(conn, edits, now=now)
        if buried:
            _bury(conn, buried, now=now)
            deleted += len(buried)
    if notices:
        found, kept = mark_deleted(conn, notices, now=now, keep_tombstones=keep_tombstones)
        deleted += found
        tombstoned += kept
    return WriteResult(inserted, duplicates, deleted, edited, tombstoned)


def tombstoned_keys(conn: Connection, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """The ``(source, external_id)`` among ``keys`` whose deletion notice came first."""
    found: set[tuple[str, str]] = set()
    unique = list(dict.fromkeys(keys))
    stones = table(Tombstone).c
    for start in range(0, len(unique), ROWS_PER_STATEMENT):
        chunk = unique[start : start + ROWS_PER_STATEMENT]
        stmt = select(stones.source, stones.external_id).where(
            tuple_(stones.source, stones.external_id).in_(chunk)
        )
        found.update((source, external_id) for source, external_id in conn.execute(stmt))
    return found


def _bury(conn: Connection, keys: set[tuple[str, str]], *, now: datetime) -> None:
    """Purge the mentions a tombstone waited for (one stored live before it, too), and drop
    the tombstones they answer."""
    for source, external_id in keys:
        _purge(conn, source, external_id, now=now, only_live=True)
        conn.execute(
            delete(Tombstone)
            .where(col(Tombstone.source) == source)
            .where(col(Tombstone.external_id) == external_id)
        )


_MENTION_COLUMNS = (
    "source", "external_id", "author_id", "text", "lang", "lang_confidence", "url",
    "created_at", "fetched_at", "in_reply_to", "thread_id", "deleted", "raw",
)  # fmt: skip
_SQLITE_INSERT_MENTIONS = (
    f"INSERT INTO mention ({', '.join(_MENTION_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_MENTION_COLUMNS))}) "
    "ON CONFLICT (source, external_id) DO NOTHING"
)


def _insert_mentions(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """Insert ``rows`` (one executemany), skipping known ``(source, external_id)``; count new.

    On SQLite the values are converted here, once, and handed to the driver's C loop: the
    generic per-value bind processing costs more than the insert itself.
    """
    if not rows:
        return 0
    if conn.dialect.name == "sqlite":
        fetched = _sqlite_time(rows[0]["fetched_at"])  # one batch, one fetch time
        params = [
            (
                r["source"], r["external_id"], r["author_id"], r["text"], r["lang"],
                r["lang_confidence"], r["url"], _sqlite_time(r["created_at"]), fetched,
                r["in_reply_to"], r["thread_id"], int(r["deleted"]),
                None if r["raw"] is None else json.dumps(r["raw"]),
            )
            for r in rows
        ]  # fmt: skip
        return conn.exec_driver_sql(_SQLITE_INSERT_MENTIONS, params).rowcount or 0
    return insert_ignoring_duplicates(conn, Mention, rows, conflict_cols=["source", "external_id"])


def _sqlite_time(value: datetime | None) -> str | None:
    """The text SQLAlchemy's SQLite DATETIME stores: naive UTC with microseconds."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def apply_edits(conn: Connection, edits: Sequence[MentionRecord], *, now: datetime) -> int:
    """Replace the stored text of edited posts (never of deleted ones); count the changed."""
    count = 0
    for edit in edits:
        stmt = (
            update(Mention)
            .where(col(Mention.source) == edit.source)
            .where(col(Mention.external_id) == edit.external_id)
            .where(col(Mention.deleted).is_(False))
            .where(col(Mention.text) != edit.text)
            .values(
                text=edit.text,
                lang=edit.lang,
                lang_confidence=edit.lang_confidence,
                edited_at=now,
                raw=edit.raw,
            )
        )
        count += conn.execute(stmt).rowcount or 0
    return count


def upsert_authors(
    conn: Connection, authors: Iterable[AuthorRecord], *, now: datetime
) -> dict[tuple[str, str], int]:
    """Insert new authors, refresh known ones; return ids by ``(platform, platform_id)``."""
    latest: dict[tuple[str, str], AuthorRecord] = {}
    for author in authors:
        latest[(author.platform, author.platform_id)] = author
    if not latest:
        return {}
    rows: list[dict[str, Any]] = [
        {
            "platform": a.platform,
            "platform_id": a.platform_id,
            "handle": a.handle,
            "display_name": a.display_name,
            "followers": a.followers,
            "following": a.following,
            "account_created": a.account_created,
            "is_brand": a.is_brand,
            "first_seen": now,
            "last_seen": now,
        }
        for a in latest.values()
    ]
    if conn.dialect.name == "sqlite":
        now_s = _sqlite_time(now)
        params = [
            (
                r["platform"], r["platform_id"], r["handle"], r["display_name"], r["followers"],
                r["following"], _sqlite_time(r["account_created"]), int(r["is_brand"]),
                now_s, now_s,
            )
            for r in rows
        ]  # fmt: skip
        conn.exec_driver_sql(_SQLITE_UPSERT_AUTHORS, params)
        return _sqlite_author_ids(conn, list(latest))
    excluded = insert_for(conn, Author).excluded
    upsert(
        conn,
        Author,
        rows,
        conflict_cols=["platform", "platform_id"],
        set_={
            "handle": excluded.handle,
            "display_name": _coalesce(excluded.display_name, Author.display_name),
            "followers": _coalesce(excluded.followers, Author.followers),
            "following": _coalesce(excluded.following, Author.following),
            "account_created": _coalesce(excluded.account_created, Author.account_created),
            "is_brand": excluded.is_brand,
            "last_seen": excluded.last_seen,
        },
    )
    return author_ids_for(conn, list(latest))


_SQLITE_UPSERT_AUTHORS = (
    "INSERT INTO author (platform, platform_id, handle, display_name, followers, following, "
    "account_created, is_brand, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (platform, platform_id) DO UPDATE SET handle = excluded.handle, "
    "display_name = coalesce(excluded.display_name, display_name), "
    "followers = coalesce(excluded.followers, followers), "
    "following = coalesce(excluded.following, following), "
    "account_created = coalesce(excluded.account_created, account_created), "
    "is_brand = excluded.is_brand, last_seen = excluded.last_seen"
)


def _sqlite_author_ids(
    conn: Connection, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    by_platform: dict[str, list[str]] = {}
    for platform, platform_id in keys:
        by_platform.setdefault(platform, []).append(platform_id)
    found: dict[tuple[str, str], int] = {}
    for platform, ids in by_platform.items():
        for start in range(0, len(ids), ROWS_PER_STATEMENT):
            chunk = ids[start : start + ROWS_PER_STATEMENT]
            sql = (
                "SELECT id, platform_id FROM author WHERE platform = ? AND platform_id IN "
                f"({', '.join('?' * len(chunk))})"
            )
            for author_id, platform_id in conn.exec_driver_sql(sql, (platform, *chunk)):
                found[(platform, platform_id)] = author_id
    return found


def author_ids_for(conn: Connection, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Look up stored author ids by ``(platform, platform_id)``."""
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(keys), ROWS_PER_STATEMENT):
        chunk = list(keys[start : start + ROWS_PER_STATEMENT])
        authors = table(Author).c
        stmt = select(authors.id, authors.platform, authors.platform_id).where(
            tuple_(authors.platform, authors.platform_id).in_(chunk)
        )
        found.update({(p, pid): i for i, p, pid in conn.execute(stmt)})
    return found


def mark_deleted(
    conn: Connection,
    notices: Sequence[MentionRecord],
    *,
    now: datetime,
    keep_tombstones: bool = True,
) -> tuple[int, int]:
    """Honour platform deletion notices: flag the mention and purge its text and payload.

    A notice for a post not stored yet is kept as a tombstone, so the post is stored deleted
    when it comes. Returns ``(mentions purged, tombstones kept)``.
    """
    count = 0
    stones: dict[tuple[str, str], dict[str, Any]] = {}
    for notice in notices:
        if _purge(conn, notice.source, notice.external_id, now=now):
            count += 1
        elif keep_tombstones:
            key = (notice.source, notice.external_id)
            stones[key] = {"source": key[0], "external_id": key[1], "deleted_at": now}
    kept = 0
    if stones:
        cutoff = now - timedelta(days=TOMBSTONE_DAYS)
        conn.execute(delete(Tombstone).where(col(Tombstone.deleted_at) < cutoff))
        kept = insert_ignoring_duplicates(conn, Tombstone, list(stones.values()))
    return count, kept


def _purge(
    conn: Connection, source: str, external_id: str, *, now: datetime, only_live: bool = False
) -> int:
    stmt = (
        update(Mention)
        .where(col(Mention.source) == source)
        .where(col(Mention.external_id) == external_id)
        .values(deleted=True, text="", raw=None, edited_at=now)
    )
    if only_live:
        stmt = stmt.where(col(Mention.deleted).is_(False))
    return conn.execute(stmt).rowcount or 0


def save_cursor(conn: Connection, name: str, value: str, *, now: datetime) -> None:
    """Record how far ``name`` got, in the caller's transaction."""
    row = {"name": name, "value": value, "updated_at": now}
    upsert(conn, SourceCursor, [row], conflict_cols=["name"], update_cols=["value", "updated_at"])


def load_cursor(engine: Engine, name: str) -> str | None:
    """The saved cursor for ``name``, or None when it never ran."""
    with engine.connect() as conn:
        cursors = table(SourceCursor).c
        value: str | None = conn.execute(
            select(cursors.value).where(cursors.name == name)
        ).scalar_one_or_none()
        return value


def _unique_mention_rows(
    records: Sequence[MentionRecord],
    author_ids: dict[tuple[str, str], int],
    now: datetime,
    buried: set[tuple[str, str]],
) -> list[dict[str, Any]]:
    """One row per ``(source, external_id)``; a tombstoned post arrives deleted, text purged."""
    seen: set[tuple[str, str]] = set()
    rows: list[dict[str, Any]] = []
    for r in records:
        key = (r.source, r.external_id)
        if key in seen:
            continue
        seen.add(key)
        gone = key in buried
        rows.append(
            {
                "source": r.source,
                "external_id": r.external_id,
                "author_id": None
                if r.author.platform_id == NO_AUTHOR_ID
                else author_ids[(r.author.platform, r.author.platform_id)],
                "text": "" if gone else r.text,
                "lang": r.lang,
                "lang_confidence": r.lang_confidence,
                "url": r.url,
                "created_at": r.created_at,
                "fetched_at": now,
                "in_reply_to": r.in_reply_to,
                "thread_id": r.thread_id,
                "deleted": gone,
                "raw": None if gone else r.raw,
            }
        )
    return rows


def _coalesce(new: Any, old: Any) -> Any:
    from sqlalchemy import func

    return func.coalesce(new, old)
