"""Sending the digest to a real local SMTP server (aiosmtpd), and what happens when it is down."""

from __future__ import annotations

import logging
import smtplib
import ssl
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from core.backoff import Backoff
from core.errors import ConfigError, Critic2fanError
from critic2fan.settings import Settings
from dashboard.digest import SmtpMailer, archive_path, recipients_for, run_digest
from dashboard.digest.send import is_transient

from .conftest import DAY, IMG, SCRIPT, ZONE, Inbox, free_port

NOW = datetime(2024, 5, 3, 6, tzinfo=UTC)


def _point_at(settings: Settings, port: int, **smtp: Any) -> Settings:
    return settings.model_copy(
        update={"smtp": settings.smtp.model_copy(update={"port": port, **smtp})}
    )


def _fast(settings: Settings, sleeps: list[float], attempts: int = 3) -> SmtpMailer:
    return SmtpMailer(
        settings.smtp,
        attempts=attempts,
        backoff=Backoff(base=1.0, cap=30.0),
        sleep=sleeps.append,
        timeout_s=5,
    )


def _parts(raw: bytes) -> EmailMessage:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_send__digest_arrives_with_text_html_and_charts(
    day: Engine, settings: Settings, smtp_server: Inbox
) -> None:
    settings = _point_at(settings, smtp_server.port)
    run = run_digest(day, settings, day=DAY, zone=ZONE, send=True, now=NOW)
    (envelope,) = smtp_server.envelopes
    assert envelope.mail_from == "digest@brand.example"
    # configured addresses first, then active lead users; Lena only once; inactive and
    # agent users left out
    assert envelope.rcpt_tos == ["boss@brand.example", "LENA@brand.example"]
    msg = _parts(envelope.content)
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Subject"].strip().startswith("Brightloop digest 2024-05-02: 3 new critics")
    text = msg.get_body(("plain",))
    html_part = msg.get_body(("html",))
    assert text is not None and html_part is not None
    assert "NEW CRITICS (3)" in text.get_content()
    related = [p for p in msg.walk() if p.get_content_type() == "multipart/related"]
    assert len(related) == 1
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 2
    html = html_part.get_content()
    for image in images:
        cid = image["Content-ID"].strip("<>")
        assert f"cid:{cid}" in html
        assert image.get_content().startswith(b"\x89PNG")
    assert SCRIPT not in html and IMG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert run.path == archive_path(settings, DAY, "lead") and run.path.is_file()


def test_send__server_down_retries_with_backoff_then_fails_clearly(
    day: Engine, settings: Settings
) -> None:
    settings = _point_at(settings, free_port())  # nobody listens there
    sleeps: list[float] = []
    with pytest.raises(Critic2fanError) as caught:
        run_digest(
            day,
            settings,
            day=DAY,
            zone=ZONE,
            send=True,
            now=NOW,
            mailer=_fast(settings, sleeps, attempts=4),
        )
    message = str(caught.value)
    kept = archive_path(settings, DAY, "lead")
    assert "after 4 attempts" in message and f"kept at {kept}" in message
    assert sleeps == sorted(sleeps) and len(sleeps) == 3 and sleeps[-1] > sleeps[0]
    assert _parts(kept.read_bytes())["Subject"].strip().startswith("Brightloop digest")


