"""Run the real board (``streamlit run``) on a loopback port and drive it with Debian's chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from critic2fan.board import SCRIPT, board_env
from dashboard.launch import board_command

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def free_port() -> int:
    """A TCP port nobody listens on right now (on loopback)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(base: str, proc: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    """Wait until ``/_stcore/health`` answers ``ok`` (or the server dies, or time runs out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r,  # noqa: S310
        ):
            if r.read().strip() == b"ok":
                return
        time.sleep(0.3)
    raise TimeoutError(f"the board at {base} did not become healthy in {timeout:.0f}s")


@contextlib.contextmanager
def running_board(
    database_url: str, *, demo: bool, log_path: Path, refresh_seconds: float = 3600
) -> Iterator[str]:
    """Start the board as the launcher would; yield its base URL; stop it afterwards."""
    port = free_port()
    cmd = board_command(SCRIPT, port=port, open_browser=False, address="127.0.0.1")
    env = board_env(os.environ, database_url=database_url, demo=demo)
    env["CRITIC2FAN_BOARD__REFRESH_SECONDS"] = str(refresh_seconds)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, proc)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def chromium_page(width: int = 1440, height: int = 900) -> Iterator[Any]:
    """A Playwright page in Debian's chromium (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


def wait_idle(page: Any, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script (no "Running..." indicator)."""
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid='stStatusWidget']", state="detached", timeout=timeout)
