"""``critic2fan send``: post approved replies, once each, on the platforms with sending on."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer

from core.errors import ConfigError
from critic2fan.cli import app_context
from critic2fan.commands.options import DurationOption


def send_command(
    ctx: typer.Context,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            "-s",
            metavar="NAME",
            help="x, reddit, bluesky or mastodon (repeat; default: every one with sending on).",
        ),
    ] = None,
    duration: DurationOption = None,
    lease: Annotated[
        float,
        typer.Option(
            "--lease-seconds",
            min=60.0,
            metavar="SECONDS",
            help="How long a claimed reply is held (at least twice a platform call's 30 s "
            "timeout); a killed worker's replies are reconciled "
            "and sent by another after it.",
        ),
    ] = 120.0,
) -> None:
    """Post approved replies on the platforms with sending on, each exactly once (Ctrl-C stops)."""
    from datetime import timedelta

    from critic2fan.senders import build_senders
    from outbound.worker import run_sender

    actx = app_context(ctx)
    senders = build_senders(actx.settings, only=source or None)
    if not senders:
        raise ConfigError(
            "no platform has sending on (e.g. CRITIC2FAN_SOURCES__MASTODON__SEND=true)"
        )
    engine = actx.engine()
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    timer = None if duration is None else threading.Timer(duration, stop.set)
    if timer is not None:
        timer.daemon = True
        timer.start()
    typer.echo(f"sending on: {', '.join(sorted(senders))}; Ctrl-C stops", err=True)
    try:
        worker = run_sender(engine, senders, stop=stop, lease=timedelta(seconds=lease))
    finally:
        if timer is not None:
            timer.cancel()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    st = worker.stats
    typer.echo(
        f"{st.sent} sent, {st.failed} failed, {st.deferred} deferred, "
        f"{st.reconciled} found already posted"
    )


def register(app: typer.Typer) -> None:
    """Add ``send`` to the CLI."""
    app.command("send")(send_command)
