"""The settings' sections: plain, validated schemas that the stages receive as arguments.

The shell (``critic2fan.settings``) composes these into the one ``Settings`` object it reads
from the environment and the TOML file. The packages below it import only these schemas, never
the shell, and are handed the section they need, so none of them reads the environment.
Every field has a description: ``config show`` and the docs are generated from it, and a test
fails on a setting without one. Unknown keys are errors (a typo must not pass silently).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator


class Section(BaseModel):
    """A settings section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


#: The prefix of an account entry that names the platform's account id, not its handle.
ACCOUNT_ID_PREFIX = "id:"


def _clean_accounts(values: list[str], *, ids: bool) -> list[str]:
    """Entries without surrounding space or one leading ``@``; empty ones and spaces refused."""
    cleaned = []
    for value in values:
        entry = value.strip()
        entry = entry[1:] if entry.startswith("@") else entry
        if not entry or any(c.isspace() for c in entry):
            raise ValueError(f"{value!r} is not an account: write the handle, e.g. 'brightloop'")
        if entry.lower().startswith(ACCOUNT_ID_PREFIX) and not ids:
            raise ValueError(f"{value!r}: this platform's account ids are not stable; use handles")
        if entry.lower().startswith(ACCOUNT_ID_PREFIX) and not entry[len(ACCOUNT_ID_PREFIX) :]:
            raise ValueError(f"{value!r} names no id")
        cleaned.append(entry)
    return cleaned


class BrandAccounts(Section):
    """The brand's own accounts, per platform: their posts are staff replies.

    An account is the brand only on its own platform: a same-named account elsewhere is not.
    """

    x: list[str] = Field(
        default_factory=lambda: ["brightloop"],
        description="X usernames (no @), or 'id:' and the numeric user id (kept when renamed).",
    )
    reddit: list[str] = Field(
        default_factory=lambda: ["brightloop"],
        description="Reddit usernames (no u/), or 'id:' and the account id (t2_…).",
    )
    bluesky: list[str] = Field(
        default_factory=lambda: ["brightloop"],
        description="Bluesky handles (e.g. brightloop.bsky.social) or DIDs (did:plc:…).",
    )
    mastodon: list[str] = Field(
        default_factory=lambda: ["brightloop"],
        description="Mastodon accounts as user@instance; a bare user is an account on the "
        "instance the listener reads (sources.mastodon.api_base_url).",
    )

    @field_validator("x", "reddit", "bluesky")
    @classmethod
    def _handles_or_ids(cls, value: list[str]) -> list[str]:
        return _clean_accounts(value, ids=True)

    @field_validator("mastodon")
    @classmethod
    def _mastodon_handles(cls, value: list[str]) -> list[str]:
        return _clean_accounts(value, ids=False)


class BrandSettings(Section):
    """Who we listen for: what differs between brands lives here, not in code."""

    name: str = Field("Brightloop", description="The brand's display name.")
    accounts: BrandAccounts = Field(
        default_factory=BrandAccounts,
        description="The brand's own accounts per platform (their posts are staff replies).",
    )
    keywords: list[str] = Field(
        default_factory=lambda: ["brightloop", "bright loop", "#brightloop", "@brightloop"],
        description="Words and tags that make a post a mention (case-insensitive).",
    )
    timezone: str = Field("UTC", description="The brand's time zone (digest days, charts).")

    @model_validator(mode="before")
    @classmethod
    def _no_bare_handles(cls, data: Any) -> Any:
        """``handles`` made a same-named account on any platform the brand: refuse it clearly."""
        if isinstance(data, dict) and "handles" in data:
            raise ValueError(
                "brand.handles is replaced by brand.accounts, one list per platform, so a "
                "same-named account elsewhere is not the brand: e.g. brand.accounts.x = "
                "['brightloop'], brand.accounts.mastodon = ['brightloop@mastodon.social']"
            )
        return data


