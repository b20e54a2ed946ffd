"""Pages as the catalogue promises them: Arrow columns cast to each field's kind, whole columns at
a time.

The store hands back what the driver read: SQLite's naive UTC text for timestamps, 0/1 for
booleans, ``int64`` for a column that happened to be all NULL on a page; PostgreSQL's
``timestamptz`` and booleans. ``conform`` turns every page into the one schema of the export
(``arrow_schema``), which every writer relies on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dashboard.exports.fields import Field, Kind, effective_kind

UTC_US = pa.timestamp("us", tz="UTC")

ARROW_TYPES: dict[Kind, pa.DataType] = {
    "int": pa.int64(),
    "float": pa.float64(),
    "str": pa.string(),
    "bool": pa.bool_(),
    "ts": UTC_US,
}


def arrow_schema(fields: Sequence[Field], *, anonymize: bool) -> pa.Schema:
    """The export's schema for ``fields`` (hashed fields are text when anonymizing)."""
    return pa.schema(
        [(f.name, ARROW_TYPES[effective_kind(f, anonymize=anonymize)]) for f in fields]
    )


def conform(page: pa.Table, fields: Sequence[Field]) -> pa.Table:
    """The ``fields`` of ``page``, in order, each cast to its catalogue kind."""
    columns = [to_kind(page.column(f.name), f.kind) for f in fields]
    return pa.Table.from_arrays(columns, schema=arrow_schema(fields, anonymize=False))


def to_kind(column: pa.ChunkedArray | pa.Array, kind: Kind) -> pa.Array:
    """One column as ``kind``'s Arrow type."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    target = ARROW_TYPES[kind]
    if array.null_count == len(array):
        return pa.nulls(len(array), target)
    if kind == "ts":
        return timestamp_array(array)
    return array.cast(target)


def timestamp_array(array: pa.Array) -> pa.Array:
    """Stored timestamps as ``timestamp[us, tz=UTC]``.

    SQLite's naive UTC text (``2024-05-01 12:00:00.000000``) casts directly; PostgreSQL's
    ``timestamptz`` is converted; anything else (text with an offset) goes through Python.
    """
    if pa.types.is_timestamp(array.type):
        if array.type.tz is None:
            return array.cast(pa.timestamp("us")).cast(UTC_US)
        return array.cast(UTC_US)
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        try:
            return array.cast(pa.timestamp("us")).cast(UTC_US)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return pa.array([_as_utc(v) for v in array.to_pylist()], UTC_US)


def _as_utc(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso_text(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """UTC timestamps as ISO 8601 text with microseconds and ``+00:00``.

    Arrow's own cast renders ``2024-05-01 12:00:00.000000`` (six digits at ``us``), ten times
    faster than ``strftime``; the space becomes ``T`` and the offset is appended.
    """
    wall = array.cast(pa.timestamp("us")).cast(pa.string())  # the UTC wall clock
    return pc.binary_join_element_wise(pc.utf8_replace_slice(wall, 10, 11, "T"), "+00:00", "")
