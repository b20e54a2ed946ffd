"""Reading query plans for full scans."""

from __future__ import annotations

from store.board import full_scans


def test_full_scans__flags_a_table_scan_but_not_an_index_scan() -> None:
    plan = [
        "SCAN case",
        "SCAN case USING INDEX ix_case_queue",
        "SCAN CONSTANT ROW",
        "SEARCH mention USING INTEGER PRIMARY KEY (rowid=?)",
        "SCAN mention",
    ]
    assert full_scans(plan) == ["SCAN case", "SCAN mention"]
