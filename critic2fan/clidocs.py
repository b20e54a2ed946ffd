"""Render every command's ``--help`` into ``docs/cli.md``, so the docs say what the CLI does.

``python -m critic2fan.clidocs`` rewrites the file; a test fails when it is out of date.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer.main

DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
HEADER = (
    "# Command-line reference\n\n"
    "Generated from `--help` by `python -m critic2fan.clidocs`; a test keeps it current.\n"
)


def command_paths() -> list[list[str]]:
    """Every command and sub-command path, in the order ``--help`` lists them."""
    from critic2fan.cli import app

    root = typer.main.get_command(app)
    paths: list[list[str]] = [[]]

    def walk(command: Any, prefix: list[str]) -> None:
        if hasattr(command, "list_commands"):
            ctx = command.context_class(command)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not getattr(sub, "hidden", False):
                    paths.append([*prefix, name])
                    walk(sub, [*prefix, name])

    walk(root, [])
    return paths


def help_text(path: list[str]) -> str:
    """What ``critic2fan PATH --help`` prints, at a fixed width."""
    from critic2fan.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), _fixed_width():
        main([*path, "--help"])
    return out.getvalue().rstrip() + "\n"


@contextlib.contextmanager
def _fixed_width() -> Iterator[None]:
    import os

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


def render() -> str:
    """The whole reference as Markdown."""
    parts = [HEADER]
    for path in command_paths():
        title = " ".join(["critic2fan", *path])
        parts.append(f"\n## `{title}`\n\n```\n{help_text(path)}```\n")
    return "".join(parts)


def main() -> int:
    """Rewrite docs/cli.md."""
    DOC_PATH.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC_PATH}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
