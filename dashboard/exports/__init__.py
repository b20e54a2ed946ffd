"""Analyst exports: mentions with their latest score and case stage, as CSV, JSONL or Parquet.

Streams in chunks with flat memory; see ``docs/exports.md``.
"""

from dashboard.exports.api import DEFAULT_CHUNK_SIZE, export_rows
from dashboard.exports.fields import FIELDS, FORMATS, Field, resolve_fields
from dashboard.exports.readback import read_export
from dashboard.exports.writers import neutralise

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "FIELDS",
    "FORMATS",
    "Field",
    "export_rows",
    "neutralise",
    "read_export",
    "resolve_fields",
]
