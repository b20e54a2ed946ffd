"""Build the configured sources and run them side by side, one loop per thread.

``plan_sources`` says plainly what is missing when a source lacks credentials;
``Runner`` starts a :class:`~listener.loop.StreamLoop` per source, stops them all on
SIGINT/SIGTERM (each flushes its batch and saves its cursor) and exposes their stats for
the status line.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any

from sqlalchemy.engine import Engine

from core.config import BrandSettings, SourcesSettings
from listener.base import Source
from listener.loop import LoopStats, StreamLoop
from listener.matching import BrandIdentity, Matcher
from store.gaps import GapLog

log = logging.getLogger(__name__)

PLATFORMS = ("x", "reddit", "bluesky", "mastodon")
ENV = "CRITIC2FAN_SOURCES__"


@dataclass
class Plan:
    """The sources that can run, and one line per configured source that cannot."""

    sources: list[Source]
    problems: list[str]


def brand_identity(brand: BrandSettings, sources: SourcesSettings | None = None) -> BrandIdentity:
    """The brand's own accounts; the Mastodon instance read says whose bare handles are local."""
    base_url = sources.mastodon.api_base_url if sources is not None else None
    return BrandIdentity.from_settings(brand.accounts, mastodon_base_url=base_url)


def matcher_for(brand: BrandSettings, sources: SourcesSettings | None = None) -> Matcher:
    """The brand matcher: the brand's keywords, and its own accounts (per platform)."""
    return Matcher(brand.keywords, brand_identity(brand, sources))


def plan_sources(config: SourcesSettings, brand: BrandSettings, names: Sequence[str] = ()) -> Plan:
    """Sources for ``names`` (default: every enabled platform), or why each cannot run."""
    unknown = [n for n in names if n not in PLATFORMS]
    problems = [f"{n}: unknown source; choose from {', '.join(PLATFORMS)}" for n in unknown]
    chosen = [n for n in names if n in PLATFORMS] or [
        p for p in PLATFORMS if getattr(config, p).enabled
    ]
    sources: list[Source] = []
    matcher = matcher_for(brand, config)
    for name in chosen:
        try:
            built, missing = _BUILDERS[name](config, brand, matcher)
        except Exception as exc:  # a platform library refusing its arguments
            problems.append(f"{name}: cannot start: {exc}")
            continue
        sources += built
        problems += [f"{name}: {m}" for m in missing]
    return Plan(sources, problems)


def _x(
    config: SourcesSettings, brand: BrandSettings, matcher: Matcher
) -> tuple[list[Source], list[str]]:
    from listener.sources.x import XSource, build_rules, make_clients

    cfg = config.x
    if cfg.bearer_token is None:
        return [], [f"no bearer token: set {ENV}X__BEARER_TOKEN"]
    client, stream = make_clients(
        cfg.bearer_token.get_secret_value(), use_stream=cfg.use_stream, api_base=cfg.api_base_url
    )
    rules = build_rules(brand.keywords, brand.accounts.x)
    return [XSource(client, stream, rules, poll_seconds=cfg.poll_seconds)], []


def _reddit(
    config: SourcesSettings, brand: BrandSettings, matcher: Matcher
) -> tuple[list[Source], list[str]]:
    from listener.sources.reddit import RedditSource, make_reddit, poll_floor

    cfg = config.reddit
    missing = []
    if not cfg.client_id:
        missing.append(f"no client id: set {ENV}REDDIT__CLIENT_ID")
    if cfg.client_secret is None:
        missing.append(f"no client secret: set {ENV}REDDIT__CLIENT_SECRET")
    if not cfg.subreddits and not cfg.search_all:
        missing.append(f"nothing to read: set {ENV}REDDIT__SUBREDDITS or REDDIT__SEARCH_ALL")
    if missing:
        return [], missing
    reddit = make_reddit(cfg)
    subs = list(dict.fromkeys(s.strip().removeprefix("r/").lower() for s in cfg.subreddits))
    query = " OR ".join(f'"{k}"' if " " in k else k for k in brand.keywords)
    listings = [(kind, sub) for sub in subs for kind in ("comments", "submissions")]
    if cfg.search_all:
        listings.append(("search", query))
    floor = poll_floor(
        len(listings),
        min_poll_seconds=cfg.min_poll_seconds,
        requests_per_minute=cfg.requests_per_minute,
    )
    sources: list[Source] = [
        RedditSource(
            reddit,
            kind,
            target,
            poll_interval=max(cfg.poll_seconds, floor),
            min_poll_interval=floor,
            query=query,
        )
        for kind, target in listings
    ]
    return sources, []


