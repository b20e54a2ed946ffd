"""The digest and the exports run without Streamlit (cron, systemd, the CLI)."""

from __future__ import annotations

import subprocess
import sys


def test_imports__digest_and_exports_do_not_load_streamlit_or_pyplot() -> None:
    code = (
        "import sys, dashboard.digest, dashboard.exports, critic2fan.cli\n"
        "bad = [m for m in ('streamlit', 'matplotlib.pyplot') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
