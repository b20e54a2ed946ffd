"""Reading mentions for export in bounded chunks, with their latest score and case.

Keyset pagination on ``Mention.id`` (``WHERE id > :after ORDER BY id LIMIT :n``) keeps memory
flat whatever the table size, on SQLite and PostgreSQL alike, and needs no server-side cursor.
Per chunk, two indexed queries add the newest ``Score`` per mention (``mention_id`` range) and
the author's case (an open one first, else the most recently updated). Everything runs on one
connection inside one transaction, so the export is a consistent snapshot.

Rows are fetched as the driver's plain tuples (no per-value SQLAlchemy processing): timestamps
stay as stored (naive UTC text on SQLite, aware datetimes on PostgreSQL) and each writer
converts them once per column: Arrow casts whole columns for Parquet, ``iso_utc`` slices
strings for CSV and JSONL.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, String, Table, bindparam, func, select, type_coerce
from sqlalchemy.sql import ColumnElement, Select

from store.models import Author, Case, Mention, Score

log = logging.getLogger(__name__)

#: Largest number of ids in one ``IN (...)`` list (well under SQLite's variable limit).
IN_LIST_MAX = 5_000

_M: Table = Mention.__table__  # type: ignore[attr-defined]
_A: Table = Author.__table__  # type: ignore[attr-defined]
_S: Table = Score.__table__  # type: ignore[attr-defined]
_C: Table = Case.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ExportFilter:
    """Which mentions to export: ``since <= created_at < until``, from ``sources``."""

    since: datetime | None = None
    until: datetime | None = None
    sources: tuple[str, ...] = ()

    def conditions(self) -> list[ColumnElement[bool]]:
        """The WHERE conditions for the mention table."""
        out: list[ColumnElement[bool]] = []
        if self.since is not None:
            out.append(_M.c.created_at >= self.since)
        if self.until is not None:
            out.append(_M.c.created_at < self.until)
        if self.sources:
            out.append(_M.c.source.in_(self.sources))
        return out


def _raw(column: Any) -> Any:
    """The column without its Python-side result processing (raw text on SQLite)."""
    return type_coerce(column, String)


_MENTION_COLUMNS = (
    ("mention_id", _M.c.id),
    ("source", _M.c.source),
    ("external_id", _M.c.external_id),
    ("created_at", _raw(_M.c.created_at)),
    ("fetched_at", _raw(_M.c.fetched_at)),
    ("lang", _M.c.lang),
    ("url", _M.c.url),
    ("text", _M.c.text),
    ("in_reply_to", _M.c.in_reply_to),
    ("thread_id", _M.c.thread_id),
    ("deleted", _M.c.deleted),
    ("author_id", _M.c.author_id),
    ("author_platform_id", _A.c.platform_id),
    ("author_handle", _A.c.handle),
    ("author_display_name", _A.c.display_name),
    ("author_followers", _A.c.followers),
)
_SCORE_COLUMNS = (
    ("score_model", _S.c.model_name),
    ("score_model_version", _S.c.model_version),
    ("sentiment_label", _S.c.sentiment_label),
    ("sentiment", _S.c.sentiment),
    ("p_negative", _S.c.p_negative),
    ("p_neutral", _S.c.p_neutral),
    ("p_positive", _S.c.p_positive),
    ("toxicity", _S.c.toxicity),
    ("troll_likelihood", _S.c.troll_likelihood),
    ("troll_reasons", _raw(_S.c.troll_reasons)),
    ("scored_at", _raw(_S.c.scored_at)),
)
_CASE_COLUMNS = (
    ("case_id", _C.c.id),
    ("case_stage", _C.c.stage),
    ("case_is_open", _C.c.is_open),
    ("case_outcome", _C.c.outcome),
    ("case_walkaway_reason", _C.c.walkaway_reason),
)
BOOL_FIELDS = ("deleted", "case_is_open")
SCORE_FIELDS = frozenset(name for name, _ in _SCORE_COLUMNS)
CASE_FIELDS = frozenset(name for name, _ in _CASE_COLUMNS)
TS_FIELDS = ("created_at", "fetched_at", "scored_at")

Chunk = dict[str, list[Any]]


def count_rows(conn: Connection, flt: ExportFilter) -> int:
    """How many mentions the filter selects (for the progress bar)."""
    stmt = select(func.count()).select_from(_M).where(*flt.conditions())
    return int(conn.execute(stmt).scalar_one())


def _mention_query(flt: ExportFilter, chunk_size: int) -> Select[Any]:
    return (
        select(*(col for _, col in _MENTION_COLUMNS))
        .join_from(_M, _A, _M.c.author_id == _A.c.id)
        .where(_M.c.id > bindparam("after"), *flt.conditions())
        .order_by(_M.c.id)
        .limit(chunk_size)
    )


def iter_chunks(
    conn: Connection,
    flt: ExportFilter,
    *,
    chunk_size: int = 20_000,
    need: frozenset[str] | None = None,
) -> Iterator[Chunk]:
    """Yield column-oriented chunks (field name -> values) of at most ``chunk_size`` rows.

    ``need`` names the fields wanted; score and case lookups are skipped when none of theirs is.
    """
    stmt = _mention_query(flt, chunk_size)
    want_scores = need is None or bool(need & SCORE_FIELDS)
    want_cases = need is None or bool(need & CASE_FIELDS)
    after = 0
    while True:
        rows = _raw_rows(conn, stmt, {"after": after})
        if not rows:
            return
        columns = list(zip(*rows, strict=True))
        chunk: Chunk = {name: list(columns[i]) for i, (name, _) in enumerate(_MENTION_COLUMNS)}
        ids: list[int] = chunk["mention_id"]
        if want_scores:
            chunk.update(_latest_scores(conn, ids))
        if want_cases:
            chunk.update(_author_cases(conn, chunk["author_id"]))
        for name in BOOL_FIELDS:  # SQLite hands back 0/1
            if name in chunk:
                chunk[name] = [None if v is None else bool(v) for v in chunk[name]]
        yield chunk
        after = ids[-1]
        if len(rows) < chunk_size:
            return


def _latest_scores(conn: Connection, ids: Sequence[int]) -> Chunk:
    """The newest score per mention id (by ``scored_at``, then row id), aligned with ``ids``."""
    stmt = (
        select(_S.c.mention_id, *(col for _, col in _SCORE_COLUMNS))
        .where(_S.c.mention_id >= ids[0], _S.c.mention_id <= ids[-1])
        .order_by(_S.c.mention_id, _S.c.scored_at, _S.c.id)
    )
    # ascending order: for a mention scored twice, the later (newer) row wins the dict slot
    latest = {row[0]: row for row in _raw_rows(conn, stmt, {})}
    empty = (None,) * (len(_SCORE_COLUMNS) + 1)
    picked = [latest.get(i, empty) for i in ids]
    out: Chunk = {}
    for j, (name, _) in enumerate(_SCORE_COLUMNS, start=1):
        out[name] = [r[j] for r in picked]
    out["troll_reasons"] = [
        None if v is None else (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
        for v in out["troll_reasons"]
    ]
    return out


def _author_cases(conn: Connection, author_ids: Sequence[int]) -> Chunk:
    """Each author's open case (most recently updated), else their latest closed one."""
    unique = sorted(set(author_ids))
    chosen: dict[int, Any] = {}
    stmt = (
        select(_C.c.author_id, *(col for _, col in _CASE_COLUMNS))
        .where(_C.c.author_id.in_(bindparam("authors", expanding=True)))
        .order_by(_C.c.author_id, _C.c.is_open, _C.c.updated_at, _C.c.id)
    )
    for start in range(0, len(unique), IN_LIST_MAX):
        for row in _raw_rows(conn, stmt, {"authors": unique[start : start + IN_LIST_MAX]}):
            chosen[row[0]] = row  # closed first, then open; newest last: the last one wins
    empty = (None,) * (len(_CASE_COLUMNS) + 1)
    picked = [chosen.get(a, empty) for a in author_ids]
    return {name: [r[j] for r in picked] for j, (name, _) in enumerate(_CASE_COLUMNS, start=1)}


def _raw_rows(conn: Connection, stmt: Any, params: dict[str, Any]) -> list[Any]:
    """Execute through SQLAlchemy (compiling, binding, dialect quirks) but fetch the driver's
    plain tuples: about twice as fast as building ``Row`` objects on a million rows."""
    result = conn.execute(stmt, params)
    cursor = getattr(result, "cursor", None)
    if cursor is None or not hasattr(cursor, "fetchall"):
        return list(result.all())
    try:
        return list(cursor.fetchall())
    finally:
        result.close()


def iso_utc(value: str | datetime | None) -> str | None:
    """A stored timestamp as ISO 8601 with ``+00:00``.

    SQLite holds naive UTC text (``2024-05-01 12:00:00.000000``); PostgreSQL returns aware
    datetimes. Both become ``2024-05-01T12:00:00.000000+00:00``.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    text = str(value)
    if len(text) > 10 and text[10] == " ":
        text = text[:10] + "T" + text[11:]
    if len(text) == 19:
        text += ".000000"
    if not (text.endswith("Z") or "+" in text[19:] or "-" in text[19:]):
        text += "+00:00"
    return text
