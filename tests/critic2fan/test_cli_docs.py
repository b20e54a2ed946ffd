"""docs/cli.md is the CLI's own ``--help``: a changed command with stale docs fails here."""

from __future__ import annotations

from critic2fan.clidocs import DOC_PATH, command_paths, help_text, render


def test_cli_docs__match_the_help_output() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `python -m critic2fan.clidocs`"
    )


def test_cli_docs__every_command_has_a_description() -> None:
    paths = command_paths()

    assert ["demo"] in paths and ["playbook", "validate"] in paths and ["db", "upgrade"] in paths
    for path in paths:
        usage, _, rest = help_text(path).partition("\n\n")
        assert usage.startswith("Usage: critic2fan")
        assert rest.strip().split("\n")[0].strip(), f"{path} has no help line"
