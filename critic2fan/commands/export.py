"""``critic2fan export``: mentions, cases, case events, goodwill, topics or the product report,
for analysts."""

from __future__ import annotations

import sys
from datetime import datetime, time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from core.errors import ConfigError, InputError
from critic2fan.cli import app_context


def export_command(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, jsonl or parquet.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file ('-' for stdout).")],
    dataset: Annotated[
        str,
        typer.Option(
            "--dataset",
            "-d",
            help="mentions, cases, case_events, goodwill, topics (the discovered ones),"
            " case_topics (case counts per topic) or product_report (per topic: volume, trend,"
            " negative share, reach, examples, fans won back over --since/--until, default the"
            " last 7 days).",
        ),
    ] = "mentions",
    since: Annotated[
        str | None,
        typer.Option(
            help="First day or time to include (YYYY-MM-DD or ISO; local to --tz); bounds the"
            " dataset's time column (created_at, opened_at, at)."
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="Stop before this day or time (exclusive; local to --tz)."),
    ] = None,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help="Only these sources (repeat or comma-separate)."),
    ] = None,
    fields: Annotated[
        str | None, typer.Option(help="Comma-separated columns (default: all; see docs).")
    ] = None,
    anonymize: Annotated[
        bool, typer.Option(help="Replace author ids, handles and post ids with salted hashes.")
    ] = False,
    salt: Annotated[
        str | None, typer.Option(help="HMAC key for --anonymize (default: secret_key).")
    ] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="Time zone of --since/--until (default: brand's).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Stream a dataset (mentions with their latest score and case, cases, ...) to a file."""
    from dashboard.exports import export_rows
    from dashboard.exports.datasets import dataset as find_dataset

    actx = app_context(ctx)
    settings = actx.settings
    zone = _zone(tz or settings.brand.timezone)
    key = salt if salt else settings.secret_key
    sources = [s for part in source or [] for s in part.split(",") if s.strip()]
    target = sys.stdout.buffer if str(out) == "-" else out
    chosen = find_dataset(dataset)
    rows = export_rows(
        actx.engine(),
        fmt=fmt,
        out=target,
        dataset=chosen.name,
        since=_moment(since, zone, "--since"),
        until=_moment(until, zone, "--until"),
        sources=sources or None,
        fields=fields,
        anonymize=anonymize,
        salt=key if anonymize else None,
        progress=not quiet,
    )
    if target is not sys.stdout.buffer:
        typer.echo(f"exported {rows} {chosen.noun} to {out}", err=True)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"unknown time zone {name!r} (use an IANA name like Europe/Paris)"
        raise ConfigError(msg) from None


def _moment(value: str | None, zone: ZoneInfo, option: str) -> datetime | None:
    """A date (midnight) or an ISO datetime; naive values are local to ``zone``."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        msg = f"{option}: expected YYYY-MM-DD or an ISO datetime, got {value!r}"
        raise InputError(msg) from None
    if len(value) == 10:  # a bare date
        parsed = datetime.combine(parsed.date(), time(0))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def register(app: typer.Typer) -> None:
    """Add ``export`` to the CLI."""
    app.command("export")(export_command)
