"""Core commands: ``config show``, ``db upgrade``, ``import`` and ``demo``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from critic2fan.cli import app_context

config_app = typer.Typer(help="Inspect the settings.", no_args_is_help=True)
db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


@config_app.command("show")
def config_show(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of TOML-ish text.")
    ] = False,
) -> None:
    """Print the effective settings, secrets masked."""
    from critic2fan.settings import config_file_path, masked_dump

    actx = app_context(ctx)
    data = masked_dump(actx.settings)
    data["database_url"] = _masked_url(actx.database_url)
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    source = config_file_path()
    typer.echo(f"# config file: {source or 'none'}; environment prefix CRITIC2FAN_")
    _print_tree(data, prefix="")


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Create or migrate the database schema to the newest revision."""
    from store.engine import make_engine
    from store.migrate import current_revision, upgrade

    actx = app_context(ctx)
    engine = make_engine(actx.database_url)
    before = current_revision(engine)
    after = upgrade(engine, revision)
    typer.echo(f"database {_masked_url(actx.database_url)}: {before or 'empty'} -> {after}")


def import_command(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE", help="Files to import (CSV, JSONL or a known export)."),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="csv, jsonl, x-archive or reddit-json (default: detected).",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Only check; refuse what an import would; store nothing."),
    ] = False,
) -> None:
    """Import mentions from files; each refused row is named by line, the good ones stored.

    Exit 0 when every row was stored (or, with --dry-run, valid); 1 when some rows were
    refused; 2 when a file could not be read at all (the other files are still imported);
    3 when the database could not be reached.
    """
    from core.errors import InputError
    from listener.importer import import_file
    from listener.runner import brand_identity

    actx = app_context(ctx)
    engine = None if dry_run else actx.engine()
    brand = brand_identity(actx.settings.brand, actx.settings.sources)
    limit = actx.settings.imports.max_line_bytes
    any_bad = unreadable = False
    for path in files:
        try:
            report = import_file(
                engine, path, brand=brand, fmt=fmt, dry_run=dry_run, max_line_bytes=limit
            )
        except InputError as exc:
            typer.echo(f"{path}: {exc}", err=True)
            unreadable = True
            continue
        for bad in report.bad:
            typer.echo(f"{path}:{bad.line}: {bad.reason}", err=True)
        if report.untrusted_brand:
            typer.echo(f"{path}: warning: {_untrusted_brand(report.untrusted_brand)}", err=True)
        any_bad = any_bad or bool(report.bad)
        if dry_run:
            typer.echo(f"{path}: {report.rows} rows, {report.good} valid, {len(report.bad)} bad")
        else:
            w = report.written
            typer.echo(
                f"{path}: {report.rows} rows: {w.inserted} new, {w.duplicates} already stored, "
                f"{w.deleted + w.tombstoned} deletions, {len(report.bad)} bad"
            )
    if unreadable:
        raise typer.Exit(2)
    if any_bad:
        raise typer.Exit(1)


def demo_command(
    ctx: typer.Context,
    no_board: Annotated[
        bool, typer.Option("--no-board", help="Stop after the summary; do not start the board.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port for the board.")] = 8501,
) -> None:
    """Load the bundled sample, score it, run the playbook, print a summary, open the board.

    Only into an empty database or the demo's own; the board needs SQLite.
    """
    from critic2fan.board import check_demo_board
    from critic2fan.demo import print_summary, run_demo

    actx = app_context(ctx)
    if not no_board:
        check_demo_board(actx.database_url, None)
    summary = run_demo(actx)
    print_summary(summary)
    if no_board:
        return
    from critic2fan.board import start_board

    raise typer.Exit(start_board(database_url=actx.database_url, demo=True, port=port))


def register(app: typer.Typer) -> None:
    """Add the core commands to the CLI."""
    app.add_typer(config_app, name="config")
    app.add_typer(db_app, name="db")
    app.command("import")(import_command)
    app.command("demo")(demo_command)


def _untrusted_brand(lines: list[int]) -> str:
    """One line for the rows whose ``is_brand`` was not believed."""
    shown = ", ".join(str(n) for n in lines[:10]) + (", …" if len(lines) > 10 else "")
    rows = f"{len(lines)} row{'s' if len(lines) != 1 else ''}"
    return (
        f"{rows} said is_brand for an account not in brand.accounts (line {shown}); "
        "their authors are stored as ordinary authors"
    )


def _masked_url(url: str) -> str:
    from core.redact import mask_url

    return mask_url(url)


def _print_tree(data: dict[str, object], prefix: str) -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and key != "recipients":
            _print_tree(value, prefix=f"{name}.")
        else:
            typer.echo(f"{name} = {json.dumps(value, default=str)}")
