"""The board from the shell's side: start it, and build what it is given on every run.

``critic2fan board`` and ``critic2fan demo`` call :func:`start_board`, which runs the Streamlit
script ``critic2fan/board/app.py`` in a child process (``dashboard.launch``). That script reads
the settings once per run, builds a :class:`~dashboard.context.BoardContext` with
:func:`board_context` and hands it to :func:`dashboard.app.run`; the dashboard itself reads
neither settings nor the environment.

The child learns the database from ``CRITIC2FAN_DATABASE_URL`` (so ``--db`` reaches it) and
demo mode from ``CRITIC2FAN_BOARD_DEMO``, set by the launcher only. Demo mode is not a setting
on purpose: a configuration file must not be able to turn sign-in off on a board that listens
on every interface (only the ``--demo`` flag does). A demo board lets every visitor in as a
lead, so it runs only on an SQLite database and a loopback address (:func:`check_demo_board`):
the launcher refuses anything else, and the script refuses it again in case it was started by
hand.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from core.errors import ConfigError
from core.redact import RedactingFormatter
from critic2fan.settings import Settings
from dashboard.context import BoardContext
from dashboard.signin import LockoutPolicy

#: The Streamlit script the child process runs.
SCRIPT = Path(__file__).resolve().with_name("app.py")
#: Set (to ``1``) by the launcher in the child's environment for a demo board.
DEMO_ENV = "CRITIC2FAN_BOARD_DEMO"
_ROOT = SCRIPT.parents[2]


def board_env(base: Mapping[str, str], *, database_url: str, demo: bool) -> dict[str, str]:
    """The child's environment: ``base``, plus the database, demo mode and the package root."""
    env = dict(base)
    env["CRITIC2FAN_DATABASE_URL"] = database_url
    if demo:
        env[DEMO_ENV] = "1"
    else:
        env.pop(DEMO_ENV, None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), env.get("PYTHONPATH")) if p)
    return env


def demo_requested(environ: Mapping[str, str]) -> bool:
    """True when the launcher started the board in demo mode."""
    return environ.get(DEMO_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def is_loopback(address: str) -> bool:
    """True for ``localhost`` and any loopback IP (``127.0.0.0/8``, ``::1``)."""
    host = address.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # another host name: it may resolve to anything


def demo_refusal(database_url: str, address: str | None) -> str | None:
    """Why a demo board may not run on ``database_url`` at ``address``, or None when it may.

    ``address`` None is the launcher's demo default, 127.0.0.1.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(database_url).get_backend_name()
    except ArgumentError:
        backend = "an unreadable URL"
    if backend != "sqlite":
        return (
            "demo mode lets anyone in without signing in, so it runs only on an SQLite "
            f"database, not {backend}: use --db sqlite:///demo.db, or sign in without --demo"
        )
    if address is not None and not is_loopback(address):
        return (
            "demo mode lets anyone in without signing in, so it listens only on a loopback "
            f"address, not {address}: use --address 127.0.0.1, or sign in without --demo"
        )
    return None


def check_demo_board(database_url: str, address: str | None) -> None:
    """Raise a one-line ``ConfigError`` when a demo board may not run here (see above)."""
    refusal = demo_refusal(database_url, address)
    if refusal is not None:
        raise ConfigError(refusal)


def sending_platforms(settings: Settings) -> frozenset[str]:
    """The platforms with ``sources.<name>.send`` on: the board sends replies there."""
    sources = settings.sources
    return frozenset(
        name for name in ("x", "reddit", "mastodon", "bluesky") if getattr(sources, name).send
    )


def board_context(settings: Settings, *, demo: bool) -> BoardContext:
    """What the board needs from the settings, as one plain object."""
    return BoardContext(
        database_url=settings.resolved_database_url,
        demo=demo,
        brand=settings.brand,
        playbook_path=settings.playbook_path,
        facts_path=settings.facts_path,
        sending_platforms=sending_platforms(settings),
        secret_key=settings.secret_key,
        refresh_seconds=settings.board.refresh_seconds,
        idle_timeout=timedelta(hours=settings.board.idle_timeout_hours),
        lockout=LockoutPolicy(
            window=timedelta(minutes=settings.board.lockout_minutes),
            per_account=settings.board.max_failures_per_account,
            per_address=settings.board.max_failures_per_address,
        ),
    )


def start_board(
    *,
    database_url: str,
    demo: bool,
    port: int = 8501,
    open_browser: bool = True,
    address: str | None = None,
) -> int:
    """Run the board on ``database_url`` until it stops or we are signalled; its exit code.

    A demo board on anything but SQLite and loopback is refused (``ConfigError``).
    """
    from dashboard.launch import launch_board

    if demo:
        check_demo_board(database_url, address)

    return launch_board(
        SCRIPT,
        env=board_env(os.environ, database_url=database_url, demo=demo),
        demo=demo,
        port=port,
        open_browser=open_browser,
        address=address,
    )


def redact_logs(*names: str) -> None:
    """Mask credentials in every line the board's process logs (root and Streamlit's loggers).

    The CLI masks its own logs; the board's child process logs through the handlers Streamlit
    set up, so their formatters are wrapped here, once per handler.
    """
    loggers = [logging.getLogger(name) for name in ("", "streamlit", *names)]
    if not logging.getLogger().handlers:
        logging.getLogger().addHandler(logging.StreamHandler())
    for logger in loggers:
        for handler in logger.handlers:
            if not isinstance(handler.formatter, RedactingFormatter):
                pattern = handler.formatter._fmt if handler.formatter is not None else None
                handler.setFormatter(RedactingFormatter(pattern))


def run_script() -> None:
    """One run of the board's script: read the settings, then draw the board."""
    import streamlit as st

    redact_logs()

    from core.errors import Critic2fanError
    from critic2fan.settings import load_settings
    from dashboard.app import run

    try:
        settings = load_settings()
    except Critic2fanError as exc:
        st.error(f"The board cannot start: {exc}")
        return
    demo = demo_requested(os.environ)
    if demo:
        address = st.get_option("server.address")
        refusal = demo_refusal(settings.resolved_database_url, address or None)
        if refusal is not None:
            st.error(f"The board cannot start: {refusal}")
            return
    run(board_context(settings, demo=demo))
