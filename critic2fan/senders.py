"""The senders the settings ask for: one per platform whose ``sources.<name>.send`` is on.

The shell is the only place that reads credentials; each sender's constructor takes plain
values. A platform with sending on but a credential missing is a :class:`ConfigError` that
names the setting and its environment variable, before any worker starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import SecretStr

from core.config import ACCOUNT_ID_PREFIX, SourcesSettings
from core.errors import ConfigError

if TYPE_CHECKING:
    from critic2fan.settings import Settings
    from outbound.base import Sender

#: The platforms that can send, in the order they are built.
PLATFORMS = ("x", "reddit", "mastodon", "bluesky")


def sending_platforms(sources: SourcesSettings) -> list[str]:
    """The platforms whose ``send`` setting is on."""
    return [name for name in PLATFORMS if getattr(sources, name).send]


def build_senders(settings: Settings, *, only: list[str] | None = None) -> dict[str, Sender]:
    """A sender for every platform with sending on (``only``: just those, each must be on)."""
    on = sending_platforms(settings.sources)
    if only:
        off = [name for name in only if name not in on]
        if off:
            raise ConfigError(
                f"sending is off for {', '.join(off)}: set sources.<name>.send = true "
                f"(e.g. CRITIC2FAN_SOURCES__{off[0].upper()}__SEND=true)"
            )
        on = [name for name in on if name in only]
    builders = {"x": _x, "reddit": _reddit, "mastodon": _mastodon, "bluesky": _bluesky}
    return {name: builders[name](settings) for name in on}


def _value(value: str | SecretStr | None) -> str | None:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return value or None


def _require(platform: str, field: str, value: str | SecretStr | None, why: str = "") -> str:
    found = _value(value)
    if found is None:
        env = f"CRITIC2FAN_SOURCES__{platform.upper()}__{field.upper()}"
        raise ConfigError(
            f"sources.{platform}.send is on but sources.{platform}.{field} is not set ({env}){why}"
        )
    return found


def _x(settings: Settings) -> Sender:
    from outbound.senders.x import XSender

    x = settings.sources.x
    keys = {
        "consumer_key": x.consumer_key,
        "consumer_secret": x.consumer_secret,
        "access_token": x.access_token,
        "access_token_secret": x.access_token_secret,
    }
    if _value(x.user_token) is None:
        why = "; X posts with user-context keys (or sources.x.user_token), not the bearer token"
        for field, value in keys.items():
            _require("x", field, value, why)
    accounts = settings.brand.accounts.x
    ids = [a[len(ACCOUNT_ID_PREFIX) :] for a in accounts if a.lower().startswith(ACCOUNT_ID_PREFIX)]
    handles = [a for a in accounts if not a.lower().startswith(ACCOUNT_ID_PREFIX)]
    return XSender(
        consumer_key=_value(x.consumer_key),
        consumer_secret=_value(x.consumer_secret),
        access_token=_value(x.access_token),
        access_token_secret=_value(x.access_token_secret),
        user_token=_value(x.user_token),
        user_id=ids[0] if ids else None,
        handle=handles[0] if handles else None,
        api_base=x.api_base_url,
    )


def _reddit(settings: Settings) -> Sender:
    from outbound.senders.reddit import RedditSender

    r = settings.sources.reddit
    token_base = (
        r.token_url.rstrip("/").removesuffix("/api/v1/access_token") if r.token_url else None
    )
    why = "; Reddit posts as the script app's account"
    return RedditSender(
        client_id=_require("reddit", "client_id", r.client_id),
        client_secret=_require("reddit", "client_secret", r.client_secret),
        user_agent=r.user_agent,
        username=_require("reddit", "username", r.username, why),
        password=_require("reddit", "password", r.password, why),
        oauth_url=r.api_base_url,
        reddit_url=token_base or r.api_base_url,
        status_subreddit=r.status_subreddit,
        status_title=r.status_title,
    )


def _mastodon(settings: Settings) -> Sender:
    from outbound.senders.mastodon import MastodonSender

    m = settings.sources.mastodon
    return MastodonSender(
        api_base_url=_require("mastodon", "api_base_url", m.api_base_url),
        access_token=_require("mastodon", "access_token", m.access_token),
    )


def _bluesky(settings: Settings) -> Sender:
    from outbound.senders.bluesky import BlueskySender

    b = settings.sources.bluesky
    return BlueskySender(
        handle=_require("bluesky", "handle", b.handle),
        app_password=_require("bluesky", "app_password", b.app_password),
        pds_url=b.pds_url,
    )
