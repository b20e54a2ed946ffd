"""Credentials in URLs and messages are masked before anything prints or logs them."""

from __future__ import annotations

import logging
import sys

import pytest

from core.redact import MASK, RedactingFormatter, is_secret_key, mask_url, redact_text

SECRETS = ("s3cret", "qp-secret", "sslpw-secret", "tok-secret", "key-secret")


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (
            "postgresql://bob:s3cret@db.example:5432/app?sslmode=require&password=qp-secret",
            "postgresql://bob:***@db.example:5432/app?sslmode=require&password=***",
        ),
        (
            "postgresql+psycopg://bob@db.example/app?sslpassword=sslpw-secret&PassWord=qp-secret",
            "postgresql+psycopg://bob@db.example/app?sslpassword=***&PassWord=***",
        ),
        (
            "https://alice:tok-secret@mastodon.example/api?access_token=tok-secret&limit=5",
            "https://alice:***@mastodon.example/api?access_token=***&limit=5",
        ),
        ("https://tok-secret@mastodon.example", "https://***@mastodon.example"),
        (
            "https://h.example/cb#access_token=tok-secret&state=x",
            "https://h.example/cb#access_token=***&state=x",
        ),
        ("https://h.example/?api-key=key-secret&page=2", "https://h.example/?api-key=***&page=2"),
        ("https://h.example/?client_secret=s3cret", "https://h.example/?client_secret=***"),
        # SQLAlchemy reads the password up to the first "@": it may hold ? # or /
        ("postgresql://bob:s3c?r#t/x@db/app", "postgresql://bob:***@db/app"),
        (
            "postgresql://bob@db/app?application_name=a@b",
            "postgresql://bob@db/app?application_name=a@b",
        ),
        ("sqlite:///data/critic2fan.db", "sqlite:///data/critic2fan.db"),
        ("wss://jetstream.example/xrpc", "wss://jetstream.example/xrpc"),
        ("host=db password=s3cret", "host=db password=***"),
    ],
)
def test_mask_url__hides_user_info_and_query_credentials(url: str, masked: str) -> None:
    assert mask_url(url) == masked
    assert not any(secret in mask_url(url) for secret in SECRETS)


def test_mask_url__is_idempotent() -> None:
    url = "postgresql://bob:s3cret@db/app?password=qp-secret"
    assert mask_url(mask_url(url)) == mask_url(url)


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("password", True),
        ("sslpassword", True),
        ("access_token", True),
        ("Access-Token", True),
        ("token", True),
        ("api_key", True),
        ("secret", True),
        ("aws_secret", True),
        ("sslmode", False),
        ("limit", False),
        ("application_name", False),
    ],
)
def test_is_secret_key__names_credentials(key: str, secret: bool) -> None:
    assert is_secret_key(key) is secret


def test_redact_text__masks_urls_and_connection_strings_inside_messages() -> None:
    message = (
        "cannot reach the database postgresql://bob:s3cret@db/app?password=qp-secret: "
        "connection failed (dsn 'host=db password=tok-secret'); see "
        '"https://alice:key-secret@example.org/x"'
    )
    redacted = redact_text(message)
    assert not any(secret in redacted for secret in SECRETS)
    assert "postgresql://bob:***@db/app?password=***" in redacted
    assert "password=***" in redacted and "https://alice:***@example.org/x" in redacted
    assert redacted.count(MASK) == 4


def test_redacting_formatter__masks_messages_and_tracebacks() -> None:
    formatter = RedactingFormatter("%(levelname)s %(message)s")
    try:
        raise RuntimeError("no route to postgresql://bob:s3cret@db/app")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "t", logging.WARNING, __file__, 1, "using %s", ("https://h/?token=tok-secret",), exc_info
    )
    line = formatter.format(record)
    assert "WARNING using https://h/?token=***" in line
    assert "RuntimeError: no route to postgresql://bob:***@db/app" in line
    assert not any(secret in line for secret in SECRETS)
