"""The real board in a real browser: sign in, open the queue and a case, record a reply; a
disabled account's open queue goes back to the sign-in form by itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.auth import set_active
from store.signins import recent_sign_in_events
from tests.dashboard.board_browser import CHROMIUM, chromium_page, running_board, wait_idle
from tests.dashboard.board_helpers import HOSTILE, PASSWORD, BoardData

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
    ),
]

ROW_PX = 35  # Streamlit's dataframe header and row height
REPLY = "Thanks for bearing with us: the sync fix ships today."


def test_browser__sign_in_open_case_record_reply(board_db: BoardData, tmp_path: Path) -> None:
    dialogs: list[str] = []
    with (
        running_board(board_db.url, demo=False, log_path=tmp_path / "board.log") as base,
        chromium_page() as page,
    ):
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(base)
        page.get_by_role("textbox", name="Username").fill("alice")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Queue").wait_for(timeout=30_000)
        wait_idle(page)
        # the first (highest-priority) case is the one with hostile texts
        page.get_by_role("button", name="Open case").click()
        page.get_by_role("heading", name=f"Case #{board_db.hostile_case_id}").wait_for()
        wait_idle(page)
        for payload in HOSTILE:
            assert page.get_by_text(payload).first.is_visible()  # shown literally
        assert page.locator("[data-testid='stMain'] img[src='x']").count() == 0
        box = page.get_by_label("Reply (suggested, edit freely)")
        box.fill(REPLY)
        page.get_by_role("button", name="Record reply").click()
        page.get_by_text("Reply recorded.").wait_for(timeout=30_000)
        wait_idle(page)
        assert page.get_by_text(REPLY, exact=True).first.is_visible()
        assert page.get_by_text("reply · user:alice").first.is_visible()
        # back in the queue, clicking a row (its selection cell) opens that case too
        page.get_by_role("link", name="Queue").click()
        page.get_by_role("heading", name="Queue").wait_for()
        wait_idle(page)
        grid = page.locator("[data-testid='stDataFrame']").first.bounding_box()
        assert grid is not None
        page.mouse.click(grid["x"] + 12, grid["y"] + ROW_PX + ROW_PX // 2)  # first data row
        page.get_by_role("heading", name=f"Case #{board_db.hostile_case_id}").wait_for()
    assert dialogs == []  # no script from a mention ever ran


def test_browser__an_open_queue_returns_to_sign_in_when_the_account_is_disabled(
    board_db: BoardData, tmp_path: Path
) -> None:
    with (
        running_board(
            board_db.url, demo=False, log_path=tmp_path / "board.log", refresh_seconds=2
        ) as base,
        chromium_page() as page,
    ):
        page.goto(base)
        page.get_by_role("textbox", name="Username").fill("bob")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Queue").wait_for(timeout=30_000)
        wait_idle(page)

        set_active(board_db.engine, "bob", active=False)
        # no click: the queue's own refresh finds the session ended
        page.get_by_text("your account was disabled or removed").wait_for(timeout=30_000)
        assert page.get_by_role("button", name="Sign in").is_visible()
    with board_db.engine.connect() as conn:
        events = [(e.kind, e.username, e.address) for e in recent_sign_in_events(conn)]
    assert events == [("ended", "bob", "local"), ("signed_in", "bob", "local")]
