"""The Product report page: topics by volume with trend, reach and examples, and downloads."""

from __future__ import annotations

import io

import pyarrow.parquet as pq

from tests.dashboard.board_helpers import BoardData, markdown_strings, open_page, texts
from tests.dashboard.test_board_topics import with_topics


def test_product_report__lists_topics_by_volume_with_examples(board_db: BoardData) -> None:
    with_topics(board_db)
    at = open_page("product_report", role="analyst")
    assert not at.exception, at.exception

    table = at.dataframe[0].value
    nine = table[table["mentions"] == 9]
    assert len(nine) == 2  # the outage of the last hours and the bill of three days ago
    assert set(nine["before"]) == {0} and set(nine["trend"]) == {"new"}
    assert list(table["mentions"]) == sorted(table["mentions"], reverse=True)
    assert (table["reach"] >= 0).all()
    box = at.selectbox(key="report_topic")
    box.select_index(next(i for i, o in enumerate(box.options) if o.startswith("bad"))).run()
    shown = texts(at)
    assert any(t.startswith("bad outage *again* [here](http://x.example)") for t in shown)
    assert not any("outage" in body for body in markdown_strings(at))  # never as markdown
    labels = [getattr(b, "label", None) for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download PARQUET"]


def test_product_report__agents_see_it_without_downloads(board_db: BoardData) -> None:
    with_topics(board_db)
    at = open_page("product_report", role="agent")
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) >= 2
    assert not at.get("download_button")


def test_product_report__empty_says_so(board_db: BoardData) -> None:
    at = open_page("product_report", role="admin")
    assert not at.exception, at.exception
    assert any("No complaint topics" in i.value for i in at.info)


def test_product_report__the_parquet_download_is_the_report(board_db: BoardData) -> None:
    from datetime import timedelta

    from core.clock import utcnow
    from dashboard.exports import export_rows

    with_topics(board_db)
    buf = io.BytesIO()
    until = utcnow()
    n = export_rows(
        board_db.engine,
        fmt="parquet",
        out=buf,
        dataset="product_report",
        since=until - timedelta(days=7),
        until=until,
    )
    rows = pq.read_table(io.BytesIO(buf.getvalue())).to_pylist()
    assert n == len(rows) >= 2
    assert [r["mentions"] for r in rows].count(9) == 2
    assert [r["mentions"] for r in rows] == sorted((r["mentions"] for r in rows), reverse=True)
    bad = next(r for r in rows if r["label"].startswith("bad"))
    assert bad["trend"] == "new" and bad["negative_share"] == 1.0
    assert bad["example_1"].startswith("bad outage *again*")