class _Flaky(Inbox):
    """Refuses the first ``fails`` messages with a temporary error."""

    fails = 2

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.fails:
            self.fails -= 1
            return "451 4.3.0 try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def flaky_server() -> Iterator[_Flaky]:
    from aiosmtpd.controller import Controller

    inbox = _Flaky(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


def test_send__temporary_refusals_are_retried_until_accepted(
    day: Engine, settings: Settings, flaky_server: _Flaky
) -> None:
    settings = _point_at(settings, flaky_server.port)
    sleeps: list[float] = []
    run_digest(
        day,
        settings,
        day=DAY,
        zone=ZONE,
        send=True,
        now=NOW,
        mailer=_fast(settings, sleeps, attempts=3),
    )
    assert len(flaky_server.envelopes) == 1 and len(sleeps) == 2


@pytest.fixture
def auth_server() -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = data.login == b"digest" and data.password == b"hunter2-secret"
        return AuthResult(success=ok, handled=False)

    inbox = Inbox(port=free_port())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # AUTH without TLS is fine on loopback in a test
        controller = Controller(
            inbox,
            hostname="127.0.0.1",
            port=inbox.port,
            authenticator=check,
            auth_require_tls=False,
        )
        controller.start()
    yield inbox
    controller.stop()


def test_send__logs_in_and_never_logs_the_password(
    day: Engine, settings: Settings, auth_server: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good = _point_at(
        settings,
        auth_server.port,
        username="digest",
        password=SecretStr("hunter2-secret"),
        allow_plaintext_auth=True,
    )
    run_digest(day, good, day=DAY, zone=ZONE, send=True, now=NOW, mailer=_fast(good, []))
    assert len(auth_server.envelopes) == 1
    assert "sending SMTP credentials without TLS" in caplog.text
    bad = _point_at(
        settings,
        auth_server.port,
        username="digest",
        password=SecretStr("wrong-secret"),
        allow_plaintext_auth=True,
    )
    sleeps: list[float] = []
    with pytest.raises(ConfigError, match="refused the credentials of user 'digest'") as caught:
        run_digest(day, bad, day=DAY, zone=ZONE, send=True, now=NOW, mailer=_fast(bad, sleeps))
    assert sleeps == []  # refused credentials are not retried
    for secret in ("hunter2-secret", "wrong-secret"):
        assert secret not in caplog.text and secret not in str(caught.value)


def test_send__refuses_a_password_without_tls_before_connecting(
    day: Engine, settings: Settings, auth_server: Inbox
) -> None:
    plain = _point_at(
        settings, auth_server.port, username="digest", password=SecretStr("hunter2-secret")
    )
    assert plain.smtp.security == "none" and not plain.smtp.allow_plaintext_auth
    sleeps: list[float] = []
    with pytest.raises(ConfigError, match="smtp.allow_plaintext_auth = true") as caught:
        run_digest(day, plain, day=DAY, zone=ZONE, send=True, now=NOW, mailer=_fast(plain, sleeps))
    assert "unencrypted" in str(caught.value) and "hunter2-secret" not in str(caught.value)
    assert auth_server.envelopes == [] and sleeps == []


def test_send__plaintext_refusal_comes_before_any_connection(settings: Settings) -> None:
    # nobody listens on this port: a connection attempt would be a retried connection error
    plain = _point_at(settings, free_port(), username="digest", password=SecretStr("pw"))
    sleeps: list[float] = []
    msg = EmailMessage()
    with pytest.raises(ConfigError, match="security is 'none' but smtp.username is set"):
        _fast(plain, sleeps).send(msg, ["a@b.example"])
    assert sleeps == []


def _wrapped_cert_failure() -> BaseException:
    cert = ssl.SSLCertVerificationError(1, "certificate verify failed")
    try:
        try:
            raise cert
        except ssl.SSLError as inner:
            raise smtplib.SMTPServerDisconnected("handshake failed") from inner
    except smtplib.SMTPServerDisconnected as outer:
        return outer


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPDataError(451, b"later"), True),
        (smtplib.SMTPDataError(554, b"no"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad"), False),
        (smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"unknown")}), False),
        (ssl.SSLCertVerificationError(1, "certificate verify failed"), False),
        (_wrapped_cert_failure(), False),
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), False),
        (ssl.SSLEOFError(8, "EOF occurred in violation of protocol"), True),
    ],
)
def test_is_transient__classifies_smtp_failures(exc: BaseException, transient: bool) -> None:
    assert is_transient(exc) is transient


def test_recipients__none_for_role_is_a_clear_error(day: Engine, settings: Settings) -> None:
    with pytest.raises(ConfigError, match="no recipients for role 'analyst'"):
        recipients_for(day, settings, "analyst")
    assert recipients_for(day, settings, "agent") == ("ann@brand.example",)


def test_recipients__malformed_addresses_are_skipped(day: Engine, settings: Settings) -> None:
    smtp = settings.smtp.model_copy(
        update={"recipients": {"lead": ["not-an-address", "x@y.z\r\nBcc: evil@x.y"]}}
    )
    assert recipients_for(day, settings.model_copy(update={"smtp": smtp}), "lead") == (
        "lena@brand.example",
    )


def test_out__writes_a_parseable_eml_without_sending(
    day: Engine, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "d.eml"
    run = run_digest(day, settings, day=DAY, zone=ZONE, out=out, now=NOW)
    assert not run.sent and run.recipients == ()
    msg = _parts(out.read_bytes())
    assert msg["To"] == "undisclosed-recipients:;"
    assert len([p for p in msg.walk() if p.get_content_type() == "image/png"]) == 2
