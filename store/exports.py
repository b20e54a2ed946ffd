"""The analyst exports' reads: each dataset's query, read as Arrow tables in bounded pages.

A dataset is an ``ExportQuery``: labelled columns, the ``FROM`` they come from, the integer key
its pages follow, and which columns ``since``/``until`` and ``sources`` filter. ``QUERIES`` names
them all; adding a dataset is one entry there (and one in ``dashboard.exports.datasets``).

Keyset pagination on the key (``WHERE key > :after ORDER BY key LIMIT :n``) keeps memory flat
whatever the table size, on SQLite and PostgreSQL alike, and needs no server-side cursor.
Every page is read on one connection inside one transaction (``store.arrow_reads``), natively
as Arrow through ADBC where the driver is installed.

Mentions carry their newest score and their author's case. Correlated subqueries (one index
probe per row) cost more than reading the mentions themselves, so each page instead runs two
range lookups (the page's scores, the page's authors' cases), picks each key's winner with an
Arrow sort and attaches it with ``index_in``/``take``: vectorised, and the page order is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Table, Text, bindparam, case, cast, func, select
from sqlalchemy.sql import ColumnElement, FromClause, Select

from store.arrow_reads import ArrowReads
from store.models import (
    Author,
    Case,
    CaseEvent,
    DiscoveredTopic,
    GoodwillLedger,
    Mention,
    MentionTopic,
    Score,
)
from store.tables import table

log = logging.getLogger(__name__)

_M: Table = table(Mention)
_A: Table = table(Author)
_S: Table = table(Score)
_C: Table = table(Case)
_E: Table = table(CaseEvent)
_G: Table = table(GoodwillLedger)
_T: Table = table(DiscoveredTopic)
_MT: Table = table(MentionTopic)

Columns = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class ExportFilter:
    """Which rows to export: ``since <= time < until``, from ``sources``."""

    since: datetime | None = None
    until: datetime | None = None
    sources: tuple[str, ...] = ()

    def conditions(self, time: Any, source: Any) -> list[ColumnElement[bool]]:
        """The WHERE conditions on a dataset's time and source columns (None: not filtered)."""
        out: list[ColumnElement[bool]] = []
        if time is not None and self.since is not None:
            out.append(time >= self.since)
        if time is not None and self.until is not None:
            out.append(time < self.until)
        if source is not None and self.sources:
            # one placeholder per source (not an "expanding" IN): compiles once, for any driver
            names: list[Any] = [bindparam(f"source_{i}", s) for i, s in enumerate(self.sources)]
            out.append(source.in_(names))
        return out

    @property
    def empty(self) -> bool:
        """True when nothing is filtered."""
        return self.since is None and self.until is None and not self.sources


@dataclass(frozen=True)
class Lookup:
    """Rows attached to each page row by a key, the first by ``order`` winning.

    ``build(flt)`` selects ``_key`` (matched against the page's ``page_key``), the ``order``
    columns and the output ``fields``, for the page's key range ``:lo < key <= :hi``.
    """

    page_key: str
    fields: tuple[str, ...]
    order: tuple[tuple[str, str], ...]
    build: Callable[[ExportFilter], Select[Any]]

    def attach(self, page: pa.Table, found: pa.Table) -> pa.Table:
        """``page`` with this lookup's fields appended (null where nothing matched)."""
        winners = first_per_key(found, "_key", self.order)
        if winners.num_rows:
            keys = winners.column("_key").cast(page.schema.field(self.page_key).type)
            where = pc.index_in(page.column(self.page_key), value_set=keys)
            picked = winners.take(where)
            columns = [picked.column(name) for name in self.fields]
        else:
            columns = [pa.nulls(page.num_rows) for _ in self.fields]
        for name, column in zip(self.fields, columns, strict=True):
            page = page.append_column(name, column)
        return page


