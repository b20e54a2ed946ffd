"""The daily digest email: build (``data``), render (``render``, ``charts``), assemble
(``message``), send (``send``), run (``service``) and schedule (``schedule``).

Imports no Streamlit; see ``docs/digest.md``.
"""

from dashboard.digest.data import build_digest
from dashboard.digest.message import build_message, save_message
from dashboard.digest.model import Digest
from dashboard.digest.render import RenderedDigest, render_digest
from dashboard.digest.send import Mailer, SmtpMailer
from dashboard.digest.service import DigestRun, archive_path, recipients_for, run_digest
from dashboard.digest.window import DayWindow, day_window, parse_zone, yesterday

__all__ = [
    "DayWindow",
    "Digest",
    "DigestRun",
    "Mailer",
    "RenderedDigest",
    "SmtpMailer",
    "archive_path",
    "build_digest",
    "build_message",
    "day_window",
    "parse_zone",
    "recipients_for",
    "render_digest",
    "run_digest",
    "save_message",
    "yesterday",
]
