"""``critic2fan board`` and ``demo`` stop their Streamlit child on SIGTERM and SIGINT."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from dashboard import launch

REPO = Path(__file__).resolve().parents[2]
#: What the ``critic2fan`` console script runs.
CLI = "import sys; from critic2fan.cli import main; sys.exit(main())"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers_http(port: int) -> bool:
    with contextlib.suppress(OSError):
        url = f"http://127.0.0.1:{port}/_stcore/health"
        with urllib.request.urlopen(url, timeout=2) as reply:  # noqa: S310
            return reply.status == 200
    return False


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _children(pid: int) -> list[int]:
    """The pids whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):  # a zombie is gone in every way that matters here
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads child pids from /proc")
@pytest.mark.parametrize(
    ("command", "sig"),
    [("board", signal.SIGTERM), ("board", signal.SIGINT), ("demo", signal.SIGTERM)],
    ids=["board-SIGTERM", "board-SIGINT", "demo-SIGTERM"],
)
def test_board__a_signal_stops_the_cli_and_its_board(
    command: str, sig: signal.Signals, db_url: str, engine: object, tmp_path: Path
) -> None:
    port = _free_port()
    # ``board --demo`` needs no staff account, so an empty database will do; ``demo`` loads
    # and scores the bundled sample first.
    args = ["board", "--demo", "--no-browser"] if command == "board" else ["demo"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRITIC2FAN_")}
    env.update(BROWSER="true", CRITIC2FAN_DATA_DIR=str(tmp_path / "data"))
    cli = subprocess.Popen(
        [sys.executable, "-c", CLI, "--db", db_url, *args, "--port", str(port)],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 240
        while not _answers_http(port):
            assert cli.poll() is None, cli.communicate()[0].decode(errors="replace")
            assert time.monotonic() < deadline, "the board never answered"
            time.sleep(0.5)
        board = _children(cli.pid)
        assert board, "the board runs in a child process"

        cli.send_signal(sig)

        output = cli.communicate(timeout=30)[0].decode(errors="replace")
        assert cli.returncode is not None, output
        assert "Traceback" not in output, output
        assert not any(_alive(pid) for pid in board), output
        assert not _listening(port), output
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
        for pid in _children(cli.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_launch__a_child_that_ignores_the_signal_is_killed_after_the_grace_period(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ready = tmp_path / "ready"
    stubborn = (
        "import pathlib, signal, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "pathlib.Path(sys.argv[1]).touch()\n"
        "time.sleep(60)\n"
    )
    monkeypatch.setattr(
        launch, "board_command", lambda *a, **k: [sys.executable, "-c", stubborn, str(ready)]
    )
    previous = signal.getsignal(signal.SIGTERM)

    def send_sigterm_when_ready() -> None:
        deadline = time.monotonic() + 30
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGTERM)

    sender = threading.Thread(target=send_sigterm_when_ready)
    sender.start()
    started = time.monotonic()
    code = launch.launch_board(
        Path("unused.py"), env=dict(os.environ), demo=True, grace_seconds=1.0
    )
    sender.join()

    assert code == 128 + signal.SIGKILL
    assert 1.0 <= time.monotonic() - started < 20
    assert signal.getsignal(signal.SIGTERM) is previous
