"""Signing in to the board, and demo mode."""

from __future__ import annotations

import pytest
from streamlit.proto.TextInput_pb2 import TextInput as TextInputProto
from streamlit.testing.v1 import AppTest

from tests.dashboard.board_helpers import APP, PASSWORD, VIEWS, BoardData, open_page, texts

PAGES = ("queue", "case", "overview", "people", "fairness", "playbook", "export")


def _sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="sign_in_username").input(username)
    at.text_input(key="sign_in_password").input(password)
    return at.button[0].click().run()


def test_board__refuses_access_without_sign_in(board_db: BoardData) -> None:
    at = open_page("queue", role=None)
    assert [t.value for t in at.title] == ["critic2fan board"]
    assert not at.dataframe
    assert at.text_input(key="sign_in_password").proto.type == TextInputProto.PASSWORD


def test_board__signs_in_with_the_right_password(board_db: BoardData) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    _sign_in(at, "alice", PASSWORD)
    assert not at.exception
    assert [t.value for t in at.title] == ["Queue"]
    assert any("Signed in as Alice (alice, agent)" in t for t in texts(at))


def test_board__wrong_password_or_disabled_user_is_refused(board_db: BoardData) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    _sign_in(at, "alice", "not the password")
    assert any("Wrong username or password" in e.value for e in at.error)
    assert not at.dataframe


def test_board__too_many_failures_lock_the_session(board_db: BoardData) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    for _ in range(5):
        _sign_in(at, "alice", "nope")
    at.run()
    assert any("Too many failed sign-ins" in e.value for e in at.error)
    assert not at.text_input


@pytest.mark.parametrize("page", PAGES)
def test_board__demo_mode_needs_no_sign_in_and_says_so_on_every_page(
    board_db: BoardData, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    monkeypatch.setenv("CRITIC2FAN_BOARD_DEMO", "1")
    at = open_page(page, role=None)
    assert not at.exception
    assert any("Demo mode" in w.value for w in at.warning)


def test_board__analyst_has_no_users_page_and_admin_has(board_db: BoardData) -> None:
    analyst = open_page("queue", role="analyst")
    with pytest.raises(ValueError):
        analyst.switch_page(str(VIEWS / "users.py"))
    admin = open_page("users", role="admin")
    assert not admin.exception
