"""Options shared by several commands, defined once."""

from __future__ import annotations

from typing import Annotated

import typer

SourcesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        "-s",
        metavar="NAME",
        help="x, reddit, bluesky or mastodon (repeat; default: enabled).",
    ),
]
DurationOption = Annotated[
    float | None, typer.Option("--for", metavar="SECONDS", help="Stop after this long.")
]
