"""Signing in to the board: lockout, audit trail, sessions that end; and demo mode."""

from __future__ import annotations

from datetime import timedelta

import pytest
from streamlit import config
from streamlit.proto.TextInput_pb2 import TextInput as TextInputProto
from streamlit.testing.v1 import AppTest

from core.clock import utcnow
from dashboard.auth import set_active, set_role
from store.signins import recent_sign_in_events
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


def test_board__failed_sign_ins_lock_the_account_across_reloads(board_db: BoardData) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    for _ in range(4):
        _sign_in(at, "alice", "nope")
        assert any("Wrong username or password" in e.value for e in at.error)
    _sign_in(at, "alice", "nope")
    assert any("Too many failed sign-ins" in e.value for e in at.error)

    reloaded = AppTest.from_file(APP, default_timeout=60).run()
    _sign_in(reloaded, "alice", PASSWORD)
    assert any("Too many failed sign-ins" in e.value for e in reloaded.error)
    assert not reloaded.dataframe

    other = AppTest.from_file(APP, default_timeout=60).run()
    _sign_in(other, "bob", PASSWORD)
    assert [t.value for t in other.title] == ["Queue"]
    assert _kinds(board_db) == ["failed"] * 5 + ["locked", "signed_in"]


def test_board__failed_sign_ins_lock_the_address_for_every_name(
    board_db: BoardData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRITIC2FAN_BOARD__MAX_FAILURES_PER_ADDRESS", "3")
    at = AppTest.from_file(APP, default_timeout=60).run()
    for name in ("alice", "bob", "nobody"):
        _sign_in(at, name, "nope")

    reloaded = AppTest.from_file(APP, default_timeout=60).run()
    assert any("Too many failed sign-ins" in e.value for e in reloaded.error)
    assert not reloaded.text_input

    monkeypatch.setattr("dashboard.app.client_address", lambda: "203.0.113.9")
    elsewhere = AppTest.from_file(APP, default_timeout=60).run()
    _sign_in(elsewhere, "lena", PASSWORD)
    assert [t.value for t in elsewhere.title] == ["Queue"]


def test_board__a_disabled_accounts_open_session_ends_at_its_next_click(
    board_db: BoardData,
) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    _sign_in(at, "alice", PASSWORD)
    assert [t.value for t in at.title] == ["Queue"]

    set_active(board_db.engine, "alice", active=False)
    at.run()

    assert [t.value for t in at.title] == ["critic2fan board"]
    assert any("account was disabled" in i.value for i in at.info)
    assert not at.dataframe
    assert _kinds(board_db) == ["signed_in", "ended"]


def test_board__a_role_change_takes_effect_at_the_next_click(board_db: BoardData) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    _sign_in(at, "ana", PASSWORD)
    with pytest.raises(ValueError):
        at.switch_page(str(VIEWS / "users.py"))

    set_role(board_db.engine, "ana", "admin")
    at.run()

    assert any("Signed in as Ana (ana, admin)" in t for t in texts(at))
    at.switch_page(str(VIEWS / "users.py")).run()
    assert [t.value for t in at.title] == ["Users"]


@pytest.mark.parametrize(("idle_hours", "ends"), [(9.0, True), (7.0, False)])
def test_board__an_idle_session_ends_after_the_default_eight_hours(
    board_db: BoardData, idle_hours: float, ends: bool
) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    _sign_in(at, "alice", PASSWORD)

    at.session_state["board_seen_at"] = utcnow() - timedelta(hours=idle_hours)
    at.run()

    titles = [t.value for t in at.title]
    if ends:
        assert titles == ["critic2fan board"]
        assert any("without activity" in i.value for i in at.info)
        assert _kinds(board_db) == ["signed_in", "expired"]
    else:
        assert titles == ["Queue"]
        assert utcnow() - at.session_state["board_seen_at"] < timedelta(minutes=1)


def test_board__the_idle_timeout_is_a_setting(
    board_db: BoardData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRITIC2FAN_BOARD__IDLE_TIMEOUT_HOURS", "0.5")
    at = AppTest.from_file(APP, default_timeout=60).run()
    _sign_in(at, "alice", PASSWORD)

    at.session_state["board_seen_at"] = utcnow() - timedelta(hours=1)
    at.run()

    assert [t.value for t in at.title] == ["critic2fan board"]


def test_board__sign_out_is_recorded(board_db: BoardData) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    _sign_in(at, "lena", PASSWORD)
    at.button(key="sign_out").click().run()

    assert [t.value for t in at.title] == ["critic2fan board"]
    assert _kinds(board_db) == ["signed_in", "signed_out"]


def test_board__the_script_refuses_demo_mode_on_all_interfaces(
    board_db: BoardData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRITIC2FAN_BOARD_DEMO", "1")
    config.set_option("server.address", "0.0.0.0")
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
    finally:
        config.set_option("server.address", None)
    assert any("loopback" in e.value for e in at.error)
    assert not at.warning and not at.dataframe


def test_board__the_script_refuses_demo_mode_on_postgresql(
    board_db: BoardData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRITIC2FAN_BOARD_DEMO", "1")
    monkeypatch.setenv("CRITIC2FAN_DATABASE_URL", "postgresql://board@127.0.0.1:1/c2f")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert any("SQLite" in e.value for e in at.error)
    assert not at.dataframe


def _kinds(data: BoardData) -> list[str]:
    with data.engine.connect() as conn:
        return [e.kind for e in reversed(recent_sign_in_events(conn))]


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
