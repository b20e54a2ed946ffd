"""STARTTLS and implicit TLS against local aiosmtpd servers with a throw-away certificate."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from core.errors import Critic2fanError
from critic2fan.settings import Settings
from dashboard.digest import SmtpMailer, run_digest

from .conftest import DAY, ZONE, Inbox, free_port

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    key, crt = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(crt),
        ],
        check=True,
        capture_output=True,
    )
    return key, crt


def _contexts(cert: tuple[Path, Path]) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    key, crt = cert
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(crt, key)
    client = ssl.create_default_context(cafile=str(crt))
    return server, client


@pytest.fixture
def starttls_server(cert: tuple[Path, Path]) -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller

    server_ctx, _ = _contexts(cert)
    inbox = Inbox(port=free_port())
    controller = Controller(
        inbox, hostname="127.0.0.1", port=inbox.port, tls_context=server_ctx, require_starttls=True
    )
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def ssl_server(cert: tuple[Path, Path]) -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller

    server_ctx, _ = _contexts(cert)
    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port, ssl_context=server_ctx)
    controller.start()
    yield inbox
    controller.stop()


@pytest.mark.parametrize(
    ("security", "server"), [("starttls", "starttls_server"), ("ssl", "ssl_server")]
)
def test_send__over_tls(
    day: Engine,
    settings: Settings,
    cert: tuple[Path, Path],
    security: str,
    server: str,
    request: pytest.FixtureRequest,
) -> None:
    inbox: Inbox = request.getfixturevalue(server)
    smtp = settings.smtp.model_copy(update={"port": inbox.port, "security": security})
    _, client_ctx = _contexts(cert)
    mailer = SmtpMailer(smtp, attempts=1, ssl_context=client_ctx, timeout_s=10)
    run_digest(
        day,
        settings.model_copy(update={"smtp": smtp}),
        day=DAY,
        zone=ZONE,
        send=True,
        mailer=mailer,
        now=datetime(2024, 5, 3, 6, tzinfo=UTC),
    )
    assert len(inbox.envelopes) == 1


@pytest.mark.parametrize(
    ("security", "server"), [("starttls", "starttls_server"), ("ssl", "ssl_server")]
)
def test_send__unverifiable_certificate_is_permanent_and_says_so(
    day: Engine,
    settings: Settings,
    security: str,
    server: str,
    request: pytest.FixtureRequest,
) -> None:
    inbox: Inbox = request.getfixturevalue(server)
    smtp = settings.smtp.model_copy(update={"port": inbox.port, "security": security})
    sleeps: list[float] = []
    # the default context trusts the system's issuers, not this self-signed certificate
    mailer = SmtpMailer(smtp, attempts=4, sleep=sleeps.append, timeout_s=10)
    with pytest.raises(Critic2fanError) as caught:
        run_digest(
            day,
            settings.model_copy(update={"smtp": smtp}),
            day=DAY,
            zone=ZONE,
            send=True,
            mailer=mailer,
            now=datetime(2024, 5, 3, 6, tzinfo=UTC),
        )
    message = str(caught.value)
    assert message.startswith("the SMTP server's certificate could not be verified: ")
    assert "self-signed" in message and f"127.0.0.1:{inbox.port} ({security})" in message
    assert "the digest is kept at" in message
    assert sleeps == [] and inbox.envelopes == []
