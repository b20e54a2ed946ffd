"""PNG charts for the digest, drawn with matplotlib's Agg canvas (no display, no pyplot state).

Each function returns PNG bytes, attached to the email as a related part with a Content-ID.
Labels that come from data go through :func:`_plain` so ``$`` never starts mathtext.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from dashboard.digest.model import HourBucket

if TYPE_CHECKING:  # matplotlib is imported only when a chart is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import Locator

WIDTH_IN, HEIGHT_IN, DPI = 6.4, 2.6, 100
INK, MUTED, ALERT, CALM = "#1f2937", "#9ca3af", "#dc2626", "#2563eb"


def _figure(height: float = HEIGHT_IN) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


def _plain(label: str) -> str:
    """A data label safe from mathtext (``$...$``) interpretation."""
    return label.replace("$", r"\$")


def _whole_numbers() -> Locator:
    """Ticks for counts: whole numbers, spaced like matplotlib's default locator."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True)


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=INK, labelsize=8)


def hourly_chart(hours: Sequence[HourBucket], *, zone_name: str) -> bytes:
    """Mentions per local hour (negative part in red) against the day before (grey line)."""
    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    xs = [b.hour for b in hours]
    other = [b.mentions - b.negative for b in hours]
    ax.bar(xs, [b.negative for b in hours], color=ALERT, label="negative", width=0.8)
    ax.bar(xs, other, bottom=[b.negative for b in hours], color=CALM, label="other", width=0.8)
    ax.plot(
        xs, [b.before for b in hours], color=MUTED, lw=1.5, marker="o", ms=2.5, label="day before"
    )
    ax.yaxis.set_major_locator(_whole_numbers())
    ax.set_ylim(bottom=0)
    ax.set_xticks(range(0, 24, 3))
    ax.set_xlim(-0.6, 23.6)
    ax.set_xlabel(f"hour ({_plain(zone_name)})", fontsize=8, color=INK)
    ax.set_ylabel("mentions", fontsize=8, color=INK)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    _style(ax)
    return _png(fig)


def walkaway_chart(reasons: Mapping[str, int]) -> bytes:
    """Walk-aways by reason, largest first."""
    items = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    fig = _figure(height=max(1.2, 0.35 * len(items) + 0.6))
    ax = fig.add_subplot(1, 1, 1)
    labels = [_plain(k.replace("_", " ")) for k, _ in items]
    ax.barh(labels[::-1], [v for _, v in items][::-1], color=MUTED)
    ax.xaxis.set_major_locator(_whole_numbers())
    ax.set_xlabel("cases", fontsize=8, color=INK)
    _style(ax)
    return _png(fig)
