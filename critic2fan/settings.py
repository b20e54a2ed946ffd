"""All configuration in one object, read from ``CRITIC2FAN_*`` variables and an optional TOML file.

Precedence, highest first: explicit overrides (CLI flags), environment variables
(``CRITIC2FAN_DATABASE_URL``, nested with ``__`` as in ``CRITIC2FAN_SMTP__HOST``), the TOML file
named by ``CRITIC2FAN_CONFIG`` (default ``./critic2fan.toml`` when it exists), then defaults.
Secrets are ``SecretStr`` so they print masked everywhere, ``config show`` included.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from core.errors import ConfigError

DEFAULT_CONFIG_FILE = Path("critic2fan.toml")


class _Section(BaseModel):
    """A settings section: unknown keys are errors (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid")


class BrandSettings(_Section):
    """Who we listen for: what differs between brands lives here, not in code."""

    name: str = Field("Brightloop", description="The brand's display name.")
    handles: list[str] = Field(
        default_factory=lambda: ["brightloop"],
        description="The brand's own account handles (their posts are staff replies).",
    )
    keywords: list[str] = Field(
        default_factory=lambda: ["brightloop", "bright loop", "#brightloop", "@brightloop"],
        description="Words and tags that make a post a mention (case-insensitive).",
    )
    timezone: str = Field("UTC", description="The brand's time zone (digest days, charts).")


class XSettings(_Section):
    """X/Twitter API v2 (pay-per-use; bring your own bearer token)."""

    enabled: bool = False
    bearer_token: SecretStr | None = None
    use_stream: bool = Field(True, description="Filtered stream; falls back to recent search.")
    poll_seconds: float = 60.0


class RedditSettings(_Section):
    """Reddit script app credentials (existing apps keep working)."""

    enabled: bool = False
    client_id: str | None = None
    client_secret: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    user_agent: str = "critic2fan/0.1 (community listening)"
    subreddits: list[str] = Field(default_factory=list)
    search_all: bool = Field(True, description="Also search r/all for the keywords.")


class BlueskySettings(_Section):
    """Bluesky via the public Jetstream firehose (no key needed)."""

    enabled: bool = False
    jetstream_url: str = "wss://jetstream.us-east.bsky.network/xrpc"
    appview_url: str = "https://public.api.bsky.app"


class MastodonSettings(_Section):
    """Mastodon: one instance with an access token."""

    enabled: bool = False
    api_base_url: str | None = None
    access_token: SecretStr | None = None
    hashtags: list[str] = Field(default_factory=lambda: ["brightloop"])
    poll_seconds: float = 60.0


class SourcesSettings(_Section):
    """Every collector's settings."""

    x: XSettings = Field(default_factory=XSettings)
    reddit: RedditSettings = Field(default_factory=RedditSettings)
    bluesky: BlueskySettings = Field(default_factory=BlueskySettings)
    mastodon: MastodonSettings = Field(default_factory=MastodonSettings)


class ModelSettings(_Section):
    """Which scorer runs, and how."""

    sentiment: str = Field(
        "default", description="'default' (offline, bundled) or a hub id / local folder."
    )
    toxicity: str = Field(
        "default", description="'default' (offline, bundled) or a hub id / local folder."
    )
    threads: int = Field(0, ge=0, description="Compute threads; 0 means one per core.")
    batch_size: int = Field(64, ge=1)
    max_wait_ms: int = Field(50, ge=0, description="Longest a mention waits for its batch.")
    cache_dir: Path | None = Field(
        None,
        description="Where the int8 encoder built from the bundled weights is kept; default "
        "$CRITIC2FAN_CACHE_DIR, else ~/.cache/critic2fan.",
    )


class SmtpSettings(_Section):
    """Outgoing mail for the daily digest."""

    host: str = "localhost"
    port: int = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    sender: str = "critic2fan@localhost"
    recipients: dict[str, list[str]] = Field(
        default_factory=dict, description="Addresses by role, e.g. {lead = ['a@b.c']}."
    )


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
    brand: BrandSettings = Field(default_factory=BrandSettings)
    sources: SourcesSettings = Field(default_factory=SourcesSettings)
    model: ModelSettings = Field(default_factory=ModelSettings)
    playbook_path: Path | None = Field(None, description="Playbook YAML; default: the bundled one.")
    facts_path: Path | None = Field(None, description="Facts library YAML; default: bundled.")
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    send_replies: bool = Field(
        False, description="Send approved replies through the platforms (off: record only)."
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

    @property
    def resolved_database_url(self) -> str:
        """The database URL to use: the configured one, or the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'critic2fan.db').as_posix()}"


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
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
    except ValueError as exc:  # malformed TOML
        raise ConfigError(f"cannot read settings: {exc}") from None


def masked_dump(settings: Settings) -> dict[str, Any]:
    """The settings as plain data with every secret shown as ``**********``."""
    return _mask(settings.model_dump(mode="python"))


def _mask(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return "**********"
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value