class XSettings(Section):
    """X/Twitter API v2 (pay-per-use; bring your own bearer token)."""

    enabled: bool = Field(False, description="Listen on X.")
    send: bool = Field(
        False,
        description=(
            "Post approved replies on X (the sender worker); off: staff copy the "
            "reply and post it by hand."
        ),
    )
    bearer_token: SecretStr | None = Field(
        None, description="The app's API v2 bearer token (reads only; it cannot post)."
    )
    consumer_key: SecretStr | None = Field(
        None, description="Sending: the app's API key (OAuth 1.0a consumer key)."
    )
    consumer_secret: SecretStr | None = Field(
        None, description="Sending: the app's API key secret (OAuth 1.0a consumer secret)."
    )
    access_token: SecretStr | None = Field(
        None, description="Sending: the brand account's OAuth 1.0a access token."
    )
    access_token_secret: SecretStr | None = Field(
        None, description="Sending: the brand account's OAuth 1.0a access token secret."
    )
    user_token: SecretStr | None = Field(
        None,
        description="Sending, instead of the four OAuth 1.0a keys: an OAuth 2.0 user access "
        "token (scopes tweet.read tweet.write users.read dm.read dm.write).",
    )
    use_stream: bool = Field(True, description="Filtered stream; falls back to recent search.")
    poll_seconds: float = Field(
        60.0, gt=0, description="Seconds between recent-search polls (without the stream)."
    )
    api_base_url: str | None = Field(
        None,
        description="Send the API calls to this base instead of https://api.twitter.com (a "
        "gateway, a recorded replay); HTTPS_PROXY is honoured either way.",
    )


class RedditSettings(Section):
    """Reddit script app credentials (existing apps keep working)."""

    enabled: bool = Field(False, description="Listen on Reddit.")
    send: bool = Field(
        False,
        description=(
            "Post approved replies on Reddit (the sender worker); off: staff copy the "
            "reply and post it by hand."
        ),
    )
    client_id: str | None = Field(None, description="The script app's client id.")
    client_secret: SecretStr | None = Field(None, description="The script app's secret.")
    username: str | None = Field(
        None,
        description="Account to sign in as (optional for listening; sending posts as it, and "
        "it must be a developer of the script app).",
    )
    password: SecretStr | None = Field(
        None, description="That account's password (needed for sending)."
    )
    user_agent: str = Field(
        "critic2fan/0.1 (community listening)",
        description="User agent Reddit sees; name your app and a contact.",
    )
    subreddits: list[str] = Field(
        default_factory=list, description="Subreddits to follow (posts and comments)."
    )
    status_subreddit: str | None = Field(
        None,
        description="Where an incident's status updates are posted (e.g. r/BrandSupport); "
        "default: the sending account's own profile.",
    )
    status_title: str = Field(
        "Status update", min_length=1, description="The title of a status update's self post."
    )
    search_all: bool = Field(True, description="Also search r/all for the keywords.")
    poll_seconds: float = Field(
        60.0,
        gt=0,
        description="The longest wait between two polls of one listing; a busy listing is "
        "polled sooner (down to min_poll_seconds) and slows back to this when quiet.",
    )
    min_poll_seconds: float = Field(
        5.0, gt=0, description="The shortest wait between two polls of one busy listing."
    )
    requests_per_minute: float = Field(
        90.0,
        gt=0,
        description="Reddit requests per minute the listings may share (Reddit allows 100 per "
        "OAuth client): with many listings, none is polled more often than this allows.",
    )
    api_base_url: str | None = Field(
        None,
        description="Send the API calls to this base instead of https://oauth.reddit.com (a "
        "gateway, a recorded replay); HTTPS_PROXY is honoured either way.",
    )
    token_url: str | None = Field(
        None,
        description="Where the sign-in token is fetched, e.g. "
        "https://www.reddit.com/api/v1/access_token; default: api_base_url's "
        "/api/v1/access_token when api_base_url is set, else Reddit's own.",
    )

    @field_validator("token_url")
    @classmethod
    def _token_path(cls, value: str | None) -> str | None:
        if value is not None and not value.rstrip("/").endswith("/api/v1/access_token"):
            raise ValueError(
                f"{value!r}: the token URL ends with /api/v1/access_token "
                "(e.g. https://www.reddit.com/api/v1/access_token)"
            )
        return value


class BlueskySettings(Section):
    """Bluesky via the public Jetstream firehose (no key needed)."""

    enabled: bool = Field(False, description="Listen on Bluesky.")
    send: bool = Field(
        False,
        description=(
            "Post approved replies on Bluesky (the sender worker); off: staff copy the "
            "reply and post it by hand."
        ),
    )
    jetstream_url: str = Field(
        "wss://jetstream.us-east.bsky.network/xrpc",
        description="The Jetstream endpoint the firehose is read from.",
    )
    appview_url: str = Field(
        "https://public.api.bsky.app",
        description="The public AppView used to look up authors' profiles.",
    )
    handle: str | None = Field(
        None, description="Sending: the brand's handle, e.g. brightloop.bsky.social."
    )
    app_password: SecretStr | None = Field(
        None,
        description="Sending: an app password of that account (Settings > Privacy and security "
        "> App passwords; allow direct messages for private replies).",
    )
    pds_url: str = Field(
        "https://bsky.social",
        description="Sending: the account's PDS (where it signs in); https://bsky.social for most.",
    )


