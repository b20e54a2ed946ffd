"""``critic2fan run``: listen, score, work the playbook and send replies continuously."""

from __future__ import annotations

import signal
import time
from typing import Annotated

import typer

from critic2fan.cli import app_context
from critic2fan.commands.options import DurationOption, SourcesOption

#: Seconds between status lines on the terminal.
STATUS_EVERY_S = 10.0


def run_command(
    ctx: typer.Context,
    source: SourcesOption = None,
    listen: Annotated[
        bool, typer.Option("--listen/--no-listen", help="Run the collectors too.")
    ] = True,
    duration: DurationOption = None,
    interval: Annotated[
        float, typer.Option(metavar="SECONDS", help="Playbook pass interval (timers fire on time).")
    ] = 5.0,
) -> None:
    """Listen, score, run the playbook and send approved replies (Ctrl-C stops cleanly).

    Replies are sent on the platforms whose sources.<name>.send is on.
    """
    from critic2fan.pipeline import start_pipeline, status_line

    actx = app_context(ctx)
    pipeline = start_pipeline(actx, sources=source or [], listen=listen, interval_s=interval)
    for problem in pipeline.problems:
        typer.echo(problem, err=True)
    if listen and pipeline.runner is None:
        typer.echo("no source is listening; scoring and playbooks run on stored mentions", err=True)
    if pipeline.sending:
        typer.echo(f"sending approved replies on: {', '.join(pipeline.sending)}", err=True)
    previous = {
        sig: signal.signal(sig, lambda *_: pipeline.shutdown())
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    deadline = None if duration is None else time.monotonic() + duration
    last, next_status = "", 0.0
    try:
        while not pipeline.stop.is_set():
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                break
            if now >= next_status:  # counting is a scan: not every tick
                next_status = now + STATUS_EVERY_S
                line = status_line(actx.engine())
                if line != last:
                    typer.echo(line, err=True)
                    last = line
            pipeline.stop.wait(1.0)
    finally:
        pipeline.shutdown()
        pipeline.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    typer.echo(status_line(actx.engine()))


def register(app: typer.Typer) -> None:
    """Add ``run`` to the CLI."""
    app.command("run")(run_command)
