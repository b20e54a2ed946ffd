"""Screenshots of every board page for the docs.

``python -m tests.dashboard.screenshots --db sqlite:///data/critic2fan.db --out docs/img``
starts the board in demo mode on that database and saves ``board-<page>.png`` for each page
(and ``board-sign-in.png`` from a normal start).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tests.dashboard.board_browser import chromium_page, running_board, wait_idle

PAGES = ("queue", "case", "overview", "people", "fairness", "playbook", "export")


def shoot(database_url: str, out: Path, *, case_id: int | None = None) -> list[Path]:
    """Save one PNG per page; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "board.log"
        with running_board(database_url, demo=False, log_path=log) as base, chromium_page() as page:
            page.goto(base)
            page.get_by_role("button", name="Sign in").wait_for()
            saved.append(out / "board-sign-in.png")
            page.screenshot(path=str(saved[-1]))
        with (
            running_board(database_url, demo=True, log_path=log) as base,
            chromium_page(1440, 1500) as page,
        ):
            for name in PAGES:
                url = f"{base}/{name}"
                if name == "queue":
                    url = base
                elif name == "case":
                    url = f"{base}/case?case={case_id}" if case_id else f"{base}/case"
                page.goto(url)
                page.get_by_role("heading").first.wait_for(timeout=60_000)
                wait_idle(page, timeout=120_000)
                page.wait_for_timeout(1500)  # charts draw after the script finishes
                saved.append(out / f"board-{name}.png")
                page.screenshot(path=str(saved[-1]))
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="Database URL with the demo data")
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    parser.add_argument("--case", type=int, help="Case to show on the case page")
    args = parser.parse_args()
    for path in shoot(args.db, args.out, case_id=args.case):
        print(path)


if __name__ == "__main__":
    main()
