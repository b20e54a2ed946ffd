"""All configuration in one object, read from ``CRITIC2FAN_*`` variables and an optional TOML file.

Precedence, highest first: explicit overrides (CLI flags), environment variables
(``CRITIC2FAN_DATABASE_URL``, nested with ``__`` as in ``CRITIC2FAN_SMTP__HOST``), the TOML file
named by ``CRITIC2FAN_CONFIG`` (default ``./critic2fan.toml`` when it exists), then defaults.
Secrets are ``SecretStr`` so they print masked everywhere, ``config show`` included; a
credential written inside a URL (``user:pw@``, ``?password=``) is masked there by ``core.redact``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from core.config import (
    BoardSettings,
    BrandSettings,
    ImportSettings,
    ModelSettings,
    SmtpSettings,
    SourcesSettings,
)
from core.errors import ConfigError
from core.redact import mask_url

DEFAULT_CONFIG_FILE = Path("critic2fan.toml")


class Settings(BaseSettings):
    """The product's settings. See ``critic2fan config show``."""

    model_config = SettingsConfigDict(
        env_prefix="CRITIC2FAN_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: SQLite file under data_dir."
    )
    data_dir: Path = Field(Path("data"), description="Where the embedded database and files live.")
    brand: BrandSettings = Field(default_factory=BrandSettings, description="Who we listen for.")
    sources: SourcesSettings = Field(
        default_factory=SourcesSettings, description="The platforms the listener reads."
    )
    model: ModelSettings = Field(
        default_factory=ModelSettings, description="Which scorer runs, and how."
    )
    playbook_path: Path | None = Field(None, description="Playbook YAML; default: the bundled one.")
    facts_path: Path | None = Field(None, description="Facts library YAML; default: bundled.")
    smtp: SmtpSettings = Field(
        default_factory=SmtpSettings, description="Outgoing mail for the daily digest."
    )
    board: BoardSettings = Field(default_factory=BoardSettings, description="The community board.")
    imports: ImportSettings = Field(
        default_factory=ImportSettings, description="Limits on the files `import` reads."
    )
    secret_key: SecretStr | None = Field(
        None, description="Signs board login cookies and salts anonymized exports."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = config_file_path()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    @model_validator(mode="before")
    @classmethod
    def _no_global_send_switch(cls, data: Any) -> Any:
        """The one ``send_replies`` switch became a switch per platform: say so clearly."""
        if isinstance(data, dict) and "send_replies" in data:
            raise ValueError(
                "send_replies is replaced by sources.<name>.send, one switch per platform "
                "(e.g. sources.mastodon.send = true); see docs/sending.md"
            )
        return data

    @model_validator(mode="after")
    def _resolve_cache_dir(self) -> Settings:
        """Fill ``model.cache_dir`` here, so the scorer is handed a folder and reads no
        environment itself."""
        if self.model.cache_dir is None:
            folder = default_cache_dir(os.environ)
            self.model = self.model.model_copy(update={"cache_dir": folder})
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL to use: the configured one, or the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'critic2fan.db').as_posix()}"


def default_cache_dir(environ: Mapping[str, str]) -> Path:
    """Where built model files go when ``model.cache_dir`` is unset: ``$CRITIC2FAN_CACHE_DIR``,
    else ``$XDG_CACHE_HOME/critic2fan``, else ``~/.cache/critic2fan``."""
    explicit = environ.get("CRITIC2FAN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "critic2fan"


def config_file_path() -> Path | None:
    """The TOML file to read, if any: ``CRITIC2FAN_CONFIG`` or ``./critic2fan.toml``."""
    named = os.environ.get("CRITIC2FAN_CONFIG")
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigError(f"CRITIC2FAN_CONFIG names {path}, which is not a readable file")
        return path
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning validation problems into one clear ``ConfigError``."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: "
            f"{err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
    except ValueError as exc:  # malformed TOML
        raise ConfigError(f"cannot read settings: {exc}") from None


def masked_dump(settings: Settings) -> dict[str, Any]:
    """The settings as plain data with every secret shown as ``**********`` and every
    credential inside a URL-like value (``database_url``, ``sources.mastodon.api_base_url``,
    any ``scheme://`` string) masked by :func:`core.redact.mask_url`."""
    return _mask(settings.model_dump(mode="python"))


def _mask(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return "**********"
    if isinstance(value, str) and "://" in value:
        return mask_url(value)
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value
