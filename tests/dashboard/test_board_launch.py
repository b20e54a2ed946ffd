"""The launcher's command line and environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from critic2fan.board import SCRIPT, board_env, demo_requested
from dashboard.launch import board_command, launch_board


def test_launch__command_runs_streamlit_on_the_shells_script() -> None:
    cmd = board_command(SCRIPT, port=8765, open_browser=False, address="127.0.0.1")
    assert cmd[1:5] == ["-m", "streamlit", "run", str(SCRIPT)]
    assert SCRIPT.is_file()
    assert cmd[cmd.index("--server.port") + 1] == "8765"
    assert cmd[cmd.index("--server.headless") + 1] == "true"
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"


def test_launch__env_carries_database_and_demo() -> None:
    base = {"CRITIC2FAN_BOARD_DEMO": "1", "KEEP": "me"}
    env = board_env(base, database_url="sqlite:///x.db", demo=False)
    assert env["CRITIC2FAN_DATABASE_URL"] == "sqlite:///x.db"
    assert env["KEEP"] == "me"
    assert "CRITIC2FAN_BOARD_DEMO" not in env and not demo_requested(env)
    demo_env = board_env(base, database_url="sqlite:///x.db", demo=True)
    assert demo_env["CRITIC2FAN_BOARD_DEMO"] == "1" and demo_requested(demo_env)


def test_launch__demo_listens_on_loopback_and_returns_the_exit_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, object] = {}

    class FakeProc:
        def __init__(self, cmd: list[str], env: dict[str, str]) -> None:
            seen["cmd"], seen["env"] = cmd, env

        def wait(self, timeout: float | None = None) -> int:
            return 3

        def poll(self) -> int:
            return 3

    monkeypatch.setattr("dashboard.launch.subprocess.Popen", FakeProc)
    code = launch_board(Path("board.py"), env={"A": "b"}, demo=True, port=9001)
    assert code == 3
    cmd = seen["cmd"]
    assert isinstance(cmd, list) and cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert seen["env"] == {"A": "b"}
