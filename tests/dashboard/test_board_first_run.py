"""A first run on a fresh machine: the board comes up without asking anything on the terminal."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from critic2fan.board import SCRIPT, board_env
from dashboard.launch import board_command

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_board__first_run_with_browser_never_prompts(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    port = _free_port()
    env = board_env(os.environ, database_url=db_url, demo=True)
    env.update(HOME=str(tmp_path), BROWSER="true")  # no ~/.streamlit yet; "open" runs `true`
    cmd = board_command(SCRIPT, port=port, open_browser=True, address="127.0.0.1")
    proc = subprocess.Popen(
        cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        healthy = False
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    healthy = True
                    break
            except OSError:
                time.sleep(0.5)
        assert healthy, f"board did not come up (exit code {proc.poll()})"
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0].decode(errors="replace")
    assert "Email:" not in output
