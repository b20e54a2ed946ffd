"""Product report: the complaint topics for the product team, by volume over a window, with the
trend against the window before, negative share, reach, example posts and fans won back.

The same rows as the digest's section and the ``product_report`` export (CSV, Parquet), which
this page offers as downloads. Labels and example posts come from what people wrote: they are
shown as dataframe cells and plain text, never through markdown.
"""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from core.errors import Critic2fanError
from dashboard.auth import Permission
from dashboard.exports import export_rows
from dashboard.views.common import Board, banners, board, plain, show_error
from scoring.topics.report import ProductReport, ReportWindow
from scoring.topics.service import report

WINDOWS = (7, 14, 28)
MIME = {"csv": "text/csv", "parquet": "application/octet-stream"}


def _table(r: ProductReport) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "topic": t.label,
                "mentions": t.mentions,
                "before": t.previous,
                "trend": t.trend,
                "change": t.change,
                "negative": t.negative_share,
                "authors": t.authors,
                "reach": t.reach,
                "median_followers": t.median_followers,
                "fans_won_back": t.fans_won_back,
            }
            for t in r.topics
        ]
    )


def _downloads(b: Board, window: ReportWindow) -> None:
    stamp = window.until.strftime("%Y%m%d")
    columns = st.columns(len(MIME))
    for column, fmt in zip(columns, MIME, strict=True):
        buf = io.BytesIO()
        try:
            export_rows(
                b.engine,
                fmt=fmt,
                out=buf,
                dataset="product_report",
                since=window.since,
                until=window.until,
            )
        except Critic2fanError as exc:
            show_error(exc)
            return
        column.download_button(
            f"Download {fmt.upper()}",
            data=buf.getvalue(),
            file_name=f"critic2fan-product-report-{stamp}.{fmt}",
            mime=MIME[fmt],
            key=f"product_report_{fmt}",
            on_click="ignore",
        )


def render() -> None:
    """The product report page."""
    b = board()
    banners(b)
    st.title("Product report")
    days = st.selectbox(
        "Window", WINDOWS, format_func=lambda d: f"last {d} days", key="product_report_days"
    )
    window = ReportWindow.ending(b.now(), days=int(days or WINDOWS[0]))
    r = report(b.engine, window)
    if not r.topics:
        st.info(
            "No complaint topics in this window: topics are found in scored mentions by a "
            "discovery run (`critic2fan topics --discover` or the Topics page)."
        )
        return
    total = sum(t.mentions for t in r.topics)
    fans = sum(t.fans_won_back for t in r.topics)
    st.caption(
        f"{total:,} mentions in {len(r.topics)} topics from {window.since:%Y-%m-%d %H:%M} to "
        f"{window.until:%Y-%m-%d %H:%M} UTC, against the {days} days before. Reach is the sum "
        f"of the authors' followers; fans won back: cases closed as a fan in the window with "
        f"a post in the topic ({fans} in all; a case spanning two topics counts in both)."
    )
    st.dataframe(
        _table(r),
        hide_index=True,
        width="stretch",
        column_config={
            "change": st.column_config.NumberColumn("change", format="percent"),
            "negative": st.column_config.NumberColumn("negative", format="percent"),
            "median_followers": st.column_config.NumberColumn("median followers"),
            "fans_won_back": st.column_config.NumberColumn("fans won back"),
        },
    )
    labels = {t.topic_id: f"{t.label} ({t.mentions})" for t in r.topics}
    shown = st.selectbox(
        "Example posts of", list(labels), format_func=labels.__getitem__, key="report_topic"
    )
    chosen = next(t for t in r.topics if t.topic_id == shown)
    for text in chosen.examples:
        plain(text)
    if b.can(Permission.EXPORT):
        _downloads(b, window)


if __name__ == "__main__":
    render()
