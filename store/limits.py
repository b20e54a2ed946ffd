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

from core.records import AuthorRecord, MentionRecord
from store.models import Author, Mention
from store.tables import table

#: How deeply a raw payload may nest (objects and lists) before it is refused.
MAX_JSON_DEPTH = 32

_INT_BITS = ((BigInteger, 64), (SmallInteger, 16), (Integer, 32))  # subclasses first


def int_range(column: Column[Any]) -> tuple[int, int] | None:
    """The smallest and largest value an integer column stores on every database."""
    for kind, bits in _INT_BITS:
        if isinstance(column.type, kind):
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
    if isinstance(value, str) and isinstance(column.type, String):
        length = column.type.length
        if length is not None and len(value) > length:
            return f"longer than {length} characters ({len(value)})"
        return None
    if isinstance(value, int):
        bounds = int_range(column)
        if bounds is not None and not bounds[0] <= value <= bounds[1]:
            return f"{value} is out of range (the database stores {bounds[0]} to {bounds[1]})"
    return None


def json_problem(value: Any) -> str | None:
    """Why ``value`` cannot be stored as JSON on every database, or None."""
    for depth, item in _walk(value):
        if depth > MAX_JSON_DEPTH:
            return f"nested deeper than {MAX_JSON_DEPTH} levels"
        if isinstance(item, float) and not math.isfinite(item):
            return f"{item} is not a JSON number"
    return None


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
