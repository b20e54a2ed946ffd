"""The digest as a MIME message: text, HTML alternative, charts as related inline parts.

::

    multipart/alternative
    ├── text/plain
    └── multipart/related
        ├── text/html            <img src="cid:...">
        └── image/png            Content-ID: <...>   (one per chart)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path

from core.errors import ConfigError
from dashboard.digest.render import RenderedDigest


def build_message(
    rendered: RenderedDigest,
    *,
    sender: str,
    recipients: Sequence[str],
    date: datetime,
) -> EmailMessage:
    """Assemble the email; header values with line breaks are refused (no header injection)."""
    for value in (sender, *recipients):
        if "\r" in value or "\n" in value:
            raise ConfigError(f"an email address contains a line break: {value!r}")
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = rendered.subject
    msg["From"] = sender
    msg["To"] = ", ".join(recipients) if recipients else "undisclosed-recipients:;"
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "critic2fan.local")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    html_part = msg.get_body(("html",))
    assert isinstance(html_part, EmailMessage)
    for name, chart in rendered.charts.items():
        html_part.add_related(
            chart.png,
            maintype="image",
            subtype="png",
            cid=f"<{chart.cid}>",
            filename=f"{name}.png",
            disposition="inline",
        )
    return msg


def save_message(msg: EmailMessage, path: Path) -> Path:
    """Write ``msg`` as an ``.eml`` file (atomically: a reader never sees half a message)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(msg.as_bytes())
    partial.replace(path)
    return path
