"""Analyst export: mentions, cases, case events, the goodwill ledger or topics, as CSV, JSONL or
Parquet.

Built by ``dashboard.exports.export_rows`` (the same code as ``critic2fan export``), in memory,
then offered as a download. Very large exports belong on the command line.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta

import streamlit as st

from core.errors import Critic2fanError
from core.records import KNOWN_SOURCES
from dashboard.auth import Permission
from dashboard.exports import DATASETS, FORMATS, export_rows
from dashboard.views.common import banners, board, context, require, show_error

MIME = {"csv": "text/csv", "jsonl": "application/x-ndjson", "parquet": "application/octet-stream"}


def render() -> None:
    """The analyst export page."""
    b = board()
    banners(b)
    require(b, Permission.EXPORT)
    st.title("Analyst export")
    st.caption(
        "Mentions (with their newest score and their author's case), cases, case events, the "
        "goodwill ledger, the discovered topics or case counts per topic. "
        "For millions of rows use `critic2fan export` on the server."
    )
    with st.form("export"):
        c0, c1, c2, c3 = st.columns(4)
        name = c0.selectbox(
            "Dataset",
            list(DATASETS),
            key="export_dataset",
            format_func=lambda n: DATASETS[n].noun.capitalize(),
            help="\n\n".join(f"**{d.noun.capitalize()}**: {d.help}" for d in DATASETS.values()),
        )
        fmt = c1.selectbox("Format", list(FORMATS), key="export_fmt")
        today = b.now().date()
        picked = c2.date_input(
            "Between",
            (today - timedelta(days=30), today),
            key="export_dates",
            help="Mentions and topics by creation, cases by opening, events and goodwill by time.",
        )
        days = list(picked) if isinstance(picked, tuple | list) else [picked]
        start = days[0] if days else None
        end = days[-1] if days else None  # one day picked: that day only
        sources = c3.multiselect(
            "Sources (none: all)",
            sorted(KNOWN_SOURCES),
            key="export_src",
            help="Cases, events and goodwill by their case's source; topics have none.",
        )
        anonymize = st.checkbox(
            "Anonymize people (salted hashes of handles and ids)", key="export_anon"
        )
        go = st.form_submit_button("Prepare export", type="primary")
    if go:
        since = datetime.combine(start, time.min, UTC) if start else None
        until = datetime.combine(end, time.min, UTC) + timedelta(days=1) if end else None
        chosen = DATASETS[str(name)]
        buf = io.BytesIO()
        try:
            with st.status("Exporting…", expanded=False) as status:
                rows = export_rows(
                    b.engine,
                    fmt=str(fmt),
                    out=buf,
                    dataset=chosen.name,
                    since=since,
                    until=until,
                    sources=sources,
                    anonymize=anonymize,
                    salt=context().secret_key if anonymize else None,
                )
                status.update(label=f"Exported {rows:,} {chosen.noun}", state="complete")
        except Critic2fanError as exc:
            show_error(exc)
            return
        stamp = b.now().strftime("%Y%m%d-%H%M")
        file_name = f"critic2fan-{chosen.name.replace('_', '-')}-{stamp}.{fmt}"
        st.session_state["export_file"] = (file_name, buf.getvalue())
    ready = st.session_state.get("export_file")
    if ready:
        name, data = ready
        st.download_button(
            f"Download {name} ({len(data) / 1e6:.1f} MB)",
            data=data,
            file_name=name,
            mime=MIME.get(name.rsplit(".", 1)[-1], "application/octet-stream"),
            key="export_download",
            on_click="ignore",
        )


if __name__ == "__main__":
    render()
