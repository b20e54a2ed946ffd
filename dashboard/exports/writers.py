"""Format writers: each takes Arrow pages in the export's schema and streams them to a binary file.

* CSV (``pyarrow.csv``, C++): text cells that begin with ``=``, ``+``, ``-``, ``@``, tab or CR
  get a leading single quote so a spreadsheet never runs them as a formula; the guard is one
  vectorised Arrow expression per text column. Numbers are written as numbers and never
  altered. Null is an empty cell; booleans are ``true``/``false``; timestamps ISO 8601 with
  ``+00:00``. RFC 4180: CRLF rows, text cells quoted.
* JSONL: one JSON object per line, UTF-8, no neutralising (JSON is not a formula language).
* Parquet (``pyarrow.parquet.ParquetWriter``): one row group per page, typed columns,
  timestamps as ``timestamp[us, tz=UTC]``, the raw text (no neutralising); snappy, with
  dictionary encoding on the categorical fields only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import BinaryIO, Protocol

import pyarrow as pa
import pyarrow.compute as pc

from dashboard.exports.conform import arrow_schema, iso_text
from dashboard.exports.fields import Field

#: First characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START = r"^[=+\-@\t\r]"  # the same, as an RE2 pattern for Arrow


def neutralise(value: str) -> str:
    """Prefix a single quote when ``value`` would start a spreadsheet formula."""
    if value and value[0] in FORMULA_TRIGGERS:
        return "'" + value
    return value


def neutralise_array(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``neutralise`` on a whole text column, in Arrow's kernels."""
    risky = pc.match_substring_regex(array, _FORMULA_START)
    if not pc.any(risky).as_py():
        return array  # the usual case: nothing to copy
    return pc.if_else(risky, pc.binary_join_element_wise("'", array, ""), array)


class Writer(Protocol):
    """Writes pages of one export; ``close`` finishes the file (but not a caller's stream)."""

    def write(self, page: pa.Table) -> None: ...

    def close(self) -> None: ...


def _as_text_cells(page: pa.Table, *, guard: bool) -> pa.Table:
    """Timestamps as ISO text; with ``guard``, formula-looking text neutralised."""
    columns = []
    for column, field in zip(page.columns, page.schema, strict=True):
        if pa.types.is_timestamp(field.type):
            column = iso_text(column)
        elif guard and pa.types.is_string(field.type):
            column = neutralise_array(column)
        columns.append(column)
    return pa.Table.from_arrays(columns, names=page.column_names)


class CsvWriter:
    """CSV with a header row and formula neutralising on text cells."""

    def __init__(self, out: BinaryIO, fields: Sequence[Field], *, anonymize: bool) -> None:
        import pyarrow.csv as pacsv

        self._out = out
        names = [f.name for f in fields]
        out.write((",".join(names) + "\r\n").encode("utf-8"))
        schema = arrow_schema(fields, anonymize=anonymize)
        text_schema = pa.schema(
            [(f.name, pa.string() if pa.types.is_timestamp(f.type) else f.type) for f in schema]
        )
        options = pacsv.WriteOptions(include_header=False, eol="\r\n", quoting_style="needed")
        self._writer = pacsv.CSVWriter(out, text_schema, write_options=options)

    def write(self, page: pa.Table) -> None:
        self._writer.write_table(_as_text_cells(page, guard=True))

    def close(self) -> None:
        self._writer.close()  # flushes; a caller's stream stays open
        self._out.flush()


class JsonlWriter:
    """One JSON object per row."""

    def __init__(self, out: BinaryIO, fields: Sequence[Field], *, anonymize: bool) -> None:
        self._out = out
        self._encode = json.JSONEncoder(ensure_ascii=False).encode

    def write(self, page: pa.Table) -> None:
        rows = _as_text_cells(page, guard=False).to_pylist()
        if rows:
            text = "\n".join(self._encode(row) for row in rows) + "\n"
            self._out.write(text.encode("utf-8"))

    def close(self) -> None:
        self._out.flush()


class ParquetWriter:
    """Typed Parquet, one row group per page."""

    def __init__(self, out: BinaryIO, fields: Sequence[Field], *, anonymize: bool) -> None:
        import pyarrow.parquet as pq

        self._schema = arrow_schema(fields, anonymize=anonymize)
        # dictionaries only where values repeat: on ids and free text they cost time and bytes
        repeated = [f.name for f in fields if f.categorical]
        self._writer = pq.ParquetWriter(
            out, self._schema, compression="snappy", use_dictionary=repeated or False
        )

    def write(self, page: pa.Table) -> None:
        self._writer.write_table(page, row_group_size=max(1, page.num_rows))

    def close(self) -> None:
        self._writer.close()


WRITERS: dict[str, type[CsvWriter] | type[JsonlWriter] | type[ParquetWriter]] = {
    "csv": CsvWriter,
    "jsonl": JsonlWriter,
    "parquet": ParquetWriter,
}
