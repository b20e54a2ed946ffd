"""Start the board: ``streamlit run dashboard/app.py`` in a child process with the right settings.

The child learns the database from ``CRITIC2FAN_DATABASE_URL`` and demo mode from
``CRITIC2FAN_BOARD_DEMO``. A demo board needs no sign-in, so it listens on loopback only.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)

APP_PATH = Path(__file__).with_name("app.py")
DEMO_ENV = "CRITIC2FAN_BOARD_DEMO"


def board_command(*, port: int, open_browser: bool, address: str | None = None) -> list[str]:
    """The ``streamlit run`` command line for the board."""
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_PATH),
        "--server.port",
        str(port),
        "--server.headless",
        "false" if open_browser else "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.showEmailPrompt",
        "false",
        "--server.runOnSave",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--server.maxUploadSize",
        "2",
    ]
    if address:
        cmd += ["--server.address", address]
    return cmd


def board_env(*, database_url: str, demo: bool) -> dict[str, str]:
    """The child's environment: ours, plus the database, demo mode and the package root."""
    env = dict(os.environ)
    env["CRITIC2FAN_DATABASE_URL"] = database_url
    if demo:
        env[DEMO_ENV] = "1"
    else:
        env.pop(DEMO_ENV, None)
    root = str(APP_PATH.parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def launch_board(
    *,
    database_url: str,
    demo: bool,
    port: int = 8501,
    open_browser: bool = True,
    address: str | None = None,
) -> int:
    """Run the board until it stops (Ctrl-C); return its exit code.

    ``address`` defaults to all interfaces for a signed-in board and to 127.0.0.1 in demo mode.
    """
    if address is None and demo:
        address = "127.0.0.1"
    cmd = board_command(port=port, open_browser=open_browser, address=address)
    log.info("starting the board on port %d (demo=%s)", port, demo)
    proc = subprocess.Popen(cmd, env=board_env(database_url=database_url, demo=demo))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            return proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()
