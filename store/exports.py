"""The export's reads: mentions in bounded chunks, with their latest score and case.

Keyset pagination on ``Mention.id`` (``WHERE id > :after ORDER BY id LIMIT :n``) keeps memory
flat whatever the table size, on SQLite and PostgreSQL alike, and needs no server-side cursor.
Each page is one query: the author by primary key, the newest ``Score`` and the author's case
(an open one first, else the most recently updated) through correlated subqueries that are
single index probes (``ix_score_mention_id``, ``ix_case_author_topic``). Doing the join in SQL
rather than in Python roughly halves the CPU per row. Everything runs on one connection inside
one transaction, so the export is a consistent snapshot.

Rows are fetched as the driver's plain tuples (no per-value SQLAlchemy processing): timestamps
stay as stored (naive UTC text on SQLite, aware datetimes on PostgreSQL) and each writer
converts them once per column: Arrow casts whole columns for Parquet, ``iso_utc`` slices
strings for CSV and JSONL (``dashboard.exports.writers``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, String, Table, bindparam, func, select, type_coerce
from sqlalchemy.sql import ColumnElement, Select

from store.models import Author, Case, Mention, Score
from store.scores import newest_score_id
from store.tables import table

log = logging.getLogger(__name__)


_M: Table = table(Mention)
_A: Table = table(Author)
_S: Table = table(Score)
_C: Table = table(Case)


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


def _latest_score_id() -> Any:
    """The id of a mention's newest score (by ``scored_at``, then id): one index probe."""
    return newest_score_id(_M.c.id).correlate(_M)


def _author_case_id() -> Any:
    """The author's open case (most recently updated), else their latest closed one."""
    c2 = _C.alias("c2")
    return (
        select(c2.c.id)
        .where(c2.c.author_id == _M.c.author_id)
        .order_by(c2.c.is_open.desc(), c2.c.updated_at.desc(), c2.c.id.desc())
        .limit(1)
        .correlate(_M)
        .scalar_subquery()
    )


def chunk_query(
    flt: ExportFilter, chunk_size: int, *, scores: bool = True, cases: bool = True
) -> tuple[Select[Any], list[str]]:
    """One keyset page of mentions joined to author, latest score and case; and its names."""
    columns = list(_MENTION_COLUMNS)
    source: Any = _M.join(_A, _M.c.author_id == _A.c.id)
    if scores:
        source = source.outerjoin(_S, _S.c.id == _latest_score_id())
        columns += _SCORE_COLUMNS
    if cases:
        source = source.outerjoin(_C, _C.c.id == _author_case_id())
        columns += _CASE_COLUMNS
    stmt = (
        select(*(col for _, col in columns))
        .select_from(source)
        .where(_M.c.id > bindparam("after"), *flt.conditions())
        .order_by(_M.c.id)
        .limit(chunk_size)
    )
    return stmt, [name for name, _ in columns]


def iter_chunks(
    conn: Connection,
    flt: ExportFilter,
    *,
    chunk_size: int = 20_000,
    need: frozenset[str] | None = None,
) -> Iterator[Chunk]:
    """Yield column-oriented chunks (field name -> values) of at most ``chunk_size`` rows.

    ``need`` names the fields wanted; the score and case joins are left out when none of
    theirs is.
    """
    stmt, names = chunk_query(
        flt,
        chunk_size,
        scores=need is None or bool(need & SCORE_FIELDS),
        cases=need is None or bool(need & CASE_FIELDS),
    )
    json_as_text = conn.dialect.name == "sqlite"  # elsewhere the driver decodes JSON
    after = 0
    while True:
        rows = _raw_rows(conn, stmt, {"after": after})
        if not rows:
            return
        columns = zip(*rows, strict=True)
        chunk: Chunk = {name: list(values) for name, values in zip(names, columns, strict=True)}
        for name in BOOL_FIELDS:  # SQLite hands back 0/1
            if name in chunk:
                chunk[name] = [None if v is None else bool(v) for v in chunk[name]]
        if not json_as_text and "troll_reasons" in chunk:
            chunk["troll_reasons"] = [
                v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                for v in chunk["troll_reasons"]
            ]
        yield chunk
        after = chunk["mention_id"][-1]
        if len(rows) < chunk_size:
            return


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
