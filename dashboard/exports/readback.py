"""Reading an export back into typed rows: how the round-trip tests check every format.

CSV cells are parsed by each field's kind; an empty cell is ``None`` unless the field is
required (then it is an empty string). Neutralised CSV cells come back with their leading
single quote: the reader cannot tell it from a quote the author typed, so it keeps it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from core.errors import InputError
from dashboard.exports.datasets import dataset as find_dataset
from dashboard.exports.fields import Field, Kind

_CSV_PARSERS: dict[Kind, Callable[[str], Any]] = {
    "int": int,
    "float": float,
    "str": str,
    "bool": lambda v: v == "true",
    "ts": datetime.fromisoformat,
}


def read_export(
    path: Path | str, fmt: str, *, dataset: str = "mentions"
) -> Iterator[dict[str, Any]]:
    """Yield the rows of an export file as dicts with Python values (timestamps aware UTC)."""
    path = Path(path)
    catalogue = {f.name: f for f in find_dataset(dataset).fields}
    if fmt == "parquet":
        yield from _read_parquet(path)
    elif fmt == "jsonl":
        yield from _read_jsonl(path, catalogue)
    elif fmt == "csv":
        yield from _read_csv(path, catalogue)
    else:
        raise InputError(f"unknown export format {fmt!r}")


def _kind_of(field: Field | None, sample: str) -> Kind:
    """A column's kind, from the catalogue and its first non-empty cell."""
    if field is None:
        return "str"
    # an anonymized id is a hex digest, not a number: keep it as text
    if field.kind == "int" and not sample.lstrip("-").isdigit():
        return "str"
    return field.kind


def _read_csv(path: Path, catalogue: dict[str, Field]) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return
        required = [n in catalogue and catalogue[n].required for n in header]
        kinds: list[Kind | None] = [None] * len(header)
        for number, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise InputError(f"expected {len(header)} cells, got {len(row)}", line=number)
            out: dict[str, Any] = {}
            for i, (name, cell) in enumerate(zip(header, row, strict=True)):
                if cell == "":
                    out[name] = "" if required[i] else None
                    continue
                kind = kinds[i]
                if kind is None:
                    kind = kinds[i] = _kind_of(catalogue.get(name), cell)
                out[name] = _CSV_PARSERS[kind](cell)
            yield out


def _read_jsonl(path: Path, catalogue: dict[str, Field]) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"not JSON: {exc.msg}", line=number) from None
            for name, value in row.items():
                field = catalogue.get(name)
                if field is not None and field.kind == "ts" and value is not None:
                    row[name] = datetime.fromisoformat(value)
            yield row


def _read_parquet(path: Path) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as parquet:
        for batch in parquet.iter_batches(batch_size=10_000):
            yield from batch.to_pylist()
