"""The launcher's command line and environment."""

from __future__ import annotations

import pytest

from dashboard.launch import APP_PATH, board_command, board_env, launch_board


def test_launch__command_runs_streamlit_on_the_app() -> None:
    cmd = board_command(port=8765, open_browser=False, address="127.0.0.1")
    assert cmd[1:5] == ["-m", "streamlit", "run", str(APP_PATH)]
    assert cmd[cmd.index("--server.port") + 1] == "8765"
    assert cmd[cmd.index("--server.headless") + 1] == "true"
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"


def test_launch__env_carries_database_and_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRITIC2FAN_BOARD_DEMO", "1")
    env = board_env(database_url="sqlite:///x.db", demo=False)
    assert env["CRITIC2FAN_DATABASE_URL"] == "sqlite:///x.db"
    assert "CRITIC2FAN_BOARD_DEMO" not in env
    assert board_env(database_url="sqlite:///x.db", demo=True)["CRITIC2FAN_BOARD_DEMO"] == "1"


def test_launch__demo_listens_on_loopback_and_returns_the_exit_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, object] = {}

    class FakeProc:
        def __init__(self, cmd: list[str], env: dict[str, str]) -> None:
            seen["cmd"], seen["env"] = cmd, env

        def wait(self, timeout: float | None = None) -> int:
            return 3

    monkeypatch.setattr("dashboard.launch.subprocess.Popen", FakeProc)
    assert launch_board(database_url="sqlite:///d.db", demo=True, port=9001) == 3
    cmd = seen["cmd"]
    assert isinstance(cmd, list) and cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
