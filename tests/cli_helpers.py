"""Run the CLI in-process and capture what a user would see."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass


@dataclass
class CliResult:
    """Exit code and the two output streams of one CLI call."""

    code: int
    out: str
    err: str


def run_cli(*args: str) -> CliResult:
    """Invoke ``critic2fan ARGS`` in-process, as ``main`` does for the console script."""
    from critic2fan.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return CliResult(code, out.getvalue(), err.getvalue())