def _bluesky(
    config: SourcesSettings, brand: BrandSettings, matcher: Matcher
) -> tuple[list[Source], list[str]]:
    from listener.sources.bluesky import BlueskySource

    cfg = config.bluesky
    return [BlueskySource(cfg.jetstream_url, cfg.appview_url, matcher)], []


def _mastodon(
    config: SourcesSettings, brand: BrandSettings, matcher: Matcher
) -> tuple[list[Source], list[str]]:
    from listener.sources.mastodon import MastodonHashtagSource, MastodonSearchSource, make_client

    cfg = config.mastodon
    if not cfg.api_base_url:
        return [], [f"no instance: set {ENV}MASTODON__API_BASE_URL (e.g. https://mastodon.social)"]
    if cfg.access_token is None:
        return [], [f"no access token: set {ENV}MASTODON__ACCESS_TOKEN"]
    api = make_client(cfg.api_base_url, cfg.access_token.get_secret_value())
    sources: list[Source] = [MastodonHashtagSource(api, tag) for tag in cfg.hashtags]
    words = [k for k in brand.keywords if not k.startswith(("#", "@"))]
    sources += [MastodonSearchSource(api, w, poll_interval=cfg.poll_seconds) for w in words]
    return sources, []


_Builder = Callable[[SourcesSettings, BrandSettings, Matcher], tuple[list[Source], list[str]]]
_BUILDERS: dict[str, _Builder] = {
    "x": _x,
    "reddit": _reddit,
    "bluesky": _bluesky,
    "mastodon": _mastodon,
}


class Runner:
    """Runs several sources at once, each in its own thread, until stopped."""

    def __init__(
        self, sources: Sequence[Source], engine: Engine, matcher: Matcher, **loop_kw: Any
    ) -> None:
        for source in sources:  # a source that can tell its gaps records them here
            if hasattr(source, "gaps") and source.gaps is None:
                source.gaps = GapLog(engine)
        self.loops = [StreamLoop(s, engine, matcher=matcher, **loop_kw) for s in sources]
        self._threads: list[threading.Thread] = []
        self.stopped = threading.Event()

    def stats(self) -> list[LoopStats]:
        """Each source's live counters."""
        return [loop.stats for loop in self.loops]

    def start(self) -> None:
        """Start every loop in a thread of its own."""
        for loop in self.loops:
            thread = threading.Thread(
                target=self._run, args=(loop,), name=f"loop-{loop.source.name}"
            )
            thread.start()
            self._threads.append(thread)

    def _run(self, loop: StreamLoop) -> None:
        try:
            loop.run()
        except Exception:
            log.exception("%s: the loop stopped on an unexpected error", loop.source.name)
            loop.stats.running = False
            loop.stats.last_error = "stopped on an unexpected error (see the log)"

    def stop(self) -> None:
        """Ask every loop to flush, save its cursor and finish."""
        self.stopped.set()
        for loop in self.loops:
            loop.stop()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the loops to finish."""
        for thread in self._threads:
            thread.join(timeout)

    def alive(self) -> bool:
        """True while any loop still runs."""
        return any(t.is_alive() for t in self._threads)

    def install_signal_handlers(self) -> None:
        """SIGINT/SIGTERM stop the loops gracefully (main thread only)."""

        def handler(signum: int, frame: FrameType | None) -> None:
            log.warning("signal %d: stopping, flushing batches and saving cursors", signum)
            self.stop()

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)
