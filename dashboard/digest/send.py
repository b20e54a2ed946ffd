"""Sending the digest over SMTP (STARTTLS, SSL or plain), with retries and backoff.

Transient failures (connection refused or dropped, timeouts, 4xx replies) are retried with the
product's one jittered exponential :class:`~core.backoff.Backoff`; the backoff and the sleep are
injectable so tests run fast.
Permanent ones (refused credentials, 5xx) stop at once. Credentials are ``SecretStr`` and
are never logged: log lines name the server and the user, nothing more.
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


def is_transient(exc: BaseException) -> bool:
    """Worth another try: network trouble, a dropped session, or a 4xx reply."""
    if isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPNotSupportedError):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | OSError)


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
            if s.username:
                if s.password is None:
                    raise ConfigError("smtp.username is set but smtp.password is not")
                if s.security == "none":
                    log.warning("sending SMTP credentials without TLS to %s", s.host)
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
