"""Playbook: the active playbook, read-only, and a validator for an uploaded one.

An uploaded file is checked with the same loader the engine uses, but never in the board's
process: :func:`playbooks.isolated.validate_isolated` runs it in a child process with CPU-time
and memory limits. Only leads and admins may upload one, and nothing uploaded becomes active
from here: deploying a playbook is a configuration change.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from dashboard.auth import Permission
from dashboard.views.common import Board, banners, board, context, playbook, require
from playbooks.isolated import validate_isolated
from playbooks.loader import DEFAULT_PLAYBOOK
from playbooks.schema import Playbook

MAX_UPLOAD_BYTES = 2_000_000


def active_path() -> Path:
    """The playbook file the product runs (the configured one, else the bundled default)."""
    return context().playbook_path or DEFAULT_PLAYBOOK


def summary(pb: Playbook) -> None:
    """The playbook's main numbers as tables (values are plain cells)."""
    c = st.columns(4)
    c[0].metric("Topics", len(pb.topics))
    c[1].metric("Templates", sum(len(t) for t in pb.templates.values()))
    c[2].metric("Facts", len(pb.facts.facts))
    c[3].metric("Goodwill per case", f"{pb.goodwill.per_case:g} {pb.goodwill.currency}")
    rows = [
        {"setting": f"{section}.{key}", "value": str(value)}
        for section in ("thresholds", "sla_minutes", "goodwill", "walk_away", "escalation")
        for key, value in getattr(pb, section).model_dump().items()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def validate_upload(b: Board, playbook_file: UploadedFile, facts_file: UploadedFile | None) -> None:
    """Check an uploaded playbook (and facts) in a limited child process; report the outcome."""
    require(b, Permission.VALIDATE_PLAYBOOK)
    for f in (playbook_file, facts_file):
        if f is not None and f.size > MAX_UPLOAD_BYTES:
            st.error(f"That file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB.")
            return
    with tempfile.TemporaryDirectory(prefix="critic2fan-playbook-") as tmp:
        path = Path(tmp) / "playbook.yaml"
        path.write_bytes(playbook_file.getvalue())
        facts_path = None
        if facts_file is not None:
            facts_path = Path(tmp) / "facts.yaml"
            facts_path.write_bytes(facts_file.getvalue())
        elif context().facts_path:
            facts_path = context().facts_path
        else:
            facts_path = active_path().parent / playbook().facts_file
        with st.spinner("Checking the playbook..."):
            result = validate_isolated(path, facts_path)
    if not result.ok:
        st.error("This playbook is not valid:")
        st.code(result.message.replace(tmp + "/", ""), language=None)
        return
    st.success(
        f"Valid: {result.topics} topics, {result.templates} templates, {result.facts} facts."
    )


def render() -> None:
    """The playbook page."""
    b = board()
    banners(b)
    st.title("Playbook")
    pb = playbook()
    path = active_path()
    st.text(f"Active playbook: {path}")
    summary(pb)
    with st.expander("The playbook file (read-only)"):
        st.code(path.read_text(encoding="utf-8", errors="replace"), language="yaml")
    st.subheader("Check a playbook before deploying it")
    if not b.can(Permission.VALIDATE_PLAYBOOK):
        st.info("Leads and admins can check a playbook here before it is deployed.")
        return
    up = st.file_uploader("Playbook YAML", type=["yaml", "yml"], key="pb_upload")
    facts = st.file_uploader(
        "Facts YAML (optional; default: the active facts library)",
        type=["yaml", "yml"],
        key="pb_facts_upload",
    )
    if up is not None and st.button("Validate", key="pb_validate", type="primary"):
        validate_upload(b, up, facts)


if __name__ == "__main__":
    render()
