"""The product report as an export dataset: one row per complaint topic over a window.

Unlike the other datasets it is computed (``scoring.topics.service.report``) rather than read
by one query, so it is one page. ``since``/``until`` set the window (default: the
:data:`~scoring.topics.report.DEFAULT_DAYS` days up to the next whole hour); the previous
window, of the same length, is what the trend compares with.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pyarrow as pa

from core.clock import SYSTEM_CLOCK, Clock
from core.errors import InputError
from dashboard.exports.conform import arrow_schema
from dashboard.exports.fields import Field
from scoring.topics.report import DEFAULT_DAYS, EXAMPLES, ProductReport, ReportWindow

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from store.exports import ExportFilter

PRODUCT_REPORT_FIELDS: tuple[Field, ...] = (
    Field("topic_id", "int", "Internal topic id (kept across re-discovery).", required=True),
    Field("label", "str", "The topic's name (staff's, else from its terms).", required=True),
    Field("window_start", "ts", "The window's start (UTC).", required=True),
    Field("window_end", "ts", "The window's end, exclusive (UTC).", required=True),
    Field("mentions", "int", "Mentions in the window.", required=True),
    Field("previous_mentions", "int", "Mentions in the window before.", required=True),
    Field("change", "float", "(mentions - previous) / previous; empty when none before."),
    Field("trend", "str", "new, rising, steady, falling or gone.", required=True, categorical=True),
    Field("negative_mentions", "int", "Of which the newest score reads negative.", required=True),
    Field("negative_share", "float", "negative_mentions / mentions."),
    Field("authors", "int", "Distinct authors in the window.", required=True),
    Field("reach", "int", "Sum of those authors' followers.", required=True),
    Field("median_followers", "float", "Their median follower count."),
    Field("fans_won_back", "int", "Cases closed as a fan in the window.", required=True),
    *(
        Field(f"example_{i}", "str", f"Example post {i} (one line, as written).")
        for i in range(1, EXAMPLES + 1)
    ),
)


def report_table(report: ProductReport) -> pa.Table:
    """The report's rows as an Arrow table in the dataset's schema."""
    rows = [
        {
            "topic_id": t.topic_id,
            "label": t.label,
            "window_start": report.window.since,
            "window_end": report.window.until,
            "mentions": t.mentions,
            "previous_mentions": t.previous,
            "change": t.change,
            "trend": t.trend,
            "negative_mentions": t.negative,
            "negative_share": t.negative_share,
            "authors": t.authors,
            "reach": t.reach,
            "median_followers": t.median_followers,
            "fans_won_back": t.fans_won_back,
            **{
                f"example_{i}": t.examples[i - 1] if i <= len(t.examples) else None
                for i in range(1, EXAMPLES + 1)
            },
        }
        for t in report.topics
    ]
    schema = arrow_schema(PRODUCT_REPORT_FIELDS, anonymize=False)
    return pa.Table.from_pylist(rows, schema=schema)


def default_until(now: datetime) -> datetime:
    """The next whole hour after ``now`` (so two exports a moment apart write the same file)."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    return hour if hour == now else hour + timedelta(hours=1)


def export_window(flt: ExportFilter, *, clock: Clock = SYSTEM_CLOCK) -> ReportWindow:
    """The window an export's filter asks for; an ``InputError`` for an empty one."""
    if flt.sources:
        raise InputError("the product report has no source to filter by; leave sources out")
    until = flt.until or default_until(clock.now())
    since = flt.since or until - timedelta(days=DEFAULT_DAYS)
    if since >= until:
        raise InputError("the product report's window is empty: --since must be before --until")
    return ReportWindow(since, until)


def compute(engine: Engine, flt: ExportFilter) -> pa.Table:
    """The product report for the export's window, as one page."""
    from scoring.topics.service import report

    return report_table(report(engine, export_window(flt)))
