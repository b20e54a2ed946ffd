"""What every command needs: the settings and a ready database, built once per invocation."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from critic2fan.settings import Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    """Settings plus a lazily created, migrated database engine."""

    settings: Settings
    verbose: bool = False
    _engine: Engine | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_options(cls, *, db: str | None = None, verbose: bool = False) -> AppContext:
        """Build the context from CLI options over the environment and config file."""
        return cls(settings=load_settings(database_url=db), verbose=verbose)

    @cached_property
    def database_url(self) -> str:
        """The database URL in use."""
        return self.settings.resolved_database_url

    @property
    def uses_embedded_default(self) -> bool:
        """True for SQLite, the embedded database, which is upgraded automatically."""
        return self.database_url.startswith("sqlite")

    def engine(self, *, migrate: bool = True) -> Engine:
        """The engine; SQLite is upgraded automatically, PostgreSQL must be upgraded by hand."""
        if self._engine is None:
            from store.engine import make_engine
            from store.migrate import ensure_current

            engine = make_engine(self.database_url)
            if migrate:
                ensure_current(engine, auto_upgrade=self.uses_embedded_default)
            self._engine = engine
        return self._engine
