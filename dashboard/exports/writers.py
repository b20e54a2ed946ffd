"""Format writers: each takes column-oriented chunks and streams them to a binary file.

* CSV (``csv`` module): text cells that begin with ``=``, ``+``, ``-``, ``@``, tab or CR get a
  leading single quote so a spreadsheet never runs them as a formula. Numbers are written
  as numbers and never altered. ``None`` is an empty cell; booleans are ``true``/``false``.
* JSONL: one JSON object per line, UTF-8, no neutralising (JSON is not a formula language).
* Parquet (``pyarrow.parquet.ParquetWriter``): one row group per chunk, typed columns,
  timestamps as ``timestamp[us, tz=UTC]``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, BinaryIO, Protocol

from dashboard.exports.fields import Field, Kind, effective_kind

#: First characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefix a single quote when ``value`` would start a spreadsheet formula."""
    if value and value[0] in FORMULA_TRIGGERS:
        return "'" + value
    return value


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


class Writer(Protocol):
    """Writes chunks of one export; ``close`` finishes the file (but not a caller's stream)."""

    def write(self, chunk: dict[str, list[Any]]) -> None: ...

    def close(self) -> None: ...


class _TextWriter:
    def __init__(self, out: BinaryIO, fields: Sequence[Field], *, anonymize: bool) -> None:
        self._text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
        self._fields = tuple(fields)
        self._kinds: tuple[Kind, ...] = tuple(
            effective_kind(f, anonymize=anonymize) for f in fields
        )

    def close(self) -> None:
        self._text.flush()
        self._text.detach()  # leave the caller's binary stream open


class CsvWriter(_TextWriter):
    """CSV with a header row and formula neutralising on text cells."""

    def __init__(self, out: BinaryIO, fields: Sequence[Field], *, anonymize: bool) -> None:
        super().__init__(out, fields, anonymize=anonymize)
        self._csv = csv.writer(self._text)  # RFC 4180: CRLF, so cells with CR or LF get quoted
        self._csv.writerow([f.name for f in self._fields])

    def write(self, chunk: dict[str, list[Any]]) -> None:
        columns: list[list[Any]] = []
        for field, kind in zip(self._fields, self._kinds, strict=True):
            values = chunk[field.name]
            if kind == "str":
                values = [neutralise(v) if v else v for v in values]
            elif kind == "ts":
                values = [iso_utc(v) for v in values]
            elif kind == "bool":
                values = [None if v is None else ("true" if v else "false") for v in values]
            columns.append(values)
        self._csv.writerows(zip(*columns, strict=True))


class JsonlWriter(_TextWriter):
    """One JSON object per mention."""

    def write(self, chunk: dict[str, list[Any]]) -> None:
        names = [f.name for f in self._fields]
        columns = [
            [iso_utc(v) for v in chunk[n]] if kind == "ts" else chunk[n]
            for n, kind in zip(names, self._kinds, strict=True)
        ]
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        lines = [dumps(dict(zip(names, row, strict=True))) for row in zip(*columns, strict=True)]
        if lines:
            self._text.write("\n".join(lines))
            self._text.write("\n")


class ParquetWriter:
    """Typed Parquet, one row group per chunk."""

    def __init__(self, out: BinaryIO, fields: Sequence[Field], *, anonymize: bool) -> None:
        import pyarrow.parquet as pq

        self._fields = tuple(fields)
        self._schema = arrow_schema(fields, anonymize=anonymize)
        self._writer = pq.ParquetWriter(out, self._schema, compression="snappy")

    def write(self, chunk: dict[str, list[Any]]) -> None:
        import pyarrow as pa

        arrays = []
        for field, arrow_field in zip(self._fields, self._schema, strict=True):
            values = chunk[field.name]
            if pa.types.is_timestamp(arrow_field.type):
                arrays.append(timestamp_array(values))
            else:
                arrays.append(pa.array(values, arrow_field.type))
        table = pa.Table.from_arrays(arrays, schema=self._schema)
        self._writer.write_table(table, row_group_size=max(1, table.num_rows))

    def close(self) -> None:
        self._writer.close()


def timestamp_array(values: list[Any]) -> Any:
    """Stored timestamps as one ``timestamp[us, tz=UTC]`` array, cast column-wise by Arrow.

    SQLite's naive UTC text casts directly; anything else (aware datetimes from PostgreSQL,
    text with an offset) goes through ``iso_utc`` first.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    target = pa.timestamp("us", tz="UTC")
    if all(v is None or isinstance(v, str) for v in values[:1] + values[-1:]):
        try:
            naive = pc.cast(pa.array(values, pa.string()), pa.timestamp("us"))
            return naive.cast(target)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    return pc.cast(pa.array([iso_utc(v) for v in values], pa.string()), target)


def arrow_schema(fields: Sequence[Field], *, anonymize: bool) -> Any:
    """The Parquet schema for ``fields``."""
    import pyarrow as pa

    types = {
        "int": pa.int64(),
        "float": pa.float64(),
        "str": pa.string(),
        "bool": pa.bool_(),
        "ts": pa.timestamp("us", tz="UTC"),
    }
    return pa.schema([(f.name, types[effective_kind(f, anonymize=anonymize)]) for f in fields])


WRITERS: dict[str, type[CsvWriter] | type[JsonlWriter] | type[ParquetWriter]] = {
    "csv": CsvWriter,
    "jsonl": JsonlWriter,
    "parquet": ParquetWriter,
}
