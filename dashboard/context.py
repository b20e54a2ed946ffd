"""What the board is given by whoever starts it: the database, demo mode and the settings it uses.

The board reads no settings and no environment itself: the shell reads them once per run of
the board's script and hands this plain object to :func:`dashboard.app.run`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

from core.clock import SYSTEM_CLOCK, Clock
from core.config import BrandSettings

DEFAULT_REFRESH_SECONDS = 30.0


@dataclass(frozen=True)
class BoardContext:
    """Everything the board's pages need to know from outside."""

    database_url: str
    demo: bool = False
    brand: BrandSettings = field(default_factory=BrandSettings)
    playbook_path: Path | None = None
    facts_path: Path | None = None
    send_replies: bool = False
    secret_key: SecretStr | None = None
    refresh_seconds: float = DEFAULT_REFRESH_SECONDS
    #: Where the pages read the time (SLA countdowns, staff actions, export dates).
    clock: Clock = SYSTEM_CLOCK
