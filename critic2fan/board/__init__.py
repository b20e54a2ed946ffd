"""The board from the shell's side: start it, and build what it is given on every run.

``critic2fan board`` and ``critic2fan demo`` call :func:`start_board`, which runs the Streamlit
script ``critic2fan/board/app.py`` in a child process (``dashboard.launch``). That script reads
the settings once per run, builds a :class:`~dashboard.context.BoardContext` with
:func:`board_context` and hands it to :func:`dashboard.app.run`; the dashboard itself reads
neither settings nor the environment.

The child learns the database from ``CRITIC2FAN_DATABASE_URL`` (so ``--db`` reaches it) and
demo mode from ``CRITIC2FAN_BOARD_DEMO``, set by the launcher only. Demo mode is not a setting
on purpose: a configuration file must not be able to turn sign-in off on a board that listens
on every interface (only the ``--demo`` flag does, and it keeps the board on loopback).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from critic2fan.settings import Settings
from dashboard.context import BoardContext

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


def board_context(settings: Settings, *, demo: bool) -> BoardContext:
    """What the board needs from the settings, as one plain object."""
    return BoardContext(
        database_url=settings.resolved_database_url,
        demo=demo,
        brand=settings.brand,
        playbook_path=settings.playbook_path,
        facts_path=settings.facts_path,
        send_replies=settings.send_replies,
        secret_key=settings.secret_key,
        refresh_seconds=settings.board.refresh_seconds,
    )


def start_board(
    *,
    database_url: str,
    demo: bool,
    port: int = 8501,
    open_browser: bool = True,
    address: str | None = None,
) -> int:
    """Run the board on ``database_url`` until it stops or we are signalled; its exit code."""
    from dashboard.launch import launch_board

    return launch_board(
        SCRIPT,
        env=board_env(os.environ, database_url=database_url, demo=demo),
        demo=demo,
        port=port,
        open_browser=open_browser,
        address=address,
    )


def run_script() -> None:
    """One run of the board's script: read the settings, then draw the board."""
    import streamlit as st

    from core.errors import Critic2fanError
    from critic2fan.settings import load_settings
    from dashboard.app import run

    try:
        settings = load_settings()
    except Critic2fanError as exc:
        st.error(f"The board cannot start: {exc}")
        return
    run(board_context(settings, demo=demo_requested(os.environ)))
