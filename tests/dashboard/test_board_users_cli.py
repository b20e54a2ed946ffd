"""``critic2fan users`` and sign-in against the stored argon2 hashes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from dashboard.auth import Permission, authenticate, can
from store.engine import make_engine, session_scope
from store.models import User
from tests.cli_helpers import run_cli

PASSWORD = "s3cret-enough"


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'u.db'}"
    monkeypatch.setenv("CRITIC2FAN_DATABASE_URL", url)
    assert run_cli("db", "upgrade").code == 0
    return url


def _add(monkeypatch: pytest.MonkeyPatch, *args: str, password: str = PASSWORD) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    result = run_cli("users", "add", *args, "--password-stdin")
    return result.code


def test_users_add__stores_an_argon2_hash_that_signs_in(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _add(monkeypatch, "Maya", "--role", "lead", "--name", "Maya K", "--email", "m@x.io") == 0
    engine = make_engine(cli_db)
    with session_scope(engine) as s:
        user = s.scalar(select(User).where(User.username == "maya"))
    assert user is not None and user.role == "lead" and user.email == "m@x.io"
    assert user.password_hash.startswith("$argon2id$") and "s3cret" not in user.password_hash
    assert authenticate(engine, "maya", "s3cret-enough") is not None
    assert authenticate(engine, "maya", "wrong-password") is None
    assert authenticate(engine, "nobody", "s3cret-enough") is None


def test_users_list__shows_accounts_but_never_hashes(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(monkeypatch, "ana", "--role", "analyst")
    result = run_cli("users", "list")
    assert result.code == 0 and "ana" in result.out and "analyst" in result.out
    assert "argon2" not in result.out


def test_users_disable__stops_sign_in(cli_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _add(monkeypatch, "bob")
    assert run_cli("users", "disable", "bob").code == 0
    assert authenticate(make_engine(cli_db), "bob", "s3cret-enough") is None
    assert "no" in run_cli("users", "list").out.splitlines()[1]
    assert run_cli("users", "enable", "bob").code == 0
    assert authenticate(make_engine(cli_db), "bob", "s3cret-enough") is not None


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (("bob", "--role", "boss"), "s3cret-enough", "unknown role"),
        (("<b>bob</b>",), "s3cret-enough", "usernames are"),
        (("bob",), "short", "at least 8"),
    ],
)
def test_users_add__bad_input_is_one_clear_line(
    cli_db: str,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    password: str,
    message: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    result = run_cli("users", "add", *args, "--password-stdin")
    assert result.code != 0 and message in result.err and "Traceback" not in result.err


def test_users_add__duplicate_is_refused(cli_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _add(monkeypatch, "bob") == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another-password\n"))
    result = run_cli("users", "add", "bob", "--password-stdin")
    assert result.code != 0 and "already exists" in result.err


def test_users_disable__unknown_user_is_an_error(cli_db: str) -> None:
    result = run_cli("users", "disable", "ghost")
    assert result.code != 0 and "no user" in result.err


def test_users_role__changes_the_role_and_refuses_unknown_ones(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(monkeypatch, "bob")
    assert run_cli("users", "role", "bob", "lead").code == 0
    user = authenticate(make_engine(cli_db), "bob", PASSWORD)
    assert user is not None and user.role == "lead"

    bad = run_cli("users", "role", "bob", "boss")
    assert bad.code != 0 and "unknown role" in bad.err and "Traceback" not in bad.err
    ghost = run_cli("users", "role", "ghost", "agent")
    assert ghost.code != 0 and "no user" in ghost.err


def test_roles__grant_what_the_issue_says() -> None:
    assert can("analyst", Permission.EXPORT) and not can("analyst", Permission.WORK_CASES)
    assert can("agent", Permission.WORK_CASES) and not can("agent", Permission.APPROVE_GOODWILL)
    assert can("lead", Permission.APPROVE_GOODWILL) and can("lead", Permission.SWITCH_INCIDENT)
    assert not can("lead", Permission.MANAGE_USERS) and can("admin", Permission.MANAGE_USERS)
    assert not can("intruder", Permission.READ)