@dataclass(frozen=True)
class ExportQuery:
    """One dataset's read: ``columns`` from ``source``, paged by ``key`` (None: one read)."""

    columns: Columns
    source: FromClause
    key: str | None
    time: Any = None
    origin: Any = None
    group_by: tuple[Any, ...] = ()
    lookups: tuple[Lookup, ...] = field(default=())

    def page_statement(self, flt: ExportFilter, page_size: int) -> Select[Any]:
        """One keyset page (``:after`` is the last key read), or the whole read when unpaged."""
        stmt = select(*(col.label(name) for name, col in self.columns)).select_from(self.source)
        stmt = stmt.where(*flt.conditions(self.time, self.origin))
        if self.group_by:
            stmt = stmt.group_by(*self.group_by)
        if self.key is None:
            return stmt.order_by(*(col for _, col in self.columns[:1]))
        key = dict(self.columns)[self.key]
        return stmt.where(key > bindparam("after")).order_by(key).limit(page_size)

    def count_statement(self, flt: ExportFilter) -> Select[Any]:
        """How many rows the filter selects (for a progress bar)."""
        inner = self.page_statement(flt, 1)
        if self.key is not None:
            inner = inner.limit(None).params(after=0)
        return select(func.count()).select_from(inner.order_by(None).subquery())


@dataclass(frozen=True)
class PageRead:
    """One page as read: the base rows and each lookup's rows, not yet put together.

    Reading is the database's work and ``assemble`` is Arrow's: a caller may do them on two
    threads (the export reads page N+1 while page N is assembled and written).
    """

    base: pa.Table
    found: tuple[tuple[Lookup, pa.Table], ...] = ()

    def assemble(self) -> pa.Table:
        """The page with every lookup's winner attached."""
        page = self.base
        for lookup, rows in self.found:
            page = lookup.attach(page, rows)
        return page


def iter_page_reads(
    reads: ArrowReads,
    query: ExportQuery,
    flt: ExportFilter,
    *,
    page_size: int = 50_000,
    need: frozenset[str] | None = None,
) -> Iterator[PageRead]:
    """Read the dataset in pages of at most ``page_size`` rows, in key order.

    ``need`` names the fields wanted; lookups that provide none of them are skipped. Column
    types are as the driver reads them: callers cast to the catalogue's types.
    """
    base = query.page_statement(flt, page_size)
    lookups = [
        (lookup, lookup.build(flt))
        for lookup in query.lookups
        if need is None or need & set(lookup.fields)
    ]
    if query.key is None:
        yield PageRead(reads.table(base))
        return
    after: Any = 0
    while True:
        page = reads.table(base, {"after": after})
        if page.num_rows == 0:
            return
        last = page.column(query.key)[-1].as_py()
        found = tuple(
            (lookup, reads.table(stmt, {"lo": after, "hi": last})) for lookup, stmt in lookups
        )
        yield PageRead(page, found)
        after = last
        if page.num_rows < page_size:
            return


def iter_pages(
    reads: ArrowReads,
    query: ExportQuery,
    flt: ExportFilter,
    *,
    page_size: int = 50_000,
    need: frozenset[str] | None = None,
) -> Iterator[pa.Table]:
    """``iter_page_reads``, each page assembled."""
    for read in iter_page_reads(reads, query, flt, page_size=page_size, need=need):
        yield read.assemble()


def count_rows(reads: ArrowReads, query: ExportQuery, flt: ExportFilter) -> int:
    """How many rows the export will write."""
    counted = reads.table(query.count_statement(flt))
    return int(counted.column(0)[0].as_py())


def first_per_key(found: pa.Table, key: str, order: Sequence[tuple[str, str]]) -> pa.Table:
    """The first row of each ``key`` when sorted by ``order`` (ties: the table's own order)."""
    if found.num_rows <= 1:
        return found
    keys = found.column(key)
    if pc.all(pc.greater(keys.slice(1), keys.slice(0, len(keys) - 1))).as_py():
        return found  # already one row per key (a mention with one score): nothing to rank
    sort_keys = [(key, "ascending"), *order]
    ranked = found.take(pc.sort_indices(found, sort_keys=sort_keys))
    keys = ranked.column(key)
    changed = pc.not_equal(keys.slice(1), keys.slice(0, len(keys) - 1))
    first = pa.concat_arrays([pa.array([True]), pc.fill_null(changed, True).combine_chunks()])
    return ranked.filter(first)


# --- mentions ------------------------------------------------------------------------------

