"""What the database refuses, checked before a write, the same on SQLite and PostgreSQL.

PostgreSQL enforces a ``VARCHAR(n)`` length and an ``INTEGER`` range and aborts the whole
batch on one row that breaks them; SQLite stores such a row as it is (or fails on an integer
past 64 bits). Checking each record against the columns' own types first makes both
databases refuse the same rows with the same message, and lets one bad row be reported
instead of failing its batch. The limits are read from the tables (``max_length`` of each
SQLModel field, the integer type of each column), never written down twice.

A record's raw payload is stored as JSON: PostgreSQL refuses ``NaN`` and infinities in it,
and a payload nested deeper than :data:`MAX_JSON_DEPTH` is refused too (it is no post).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, SmallInteger, String
from sqlalchemy.types import TypeDecorator, TypeEngine

from core.records import AuthorRecord, MentionRecord
from store.models import Author, Mention
from store.tables import table

#: How deeply a raw payload may nest (objects and lists) before it is refused.
MAX_JSON_DEPTH = 32

_INT_BITS = ((BigInteger, 64), (SmallInteger, 16), (Integer, 32))  # subclasses first


def _type(column: Column[Any]) -> TypeEngine[Any]:
    """The column's SQL type (SQLModel's ``AutoString`` decorates ``String``)."""
    kind = column.type
    return kind.impl_instance if isinstance(kind, TypeDecorator) else kind


def int_range(column: Column[Any]) -> tuple[int, int] | None:
    """The smallest and largest value an integer column stores on every database."""
    for kind, bits in _INT_BITS:
        if isinstance(_type(column), kind):
            return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return None


def _checked_columns(model: type[Any], fields: set[str]) -> list[Column[Any]]:
    """The columns of ``model`` that a record field of the same name fills."""
    return [c for c in table(model).columns if c.name in fields]


_MENTION_COLUMNS = _checked_columns(Mention, set(MentionRecord.model_fields))
_AUTHOR_COLUMNS = _checked_columns(Author, set(AuthorRecord.model_fields))


def refusal(record: MentionRecord) -> tuple[str, str] | None:
    """``(field, why)`` when the database would refuse ``record``, else None.

    ``field`` is the record's field path (``author.handle``, ``lang``, ``raw``).
    """
    for prefix, columns, values in (
        ("", _MENTION_COLUMNS, record),
        ("author.", _AUTHOR_COLUMNS, record.author),
    ):
        for column in columns:
            problem = column_problem(column, getattr(values, column.name))
            if problem:
                return f"{prefix}{column.name}", problem
    if record.raw is not None:
        problem = json_problem(record.raw)
        if problem:
            return "raw", problem
    return None


def column_problem(column: Column[Any], value: Any) -> str | None:
    """Why ``column`` would refuse ``value`` (a length or an integer range), or None."""
    if value is None or isinstance(value, bool):
        return None
    kind = _type(column)
    if isinstance(value, str) and isinstance(kind, String):
        length = kind.length
        if length is not None and len(value) > length:
            return f"longer than {length} characters ({len(value)})"
        return None
    if isinstance(value, int):
        bounds = int_range(column)
        if bounds is not None and value > bounds[1]:
            return f"{value} is larger than the database stores ({bounds[1]})"
        if bounds is not None and value < bounds[0]:
            return f"{value} is smaller than the database stores ({bounds[0]})"
    return None


def json_problem(value: Any) -> str | None:
    """Why ``value`` cannot be stored as JSON on every database, or None."""
    for depth, item in _walk(value):
        if depth > MAX_JSON_DEPTH:
            return _TOO_DEEP
        if isinstance(item, float) and not math.isfinite(item):
            return f"holds {item}, which JSON cannot store"
    return None


def depth_problem(value: Any) -> str | None:
    """Why ``value`` nests too deeply to be a row, or None (read before anything else)."""
    return _TOO_DEEP if any(depth > MAX_JSON_DEPTH for depth, _ in _walk(value)) else None


_TOO_DEEP = f"nested deeper than {MAX_JSON_DEPTH} levels"


def _walk(value: Any) -> Iterator[tuple[int, Any]]:
    """Every value inside ``value`` with its depth, without recursion (depth is untrusted)."""
    stack: list[tuple[int, Any]] = [(0, value)]
    while stack:
        depth, item = stack.pop()
        yield depth, item
        if isinstance(item, dict):
            stack.extend((depth + 1, v) for v in item.values())
        elif isinstance(item, list | tuple):
            stack.extend((depth + 1, v) for v in item)
