"""``critic2fan digest``: the day's digest email, written to a file, sent, or sent daily."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from critic2fan.cli import app_context


def digest_command(
    ctx: typer.Context,
    date: Annotated[
        str | None, typer.Option(help="Day to report, YYYY-MM-DD (default: yesterday in --tz).")
    ] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="Time zone of the day (default: brand.timezone).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the message to this .eml file.")
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Send it over SMTP (settings.smtp).")
    ] = False,
    to_role: Annotated[
        str, typer.Option("--to-role", help="Recipients: this role's addresses and users.")
    ] = "lead",
    attempts: Annotated[
        int, typer.Option("--attempts", min=1, help="SMTP tries before giving up (backoff).")
    ] = 5,
    daily_at: Annotated[
        str | None,
        typer.Option("--daily-at", help="Keep running; send every day at HH:MM in --tz."),
    ] = None,
) -> None:
    """Build the daily digest; without --out or --send, print its text version."""
    from core.clock import utcnow
    from dashboard.digest import SmtpMailer, parse_zone, run_digest
    from dashboard.digest.window import parse_day
    from playbooks import load_active_playbook

    actx = app_context(ctx)
    settings = actx.settings
    zone = parse_zone(tz or settings.brand.timezone)
    day = parse_day(date) if date else None
    role = to_role.strip().lower()
    mailer = SmtpMailer(settings.smtp, attempts=attempts)
    playbook = load_active_playbook(settings.playbook_path, settings.facts_path)

    if daily_at is not None:
        from dashboard.digest.schedule import next_run, parse_hhmm, run_daily

        parse_hhmm(daily_at)
        if date:
            raise typer.BadParameter("--daily-at always reports the day before; drop --date")
        engine = actx.engine()

        def job() -> None:
            run = run_digest(
                engine, settings, zone=zone, send=True, role=role, mailer=mailer, playbook=playbook
            )
            typer.echo(f"digest for {run.day} sent to {len(run.recipients)} recipient(s)", err=True)

        first = next_run(daily_at, zone, utcnow()).isoformat(timespec="minutes")
        typer.echo(f"sending the digest daily at {daily_at} {zone}; next at {first}", err=True)
        run_daily(job, daily_at, zone)
        return

    run = run_digest(
        actx.engine(),
        settings,
        day=day,
        zone=zone,
        out=out,
        send=send,
        role=role,
        mailer=mailer,
        playbook=playbook,
    )
    if run.path is not None:
        typer.echo(f"digest for {run.day} written to {run.path}", err=True)
    if run.sent:
        typer.echo(f"digest for {run.day} sent to {len(run.recipients)} recipient(s)", err=True)
    if not out and not send:
        typer.echo(run.rendered.text, nl=False)


def register(app: typer.Typer) -> None:
    """Add ``digest`` to the CLI."""
    app.command("digest")(digest_command)