class MastodonSettings(Section):
    """Mastodon: one instance with an access token."""

    enabled: bool = Field(False, description="Listen on Mastodon.")
    send: bool = Field(
        False,
        description=(
            "Post approved replies on Mastodon (the sender worker); off: staff copy the "
            "reply and post it by hand."
        ),
    )
    api_base_url: str | None = Field(
        None, description="The instance, e.g. https://mastodon.social."
    )
    access_token: SecretStr | None = Field(
        None,
        description="An access token on that instance (sending needs the write:statuses "
        "scope besides read).",
    )
    hashtags: list[str] = Field(
        default_factory=lambda: ["brightloop"], description="Hashtag timelines to follow."
    )
    poll_seconds: float = Field(60.0, description="Seconds between keyword searches.")


class SourcesSettings(Section):
    """Every collector's settings."""

    x: XSettings = Field(default_factory=XSettings, description="X/Twitter.")
    reddit: RedditSettings = Field(default_factory=RedditSettings, description="Reddit.")
    bluesky: BlueskySettings = Field(default_factory=BlueskySettings, description="Bluesky.")
    mastodon: MastodonSettings = Field(default_factory=MastodonSettings, description="Mastodon.")


class ModelSettings(Section):
    """Which scorer runs, and how."""

    sentiment: str = Field(
        "default", description="'default' (offline, bundled) or a hub id / local folder."
    )
    toxicity: str = Field(
        "default", description="'default' (offline, bundled) or a hub id / local folder."
    )
    threads: int = Field(0, ge=0, description="Compute threads; 0 means one per core.")
    batch_size: int = Field(64, ge=1, description="Mentions scored together in one batch.")
    max_wait_ms: int = Field(50, ge=0, description="Longest a mention waits for its batch.")
    cache_dir: Path | None = Field(
        None,
        description="Where the int8 encoder built from the bundled weights is kept; default "
        "$CRITIC2FAN_CACHE_DIR, else $XDG_CACHE_HOME/critic2fan, else ~/.cache/critic2fan.",
    )


class SmtpSettings(Section):
    """Outgoing mail for the daily digest."""

    host: str = Field("localhost", description="The mail server.")
    port: int = Field(587, description="The mail server's port.")
    security: Literal["starttls", "ssl", "none"] = Field(
        "starttls", description="How the connection is protected: starttls, ssl or none."
    )
    username: str | None = Field(None, description="Sign-in name on the server (optional).")
    password: SecretStr | None = Field(None, description="Sign-in password on the server.")
    allow_plaintext_auth: bool = Field(
        False,
        description="Allow sending the password over an unencrypted connection "
        "(security = 'none'); off: such a setup is refused before connecting.",
    )
    sender: str = Field("critic2fan@localhost", description="The digest's From address.")
    recipients: dict[str, list[str]] = Field(
        default_factory=dict, description="Addresses by role, e.g. {lead = ['a@b.c']}."
    )


class BoardSettings(Section):
    """The community board."""

    refresh_seconds: float = Field(
        30.0, gt=0, description="How often the queue page refreshes its table, in seconds."
    )
    idle_timeout_hours: float = Field(
        8.0,
        gt=0,
        description="Hours without a click after which a board session ends (sign in again).",
    )
    lockout_minutes: float = Field(
        15.0,
        gt=0,
        description="The window failed sign-ins are counted in; a lock lifts as they age out.",
    )
    max_failures_per_account: int = Field(
        5, ge=1, description="Failed sign-ins to one username within the window that lock it."
    )
    max_failures_per_address: int = Field(
        20,
        ge=0,
        description="Failed sign-ins from one client address within the window that lock it; "
        "0 turns the address lock off (behind a proxy every visitor shares its address).",
    )


#: The default longest line (and CSV field) a file import reads: 1 MiB.
DEFAULT_MAX_LINE_BYTES = 1024 * 1024


class ImportSettings(Section):
    """Limits on the files ``critic2fan import`` reads (memory stays bounded by them)."""

    max_line_bytes: int = Field(
        DEFAULT_MAX_LINE_BYTES,
        ge=1024,
        description="Longest line (and CSV field) an import reads, in bytes; a longer row is "
        "reported and skipped without being held in memory.",
    )
