"""The exportable datasets: a name, its columns and its read.

Each entry pairs a catalogue of ``Field``s (``dashboard.exports.fields``) with the store's query
of the same name (``store.exports.QUERIES``), which selects those fields as labelled columns.
Adding a dataset is one ``Dataset`` here, its fields, and one ``ExportQuery`` in the store; the
CLI's ``--dataset``, the board's picker, the writers, the guard and anonymizing follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.errors import InputError
from dashboard.exports.fields import (
    CASE_EVENT_FIELDS,
    CASE_FIELDS,
    CASE_TOPIC_FIELDS,
    GOODWILL_FIELDS,
    MENTION_FIELDS,
    TOPIC_FIELDS,
    Field,
)
from dashboard.exports.product_report import PRODUCT_REPORT_FIELDS
from dashboard.exports.product_report import compute as product_report
from store.exports import QUERIES, ExportFilter, ExportQuery

if TYPE_CHECKING:
    import pyarrow as pa
    from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class Dataset:
    """One export: what a row is, what it holds, what ``since``/``until`` bound, its columns."""

    name: str
    noun: str
    help: str
    bounds: str
    fields: tuple[Field, ...]
    #: A dataset computed from the store (one page) rather than read by ``QUERIES[name]``.
    compute: Callable[[Engine, ExportFilter], pa.Table] | None = None

    @property
    def query(self) -> ExportQuery:
        """The store's read for this dataset."""
        return QUERIES[self.name]


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "mentions",
            "mentions",
            "Mentions with their author, newest score and the author's case.",
            "created_at",
            MENTION_FIELDS,
        ),
        Dataset(
            "cases",
            "cases",
            "Cases with their critic, stage, outcome and SLA.",
            "opened_at",
            CASE_FIELDS,
        ),
        Dataset(
            "case_events",
            "case events",
            "Every case's audit trail: who did what, when and why.",
            "at",
            CASE_EVENT_FIELDS,
        ),
        Dataset(
            "goodwill",
            "goodwill entries",
            "The goodwill ledger: every refund, credit or gift, on which case.",
            "at",
            GOODWILL_FIELDS,
        ),
        Dataset(
            "topics",
            "topics",
            "The complaint topics found in the mentions: terms, size, mentions assigned now.",
            "created_at",
            TOPIC_FIELDS,
        ),
        Dataset(
            "case_topics",
            "case topics",
            "Case counts per case topic: open, fans, walk-aways, goodwill spent.",
            "the cases' opened_at",
            CASE_TOPIC_FIELDS,
        ),
        Dataset(
            "product_report",
            "report topics",
            "The product report: per complaint topic, volume and trend against the window "
            "before, negative share, reach, example posts and fans won back.",
            "the report's window (default: the last 7 days)",
            PRODUCT_REPORT_FIELDS,
            compute=product_report,
        ),
    )
}


def dataset(name: str) -> Dataset:
    """The dataset called ``name``; an ``InputError`` naming the known ones otherwise."""
    found = DATASETS.get(name.strip().lower().replace("-", "_"))
    if found is None:
        raise InputError(f"unknown export dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return found
