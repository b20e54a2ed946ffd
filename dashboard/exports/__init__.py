"""Analyst exports: mentions, cases, case events, the goodwill ledger and topics, as CSV, JSONL or
Parquet.

Streams Arrow pages with flat memory; see ``docs/exports.md``.
"""

from dashboard.exports.api import DEFAULT_CHUNK_SIZE, export_rows
from dashboard.exports.datasets import DATASETS, Dataset
from dashboard.exports.fields import FIELDS, FORMATS, Field, resolve_fields
from dashboard.exports.readback import read_export
from dashboard.exports.writers import neutralise

__all__ = [
    "DATASETS",
    "DEFAULT_CHUNK_SIZE",
    "Dataset",
    "FIELDS",
    "FORMATS",
    "Field",
    "export_rows",
    "neutralise",
    "read_export",
    "resolve_fields",
]
