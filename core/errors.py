"""The product's one error tree. Every error a user can cause or meet is one of these.

::

    Critic2fanError                 anything the CLI reports as one clear line, exit code != 0
    ├── ConfigError                 bad settings, missing credentials, unreadable config file
    ├── SourceError                 a platform said no
    │   ├── SourceAuthError         credentials refused (401/403)
    │   ├── SourceRateLimited       429; carries ``reset_at`` when the platform sent one
    │   └── SourceUnavailable       5xx, dropped connection, timeout
    ├── InputError                  a malformed file, row or payload (carries ``line``)
    ├── ScoringError                the model could not be loaded or run
    ├── PlaybookError               a broken playbook or facts file (carries ``path`` and ``line``)
    └── StorageError                the database is unreachable, unwritable or out of date

Lower packages (``listener``, ``scoring``, ``playbooks``, ``store``) raise these; the CLI turns
them into one line on stderr and a non-zero exit, never a traceback (``--verbose`` adds it).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path


class Critic2fanError(Exception):
    """Base of every error the product reports to a user."""

    exit_code = 1


class ConfigError(Critic2fanError):
    """The settings are wrong or incomplete."""

    exit_code = 2


class SourceError(Critic2fanError):
    """A platform refused or failed a request."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source


class SourceAuthError(SourceError):
    """The platform refused the credentials."""


class SourceRateLimited(SourceError):
    """The platform asked us to slow down."""

    def __init__(
        self, message: str, *, source: str | None = None, reset_at: datetime | None = None
    ) -> None:
        super().__init__(message, source=source)
        self.reset_at = reset_at


class SourceUnavailable(SourceError):
    """The platform is down, dropped the connection or timed out."""


class InputError(Critic2fanError):
    """A malformed file, row or payload."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line


class ScoringError(Critic2fanError):
    """The model could not be loaded or run."""


class PlaybookError(Critic2fanError):
    """A playbook or facts file is broken; says where."""

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None):
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")
        self.path = path
        self.line = line


class StorageError(Critic2fanError):
    """The database is unreachable, unwritable or out of date."""

    exit_code = 3