_MENTION_COLUMNS: Columns = (
    ("mention_id", _M.c.id),
    ("source", _M.c.source),
    ("external_id", _M.c.external_id),
    ("created_at", _M.c.created_at),
    ("fetched_at", _M.c.fetched_at),
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
_SCORE_COLUMNS: Columns = (
    ("score_model", _S.c.model_name),
    ("score_model_version", _S.c.model_version),
    ("sentiment_label", _S.c.sentiment_label),
    ("sentiment", _S.c.sentiment),
    ("p_negative", _S.c.p_negative),
    ("p_neutral", _S.c.p_neutral),
    ("p_positive", _S.c.p_positive),
    ("toxicity", _S.c.toxicity),
    ("troll_likelihood", _S.c.troll_likelihood),
    ("troll_reasons", cast(_S.c.troll_reasons, Text)),  # JSON as its text on every driver
    ("scored_at", _S.c.scored_at),
)
_CASE_COLUMNS: Columns = (
    ("case_id", _C.c.id),
    ("case_stage", _C.c.stage),
    ("case_is_open", _C.c.is_open),
    ("case_outcome", _C.c.outcome),
    ("case_walkaway_reason", _C.c.walkaway_reason),
)


def _page_mentions(flt: ExportFilter) -> list[ColumnElement[bool]]:
    """The mentions of the page ``:lo < id <= :hi`` that the filter keeps."""
    return [
        _M.c.id > bindparam("lo"),
        _M.c.id <= bindparam("hi"),
        *flt.conditions(_M.c.created_at, _M.c.source),
    ]


def _scores_of_page(flt: ExportFilter) -> Select[Any]:
    """Every score of the page's mentions: an index range on ``score.mention_id``."""
    stmt = select(
        _S.c.mention_id.label("_key"),
        _S.c.id.label("_score_id"),
        *(col.label(name) for name, col in _SCORE_COLUMNS),
    )
    stmt = stmt.order_by(_S.c.mention_id)  # the index's own order
    if flt.empty:
        return stmt.where(_S.c.mention_id > bindparam("lo"), _S.c.mention_id <= bindparam("hi"))
    return stmt.join_from(_S, _M, _M.c.id == _S.c.mention_id).where(*_page_mentions(flt))


def _cases_of_page(flt: ExportFilter) -> Select[Any]:
    """Every case of the page's authors."""
    authors = select(_M.c.author_id).where(*_page_mentions(flt))
    return select(
        _C.c.author_id.label("_key"),
        _C.c.updated_at.label("_updated_at"),
        *(col.label(name) for name, col in _CASE_COLUMNS),
    ).where(_C.c.author_id.in_(authors))


MENTIONS = ExportQuery(
    columns=_MENTION_COLUMNS,
    source=_M.join(_A, _M.c.author_id == _A.c.id),
    key="mention_id",
    time=_M.c.created_at,
    origin=_M.c.source,
    lookups=(
        # the newest score: latest scored_at, then highest id
        Lookup(
            page_key="mention_id",
            fields=tuple(name for name, _ in _SCORE_COLUMNS),
            order=(("scored_at", "descending"), ("_score_id", "descending")),
            build=_scores_of_page,
        ),
        # the author's open case (most recently updated), else their latest closed one
        Lookup(
            page_key="author_id",
            fields=tuple(name for name, _ in _CASE_COLUMNS),
            order=(
                ("case_is_open", "descending"),
                ("_updated_at", "descending"),
                ("case_id", "descending"),
            ),
            build=_cases_of_page,
        ),
    ),
)

# --- casework ------------------------------------------------------------------------------

CASES = ExportQuery(
    columns=(
        ("case_id", _C.c.id),
        ("author_id", _C.c.author_id),
        ("author_platform_id", _A.c.platform_id),
        ("author_handle", _A.c.handle),
        ("topic", _C.c.topic),
        ("source", _C.c.source),
        ("stage", _C.c.stage),
        ("is_open", _C.c.is_open),
        ("priority", _C.c.priority),
        ("assignee", _C.c.assignee),
        ("opened_at", _C.c.opened_at),
        ("updated_at", _C.c.updated_at),
        ("sla_due", _C.c.sla_due),
        ("closed_at", _C.c.closed_at),
        ("outcome", _C.c.outcome),
        ("walkaway_reason", _C.c.walkaway_reason),
        ("goodwill_spent", _C.c.goodwill_spent),
        ("incident", _C.c.incident),
        ("latest_mention_id", _C.c.latest_mention_id),
    ),
    source=_C.join(_A, _C.c.author_id == _A.c.id),
    key="case_id",
    time=_C.c.opened_at,
    origin=_C.c.source,
)

#: What a case event's or a goodwill row's case is: its critic, platform and topic.
_CASE_OF_ROW: Columns = (
    ("case_author_id", _C.c.author_id),
    ("case_source", _C.c.source),
    ("case_topic", _C.c.topic),
)

CASE_EVENTS = ExportQuery(
    columns=(
        ("event_id", _E.c.id),
        ("case_id", _E.c.case_id),
        ("at", _E.c.at),
        ("kind", _E.c.kind),
        ("actor", _E.c.actor),
        ("stage_from", _E.c.stage_from),
        ("stage_to", _E.c.stage_to),
        ("mention_id", _E.c.mention_id),
        ("body", _E.c.body),
        ("reason", _E.c.reason),
        ("data", cast(_E.c.data, Text)),
        *_CASE_OF_ROW,
    ),
    source=_E.join(_C, _E.c.case_id == _C.c.id),
    key="event_id",
    time=_E.c.at,
    origin=_C.c.source,
)

GOODWILL = ExportQuery(
    columns=(
        ("goodwill_id", _G.c.id),
        ("case_id", _G.c.case_id),
        ("at", _G.c.at),
        ("actor", _G.c.actor),
        ("kind", _G.c.kind),
        ("amount", _G.c.amount),
        ("currency", _G.c.currency),
        ("note", _G.c.note),
        ("approved_by", _G.c.approved_by),
        *_CASE_OF_ROW,
    ),
    source=_G.join(_C, _G.c.case_id == _C.c.id),
    key="goodwill_id",
    time=_G.c.at,
    origin=_C.c.source,
)

# --- topics ---------------------------------------------------------------------------------


def _assigned_mentions() -> Any:
    """How many mentions are assigned to the topic now (``ix_mention_topic_topic``)."""
    return (
        select(func.count())
        .select_from(_MT)
        .where(_MT.c.topic_id == _T.c.id)
        .correlate(_T)
        .scalar_subquery()
    )


#: The discovered topics (``scoring.topics``), merged ones included with where they went.
TOPICS = ExportQuery(
    columns=(
        ("topic_id", _T.c.id),
        ("label", _T.c.label),
        ("terms", cast(_T.c.terms, Text)),
        ("seed", _T.c.seed),
        ("size", _T.c.size),
        ("mentions", _assigned_mentions()),
        ("example_mention_ids", cast(_T.c.examples, Text)),
        ("named_by_staff", _T.c.named_by_staff),
        ("active", _T.c.active),
        ("merged_into", _T.c.merged_into),
        ("created_at", _T.c.created_at),
        ("updated_at", _T.c.updated_at),
    ),
    source=_T,
    key="topic_id",
    time=_T.c.created_at,
)

#: Case counts per case topic, one row each (the topics cases are opened under).
CASE_TOPICS = ExportQuery(
    columns=(
        ("topic", _C.c.topic),
        ("cases", func.count(_C.c.id)),
        ("open_cases", func.sum(case((_C.c.is_open, 1), else_=0))),
        ("fans", func.sum(case((_C.c.outcome == "fan", 1), else_=0))),
        ("walk_aways", func.sum(case((_C.c.outcome == "walk_away", 1), else_=0))),
        ("goodwill_spent", func.sum(_C.c.goodwill_spent)),
        ("first_opened_at", func.min(_C.c.opened_at)),
        ("last_updated_at", func.max(_C.c.updated_at)),
    ),
    source=_C,
    key=None,
    time=_C.c.opened_at,
    origin=_C.c.source,
    group_by=(_C.c.topic,),
)

#: Every dataset's read, by name.
QUERIES: dict[str, ExportQuery] = {
    "mentions": MENTIONS,
    "cases": CASES,
    "case_events": CASE_EVENTS,
    "goodwill": GOODWILL,
    "topics": TOPICS,
    "case_topics": CASE_TOPICS,
}
