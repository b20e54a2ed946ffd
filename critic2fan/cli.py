"""The ``critic2fan`` command line: a thin shell over the packages.

Each area registers its commands from ``critic2fan/commands/<area>.py`` (a ``register(app)``
function). Heavy imports happen inside commands so ``--help`` stays fast.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Annotated

import typer

from core.errors import Critic2fanError
from core.redact import RedactingFormatter, redact_text
from critic2fan.context import AppContext

COMMAND_MODULES = (
    "critic2fan.commands.core",
    "critic2fan.commands.listen",
    "critic2fan.commands.run",
    "critic2fan.commands.send",
    "critic2fan.commands.scoring",
    "critic2fan.commands.topics",
    "critic2fan.commands.playbook",
    "critic2fan.commands.board",
    "critic2fan.commands.digest",
    "critic2fan.commands.export",
)

app = typer.Typer(
    name="critic2fan",
    help="Find a brand's public critics and help community staff turn them into fans.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", metavar="URL", help="Database URL (default: CRITIC2FAN_DATABASE_URL or SQLite)."
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug details.")] = False,
) -> None:
    """Find a brand's public critics and help community staff turn them into fans."""
    configure_logging(verbose)
    ctx.obj = _LazyContext(db=db, verbose=verbose)


class _LazyContext:
    """Defers reading settings until a command needs them (so --help never fails)."""

    def __init__(self, *, db: str | None, verbose: bool) -> None:
        self.db = db
        self.verbose = verbose
        self._ctx: AppContext | None = None

    def get(self) -> AppContext:
        if self._ctx is None:
            self._ctx = AppContext.from_options(db=self.db, verbose=self.verbose)
        return self._ctx


def app_context(ctx: typer.Context) -> AppContext:
    """The shared context for a command (settings, database)."""
    root = ctx.find_root()
    lazy = root.obj
    if not isinstance(lazy, _LazyContext):  # invoked without the root callback (tests)
        lazy = _LazyContext(db=None, verbose=False)
        root.obj = lazy
    return lazy.get()


def configure_logging(verbose: bool) -> None:
    """Configure stdlib logging once: warnings by default, debug with ``--verbose``."""
    level = logging.DEBUG if verbose else logging.WARNING
    handler = logging.StreamHandler()
    # Any library may quote a URL in a log line or traceback: credentials in it are masked.
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for noisy in ("urllib3", "httpx", "httpcore", "filelock", "matplotlib", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # The one-off encoder build takes seconds of silence otherwise: say what is happening.
    logging.getLogger("scoring.onnx_build").setLevel(logging.DEBUG if verbose else logging.INFO)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(app)


_register_all()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI; product errors become one line on stderr and an exit code."""
    try:
        result = app(args=argv, prog_name="critic2fan", standalone_mode=False)
    except Critic2fanError as exc:
        if logging.getLogger().isEnabledFor(logging.DEBUG):
            logging.getLogger("critic2fan").exception("error")
        typer.echo(f"error: {redact_text(str(exc))}", err=True)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        raise
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
