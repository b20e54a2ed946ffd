"""``critic2fan listen``: run the configured collectors side by side with a live status line."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from core.errors import ConfigError
from critic2fan.cli import app_context
from critic2fan.commands.options import DurationOption, SourcesOption

if TYPE_CHECKING:
    from rich.table import Table

    from listener.loop import LoopStats
    from listener.runner import Runner


def listen_command(
    ctx: typer.Context,
    source: SourcesOption = None,
    duration: DurationOption = None,
    status: Annotated[
        bool, typer.Option("--status/--no-status", help="Live status table (on a terminal).")
    ] = True,
) -> None:
    """Listen to the platforms and store every mention of the brand (Ctrl-C stops cleanly)."""
    from listener.runner import Runner, matcher_for, plan_sources

    actx = app_context(ctx)
    plan = plan_sources(actx.settings.sources, actx.settings.brand, source or [])
    for problem in plan.problems:
        typer.echo(problem, err=True)
    if not plan.sources:
        hint = "" if source else " (enable one, e.g. CRITIC2FAN_SOURCES__BLUESKY__ENABLED=true)"
        raise ConfigError(f"no source can run{hint}")
    runner = Runner(
        plan.sources, actx.engine(), matcher_for(actx.settings.brand, actx.settings.sources)
    )
    runner.install_signal_handlers()
    runner.start()
    typer.echo(f"listening: {', '.join(s.name for s in plan.sources)}", err=True)
    deadline = None if duration is None else time.monotonic() + duration
    live = status and sys.stdout.isatty()
    try:
        if live:
            from rich.live import Live

            with Live(_table(runner.stats()), refresh_per_second=2, transient=False) as view:
                while runner.alive():
                    view.update(_table(runner.stats()))
                    _tick(runner, deadline)
        else:
            while runner.alive():
                _tick(runner, deadline)
    finally:
        runner.stop()
        runner.join(timeout=15)
    for st in runner.stats():
        typer.echo(_summary(st))


def _tick(runner: Runner, deadline: float | None) -> None:
    time.sleep(0.5)
    if deadline is not None and time.monotonic() >= deadline:
        runner.stop()


def _summary(st: LoopStats) -> str:
    error = f", last error: {st.last_error}" if st.last_error else ""
    return (
        f"{st.source}: {st.received} read, {st.matched} matched, {st.stored} stored, "
        f"{st.duplicates} duplicates, {st.deleted} deleted, {st.errors} errors{error}"
    )


def _table(stats: list[LoopStats]) -> Table:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="critic2fan listen (Ctrl-C stops)", expand=False)
    for col in ("source", "read", "matched", "stored", "dup", "lag", "errors", "last error"):
        table.add_column(
            col,
            justify="right" if col in ("read", "matched", "stored", "dup", "errors") else "left",
        )
    for st in stats:
        lag = st.lag_seconds()
        table.add_row(
            st.source,
            str(st.received),
            str(st.matched),
            str(st.stored),
            str(st.duplicates),
            "-" if lag is None else f"{lag:.0f}s",
            str(st.errors),
            Text(st.last_error or ("" if st.running else "stopped"))[:80],  # never markup
        )
    return table


def register(app: typer.Typer) -> None:
    """Add ``listen`` to the CLI."""
    app.command("listen")(listen_command)
