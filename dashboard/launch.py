"""Run the board's Streamlit script in a child process, and stop it when we are stopped.

The caller (the shell) names the script and the child's environment; this module knows how to
run Streamlit safely: usage statistics off, uploads capped, loopback only in demo mode (a demo
board needs no sign-in), and the child stopped on SIGTERM and SIGINT: asked first, killed
after a grace period, so ``critic2fan board`` never leaves a board listening behind it.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import FrameType

log = logging.getLogger(__name__)

#: Signals that stop the board.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
#: How long the child may take to stop after it is asked, before it is killed.
GRACE_SECONDS = 10.0


def board_command(
    script: Path, *, port: int, open_browser: bool, address: str | None = None
) -> list[str]:
    """The ``streamlit run SCRIPT`` command line for the board."""
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
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


def launch_board(
    script: Path,
    *,
    env: Mapping[str, str],
    demo: bool,
    port: int = 8501,
    open_browser: bool = True,
    address: str | None = None,
    grace_seconds: float = GRACE_SECONDS,
) -> int:
    """Run the board until it stops or we are signalled; return its exit code.

    ``address`` defaults to all interfaces for a signed-in board and to 127.0.0.1 in demo mode.
    A child that ends on a signal is reported as ``128 + signal``, as a shell would.
    """
    if address is None and demo:
        address = "127.0.0.1"
    cmd = board_command(script, port=port, open_browser=open_browser, address=address)
    log.info("starting the board on port %d (demo=%s)", port, demo)
    proc = subprocess.Popen(cmd, env=dict(env))
    with _stop_child_on_signals(proc) as stopping:
        code = _wait(proc, stopping, grace_seconds)
    return code if code >= 0 else 128 - code


@contextlib.contextmanager
def _stop_child_on_signals(proc: subprocess.Popen[bytes]) -> Iterator[list[float]]:
    """While inside, SIGTERM and SIGINT ask ``proc`` to stop; the list yielded records when.

    The previous handlers are restored on the way out, and a child still running then (an
    error in the wait, say) is killed.
    """
    stopping: list[float] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if not stopping:
            log.warning("signal %d: stopping the board", signum)
            stopping.append(time.monotonic())
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()

    # Handlers can only be installed by the main thread; elsewhere the caller stops us.
    main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS} if main else {}
    try:
        yield stopping
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _wait(proc: subprocess.Popen[bytes], stopping: list[float], grace_seconds: float) -> int:
    """Wait for ``proc``; once it was asked to stop, kill it if the grace period runs out."""
    while True:
        try:
            return proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            if stopping and time.monotonic() - stopping[0] > grace_seconds:
                log.warning("the board did not stop within %.0f s: killing it", grace_seconds)
                proc.kill()
                return proc.wait()
