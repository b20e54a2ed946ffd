"""The Overview lists the week's coverage gaps that no search has covered since."""

from __future__ import annotations

from datetime import timedelta

from core.clock import utcnow
from store.gaps import mark_backfilled, record_gap
from tests.dashboard.board_helpers import BoardData, open_page


def test_overview__lists_gaps_not_backfilled(board_db: BoardData) -> None:
    now = utcnow()
    with board_db.engine.begin() as conn:
        record_gap(
            conn, source="x:mentions", start=now - timedelta(days=9), end=now - timedelta(days=2),
            reason="the saved position is older than recent search's 7 days", now=now,
        )  # fmt: skip
        done = record_gap(
            conn, source="reddit:comments", start=now - timedelta(hours=2),
            end=now - timedelta(hours=1), reason="listing outran its polls", now=now,
        )  # fmt: skip
        mark_backfilled(conn, gap_id=done, now=now)
        record_gap(
            conn, source="mastodon:tag:old", start=now - timedelta(days=12),
            end=now - timedelta(days=10), reason="long ago", now=now,
        )  # fmt: skip
    at = open_page("overview", role="agent")

    assert not at.exception
    notices = [w.value for w in at.warning if "Coverage gaps" in w.value]
    assert len(notices) == 1
    assert "x\\:mentions" in notices[0] and "(1)" in notices[0]  # markdown-escaped
    assert "reddit:comments" not in notices[0] and "mastodon" not in notices[0]


def test_overview__no_gap_no_notice(board_db: BoardData) -> None:
    at = open_page("overview", role="agent")

    assert not at.exception
    assert not [w for w in at.warning if "Coverage gaps" in w.value]
