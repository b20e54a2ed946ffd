"""Sending the digest over SMTP (STARTTLS, SSL or plain), with retries and backoff.

Transient failures (connection refused or dropped, timeouts, 4xx replies) are retried with the
product's one jittered exponential :class:`~core.backoff.Backoff`; the backoff and the sleep are
injectable so tests run fast.
Permanent ones (refused credentials, 5xx, a certificate that cannot be verified, any other TLS
handshake failure) stop at once. Credentials are ``SecretStr`` and are never logged: log lines
name the server and the user, nothing more. A password is never sent over an unencrypted
connection (``security = "none"``) unless ``smtp.allow_plaintext_auth`` says so: that setup is
refused before connecting.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol

from core.backoff import Backoff
from core.config import SmtpSettings
from core.errors import ConfigError, Critic2fanError

log = logging.getLogger(__name__)


class Mailer(Protocol):
    """Anything that can deliver a message (the SMTP mailer, or a fake in tests)."""

    def send(self, msg: EmailMessage, recipients: Sequence[str]) -> None: ...


# TLS failures that are a dropped connection rather than a refusal: worth another try.
_SSL_DROPPED = (ssl.SSLEOFError, ssl.SSLZeroReturnError, ssl.SSLSyscallError)


def is_transient(exc: BaseException) -> bool:
    """Worth another try: network trouble, a dropped session, or a 4xx reply.

    A certificate that cannot be verified, or a TLS handshake the server refuses, will fail
    the same way next time: permanent, even when smtplib wraps it in another error.
    """
    if cert_failure(exc) is not None or _tls_refused(exc):
        return False
    if isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPNotSupportedError):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | OSError)


def cert_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification failure behind ``exc``, if any (followed through
    ``__cause__`` and ``__context__``, as smtplib may raise another error on top of it)."""
    for link in _chain(exc):
        if isinstance(link, ssl.SSLCertVerificationError):
            return link
    return None


def check_security(settings: SmtpSettings) -> None:
    """Refuse, before connecting, a setup that would send the password in clear text."""
    if not settings.username:
        return
    if settings.password is None:
        raise ConfigError("smtp.username is set but smtp.password is not")
    if settings.security == "none" and not settings.allow_plaintext_auth:
        raise ConfigError(
            f"smtp.security is 'none' but smtp.username is set: the password would cross "
            f"the network to {settings.host}:{settings.port} unencrypted; use security = "
            "'starttls' or 'ssl', or set smtp.allow_plaintext_auth = true for a trusted relay"
        )


def _tls_refused(exc: BaseException) -> bool:
    return any(
        isinstance(link, ssl.SSLError) and not isinstance(link, _SSL_DROPPED)
        for link in _chain(exc)
    )


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and all(link is not s for s in seen):
        seen.append(link)
        link = link.__cause__ or link.__context__
    return seen


@dataclass
class SmtpMailer:
    """Delivers through the server in ``settings.smtp``."""

    settings: SmtpSettings
    attempts: int = 5
    backoff: Backoff = field(default_factory=lambda: Backoff(base=2.0, cap=120.0))
    sleep: Callable[[float], None] = time.sleep
    timeout_s: float = 30.0
    ssl_context: ssl.SSLContext | None = None

    def send(self, msg: EmailMessage, recipients: Sequence[str]) -> None:
        """Send ``msg`` to ``recipients``; a clear error once the retries are spent."""
        s = self.settings
        where = f"{s.host}:{s.port} ({s.security})"
        check_security(s)
        try:
            self.backoff.retry(
                lambda: self._send_once(msg, list(recipients)),
                attempts=self.attempts,
                transient=is_transient,
                sleep=self.sleep,
                on_retry=lambda attempt, exc, delay: _log_retry(where, attempt, exc, delay),
            )
        except smtplib.SMTPAuthenticationError as exc:
            raise ConfigError(
                f"the mail server {where} refused the credentials of user "
                f"{s.username!r} ({exc.smtp_code})"
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            cert = cert_failure(exc)
            if cert is not None:
                raise Critic2fanError(
                    f"the SMTP server's certificate could not be verified: "
                    f"{cert.verify_message or _reason(cert)} ({where}); not retried. Check "
                    "smtp.host matches the certificate and that its issuer is trusted"
                ) from None
            tries = self.attempts if is_transient(exc) else 1
            raise Critic2fanError(
                f"could not send the digest through {where} after {tries} attempt"
                f"{'s' if tries != 1 else ''}: {_reason(exc)}"
            ) from None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = self.ssl_context or ssl.create_default_context()
        if s.security == "ssl":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout_s, context=context)
        client = smtplib.SMTP(s.host, s.port, timeout=self.timeout_s)
        if s.security == "starttls":
            client.ehlo()
            client.starttls(context=context)
            client.ehlo()
        return client

    def _send_once(self, msg: EmailMessage, recipients: list[str]) -> None:
        s = self.settings
        with self._connect() as client:
            if s.username and s.password is not None:
                if s.security == "none":
                    log.warning("sending SMTP credentials without TLS to %s (allowed)", s.host)
                client.login(s.username, s.password.get_secret_value())
            refused = client.send_message(msg, from_addr=s.sender, to_addrs=recipients)
        if refused:
            log.warning(
                "the mail server refused %d recipient(s): %s", len(refused), sorted(refused)
            )
        log.info("digest sent to %d recipient(s) via %s:%s", len(recipients), s.host, s.port)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
        return f"{exc.smtp_code} {text}".strip()
    return str(exc) or exc.__class__.__name__


def _log_retry(where: str, attempt: int, exc: BaseException, delay: float) -> None:
    log.warning(
        "sending the digest through %s failed (attempt %d: %s); retrying in %.0fs",
        where,
        attempt,
        _reason(exc),
        delay,
    )
