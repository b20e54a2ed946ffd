"""What the board is given by whoever starts it: the database, demo mode and the settings it uses.

The board reads no settings and no environment itself: the shell reads them once per run of
the board's script and hands this plain object to :func:`dashboard.app.run`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr

from core.clock import SYSTEM_CLOCK, Clock
from core.config import BrandSettings
from dashboard.signin import DEFAULT_IDLE_TIMEOUT, LockoutPolicy

DEFAULT_REFRESH_SECONDS = 30.0


@dataclass(frozen=True)
class BoardContext:
    """Everything the board's pages need to know from outside."""

    database_url: str
    demo: bool = False
    brand: BrandSettings = field(default_factory=BrandSettings)
    playbook_path: Path | None = None
    facts_path: Path | None = None
    #: The platforms whose approved replies the sender worker posts (``sources.<name>.send``);
    #: elsewhere staff copy the reply and post it by hand.
    sending_platforms: frozenset[str] = frozenset()
    secret_key: SecretStr | None = None
    refresh_seconds: float = DEFAULT_REFRESH_SECONDS
    #: Where the pages read the time (SLA countdowns, staff actions, export dates, sessions).
    clock: Clock = SYSTEM_CLOCK
    #: A session without a click for this long ends (``board.idle_timeout_hours``).
    idle_timeout: timedelta = DEFAULT_IDLE_TIMEOUT
    #: Failed sign-ins that lock a username or an address (``board.lockout_minutes`` and
    #: ``board.max_failures_per_*``).
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
