"""Credentials written inside URLs never reach the screen: ``config show``, connection errors,
the CLI's one-line error and its ``--verbose`` log all mask them."""

from __future__ import annotations

import json
import socket

import pytest

from tests.cli_helpers import run_cli

SECRETS = ("pw-secret", "qp-secret", "sslpw-secret", "tok-secret", "user-tok-secret")


def _dead_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _assert_no_secret(text: str) -> None:
    leaked = [secret for secret in SECRETS if secret in text]
    assert not leaked, text


@pytest.fixture
def hostile_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRITIC2FAN_CONFIG", raising=False)
    monkeypatch.setenv(
        "CRITIC2FAN_DATABASE_URL",
        "postgresql://app:pw-secret@db.example/c2f?password=qp-secret&sslpassword=sslpw-secret",
    )
    monkeypatch.setenv(
        "CRITIC2FAN_SOURCES__MASTODON__API_BASE_URL",
        "https://bot:user-tok-secret@mastodon.example/?access_token=tok-secret",
    )
    monkeypatch.setenv(
        "CRITIC2FAN_SOURCES__BLUESKY__APPVIEW_URL", "https://appview.example/?token=tok-secret"
    )


@pytest.mark.usefixtures("hostile_urls")
def test_config_show__masks_credentials_inside_urls_as_json() -> None:
    result = run_cli("config", "show", "--json")

    assert result.code == 0, result.err
    _assert_no_secret(result.out + result.err)
    data = json.loads(result.out)
    assert data["database_url"] == (
        "postgresql://app:***@db.example/c2f?password=***&sslpassword=***"
    )
    assert data["sources"]["mastodon"]["api_base_url"] == (
        "https://bot:***@mastodon.example/?access_token=***"
    )
    assert data["sources"]["bluesky"]["appview_url"] == "https://appview.example/?token=***"


@pytest.mark.usefixtures("hostile_urls")
def test_config_show__masks_credentials_inside_urls_as_text() -> None:
    result = run_cli("config", "show")

    assert result.code == 0, result.err
    _assert_no_secret(result.out + result.err)
    assert 'sources.mastodon.api_base_url = "https://bot:***@mastodon.example/' in result.out
    assert "database_url = " in result.out


@pytest.mark.parametrize("verbose", [(), ("--verbose",)], ids=["quiet", "verbose"])
def test_connection_error__names_the_database_without_its_credentials(
    monkeypatch: pytest.MonkeyPatch, verbose: tuple[str, ...]
) -> None:
    port = _dead_port()
    url = (
        f"postgresql://app:pw-secret@127.0.0.1:{port}/c2f"
        "?password=qp-secret&sslpassword=sslpw-secret&connect_timeout=5"
    )
    monkeypatch.delenv("CRITIC2FAN_CONFIG", raising=False)
    monkeypatch.setenv("CRITIC2FAN_DATABASE_URL", url)

    result = run_cli(*verbose, "db", "upgrade")

    assert result.code == 3
    _assert_no_secret(result.out + result.err)
    line = next(ln for ln in result.err.splitlines() if ln.startswith("error: "))
    assert line.startswith(
        f"error: cannot reach the database postgresql+psycopg://app:***@127.0.0.1:{port}/c2f"
    )
    assert "password=***" in line and "sslpassword=***" in line
    if not verbose:
        assert result.err.strip() == line


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (
            "postgresql://app:pw-secret@127.0.0.1:notaport/c2f?password=qp-secret",
            "not a database URL",
        ),
        ("postgresql://app:pw-secret@127.0.0.1:1/c2f?password=qp-secret&bogus=1", "was refused"),
    ],
)
def test_malformed_database_url__is_one_masked_config_error(
    monkeypatch: pytest.MonkeyPatch, url: str, says: str
) -> None:
    monkeypatch.delenv("CRITIC2FAN_CONFIG", raising=False)
    monkeypatch.setenv("CRITIC2FAN_DATABASE_URL", url)

    result = run_cli("db", "upgrade")

    assert result.code == 2
    _assert_no_secret(result.out + result.err)
    assert result.err.startswith("error: ") and says in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_board_process_logs__mask_credentials_in_streamlit_handlers() -> None:
    import io
    import logging

    from critic2fan.board import redact_logs

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("streamlit.board_secrets_test")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        redact_logs("streamlit.board_secrets_test")
        redact_logs("streamlit.board_secrets_test")  # idempotent: wrapped once
        logger.warning("cannot reach postgresql://ops:hunter2@db/c2f?sslpassword=s3cret")
    finally:
        logger.removeHandler(handler)
    line = stream.getvalue()
    assert line.startswith("WARNING cannot reach postgresql://ops:")
    assert "hunter2" not in line and "s3cret" not in line
