"""One digest run: build, render, save, and (optionally) send to a role's recipients.

The message is always written to disk before sending (``--out`` or the archive under
``data_dir/digests/``), so a mail server that is down loses nothing: the error names the file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.clock import utcnow
from core.config import BrandSettings, SmtpSettings
from core.errors import ConfigError, Critic2fanError
from dashboard.digest.data import build_digest
from dashboard.digest.message import build_message, save_message
from dashboard.digest.render import RenderedDigest, render_digest
from dashboard.digest.send import Mailer, SmtpMailer
from dashboard.digest.window import day_window, yesterday
from playbooks.schema import Playbook
from store.users import active_emails

log = logging.getLogger(__name__)


class DigestSettings(Protocol):
    """What a digest run reads from the settings (the shell's ``Settings`` is one)."""

    @property
    def data_dir(self) -> Path:
        """The folder whose ``digests/`` keeps the archive."""
        ...

    @property
    def brand(self) -> BrandSettings:
        """The brand's name and time zone."""
        ...

    @property
    def smtp(self) -> SmtpSettings:
        """The mail server, sender and recipients by role."""
        ...


@dataclass(frozen=True)
class DigestRun:
    """What a run produced."""

    day: date
    message: EmailMessage
    rendered: RenderedDigest
    path: Path | None
    recipients: tuple[str, ...]
    sent: bool


def archive_path(settings: DigestSettings, day: date, role: str) -> Path:
    """Where a sent (or unsendable) digest is kept: ``data_dir/digests/digest-DAY-ROLE.eml``."""
    return settings.data_dir / "digests" / f"digest-{day.isoformat()}-{role}.eml"


def recipients_for(engine: Engine, settings: DigestSettings, role: str) -> tuple[str, ...]:
    """Addresses for ``role``: ``smtp.recipients[role]`` plus active users with that role.

    Deduplicated case-insensitively, in that order; malformed addresses are skipped with a
    warning. An empty result is a ``ConfigError`` that says how to add someone.
    """
    configured = list(settings.smtp.recipients.get(role, []))
    with Session(engine) as s:
        users = active_emails(s, role)
    out: list[str] = []
    seen: set[str] = set()
    for raw in [*configured, *users]:
        address = (raw or "").strip()
        _, parsed = parseaddr(address)
        if not parsed or "@" not in parsed or any(ch in address for ch in "\r\n"):
            log.warning("skipping a malformed %s address %r", role, address[:80])
            continue
        if parsed.lower() not in seen:
            seen.add(parsed.lower())
            out.append(address)
    if not out:
        raise ConfigError(
            f"no recipients for role {role!r}: set smtp.recipients.{role} "
            f'(CRITIC2FAN_SMTP__RECIPIENTS=\'{{"{role}": ["name@example.com"]}}\') '
            f"or give an active {role} user an email"
        )
    return tuple(out)


def run_digest(
    engine: Engine,
    settings: DigestSettings,
    *,
    day: date | None = None,
    zone: ZoneInfo | None = None,
    out: Path | None = None,
    send: bool = False,
    role: str = "lead",
    mailer: Mailer | None = None,
    now: datetime | None = None,
    playbook: Playbook | None = None,
) -> DigestRun:
    """Build the digest for ``day`` (default: yesterday in ``zone``) and save and/or send it.

    ``playbook`` is the brand's (None: the bundled one): What works names its templates."""
    now = now or utcnow()
    zone = zone or ZoneInfo(settings.brand.timezone)
    day = day or yesterday(now, zone)
    window = day_window(day, zone)
    recipients = recipients_for(engine, settings, role) if send else ()
    digest = build_digest(engine, window, brand=settings.brand.name, now=now, playbook=playbook)
    rendered = render_digest(digest)
    msg = build_message(rendered, sender=settings.smtp.sender, recipients=recipients, date=now)
    path = out or (archive_path(settings, day, role) if send else None)
    if path is not None:
        try:
            save_message(msg, path)
        except OSError as exc:
            raise Critic2fanError(f"cannot write the digest to {path}: {exc.strerror}") from None
        log.info("digest for %s written to %s", day, path)
    if send:
        mailer = mailer or SmtpMailer(settings.smtp)
        try:
            mailer.send(msg, recipients)
        except ConfigError as exc:
            raise ConfigError(f"{exc}; the digest is kept at {path}") from None
        except Critic2fanError as exc:
            raise Critic2fanError(f"{exc}; the digest is kept at {path}") from None
    return DigestRun(day, msg, rendered, path, recipients, send)
