"""``critic2fan board`` (start the community board) and ``critic2fan users`` (staff accounts)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from critic2fan.cli import app_context

users_app = typer.Typer(help="Manage the staff who sign in to the board.", no_args_is_help=True)

ROLES_HELP = "agent (works cases), lead (also approves goodwill, incidents), analyst, admin"


def board_command(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Port to serve the board on.")] = 8501,
    demo: Annotated[
        bool,
        typer.Option("--demo", help="No sign-in (SQLite and loopback only); every page says so."),
    ] = False,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open a browser window.")
    ] = False,
    address: Annotated[
        str | None, typer.Option(help="Address to listen on (default: all; demo: 127.0.0.1).")
    ] = None,
) -> None:
    """Start the community board (Streamlit) on the configured database."""
    from critic2fan.board import check_demo_board, start_board

    actx = app_context(ctx)
    if demo:
        check_demo_board(actx.database_url, address)
    engine = actx.engine()  # checks the database and its schema before starting
    if not demo:
        from dashboard.auth import list_users

        if not any(u.active for u in list_users(engine)):
            typer.echo(
                "no active staff account yet: add one with "
                "`critic2fan users add NAME --role admin`, or start with --demo",
                err=True,
            )
            raise typer.Exit(2)
    engine.dispose()
    code = start_board(
        database_url=actx.database_url,
        demo=demo,
        port=port,
        open_browser=not no_browser,
        address=address,
    )
    raise typer.Exit(code)


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Sign-in name: lowercase letters, digits, . _ -")],
    role: Annotated[str, typer.Option(help=ROLES_HELP)] = "agent",
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    email: Annotated[str | None, typer.Option(help="E-mail address (for the digest).")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a staff account (the password is asked for, or read from stdin)."""
    from dashboard.auth import add_user

    actx = app_context(ctx)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = add_user(
        actx.engine(),
        username=username,
        password=password,
        role=role,
        display_name=name,
        email=email,
    )
    typer.echo(f"added {user.username} ({user.role})")


@users_app.command("list")
def users_list(ctx: typer.Context) -> None:
    """List staff accounts (never their password hashes)."""
    from dashboard.auth import list_users

    users = list_users(app_context(ctx).engine())
    if not users:
        typer.echo("no users yet: add one with `critic2fan users add NAME --role admin`")
        return
    typer.echo(f"{'username':<20} {'role':<8} {'active':<6} {'name':<24} email")
    for u in users:
        active = "yes" if u.active else "no"
        typer.echo(f"{u.username:<20} {u.role:<8} {active:<6} {u.display_name:<24} {u.email or ''}")


@users_app.command("disable")
def users_disable(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="Who to disable.")]
) -> None:
    """Stop an account from signing in; its open board sessions end at their next click."""
    from dashboard.auth import set_active

    set_active(app_context(ctx).engine(), username, active=False)
    typer.echo(f"disabled {username}")


@users_app.command("enable")
def users_enable(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="Who to enable.")]
) -> None:
    """Let a disabled account sign in again."""
    from dashboard.auth import set_active

    set_active(app_context(ctx).engine(), username, active=True)
    typer.echo(f"enabled {username}")


@users_app.command("role")
def users_role(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Whose role to change.")],
    role: Annotated[str, typer.Argument(help=ROLES_HELP)],
) -> None:
    """Give an account another role (an open board session follows at its next click)."""
    from dashboard.auth import set_role

    set_role(app_context(ctx).engine(), username, role)
    typer.echo(f"{username} is now {role}")


def register(app: typer.Typer) -> None:
    """Add ``board`` and ``users`` to the CLI."""
    app.command("board")(board_command)
    app.add_typer(users_app, name="users")
