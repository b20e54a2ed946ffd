"""Rendering a digest: subject, plain text, HTML (autoescaped Jinja2, inline CSS) and charts.

Every piece of user text (mention text, handles, reasons) reaches the HTML only through
autoescaping; the plain-text part flattens it to one line and clips it, so a hostile post can
neither run script in a mail client nor break the layout of the text part. Handles and names go
through the ``name`` filter (:func:`core.names.clean_name`) in both parts: no bidirectional
control or zero-width character reorders or disguises them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import make_msgid
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from core.names import clean_name
from dashboard.digest import charts
from dashboard.digest.model import Digest, Fmt, Headline

_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Chart:
    """One inline PNG: its Content-ID (without angle brackets) and bytes."""

    cid: str
    png: bytes
    alt: str


@dataclass(frozen=True)
class RenderedDigest:
    """What goes into the email."""

    subject: str
    text: str
    html: str
    charts: dict[str, Chart] = field(default_factory=dict)


def oneline(value: Any) -> str:
    """Whitespace runs (newlines included) to one space; control and bidi-override chars out."""
    return _SPACE.sub(" ", _CONTROL.sub("", str(value))).strip()


def clip(value: Any, limit: int = 280) -> str:
    """One line of at most ``limit`` characters, with an ellipsis when cut."""
    text = oneline(value)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def num(value: float | None, fmt: Fmt = "int") -> str:
    """A headline value: ``–`` when unknown."""
    if value is None:
        return "–"
    if fmt == "pct":
        return f"{value * 100:.0f}%"
    if fmt == "min":
        return f"{value:.0f} min"
    return f"{value:,.0f}"


def delta(h: Headline) -> str:
    """The change against the day before, with an arrow."""
    d = h.delta
    if d is None:
        return "" if h.before is None and h.today is None else "n/a"
    if d == 0:
        return "= same"
    arrow = "▲" if d > 0 else "▼"
    if h.fmt == "pct":
        return f"{arrow} {abs(d) * 100:.0f} pts"
    if h.fmt == "min":
        return f"{arrow} {abs(d):.0f} min"
    return f"{arrow} {abs(d):,.0f}"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("dashboard.digest", "templates"),
        autoescape=select_autoescape(
            enabled_extensions=("html.j2",), disabled_extensions=("txt.j2",), default=True
        ),
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters.update(
        oneline=oneline,
        name=clean_name,
        clip=clip,
        num=num,
        delta=delta,
        hm=lambda t: t.strftime("%H:%M"),
        when=lambda t: t.strftime("%d %b %H:%M %Z").strip(),
    )
    return env


_ENV = _environment()


def subject_line(d: Digest) -> str:
    """The subject: brand, day and the two numbers a lead cares most about."""
    fans = sum(1 for _ in d.conversions)
    text = (
        f"{d.brand} digest {d.window.day.isoformat()}: {d.new_critics_total} new critic"
        f"{'s' if d.new_critics_total != 1 else ''}, {fans} turned fan"
        f"{'s' if fans != 1 else ''}, {len(d.breaches)} SLA breach"
        f"{'es' if len(d.breaches) != 1 else ''}"
    )
    return oneline(text)


def render_digest(d: Digest, *, domain: str = "critic2fan.local") -> RenderedDigest:
    """Render the digest and its charts; chart Content-IDs are unique per rendering."""
    made: dict[str, Chart] = {
        "hourly": Chart(
            _cid(domain),
            charts.hourly_chart(d.hourly, zone_name=str(d.window.zone)),
            "Mentions per hour",
        )
    }
    if d.walkaways:
        made["walkaways"] = Chart(_cid(domain), charts.walkaway_chart(d.walkaways), "Walk-aways")
    subject = subject_line(d)
    context: dict[str, Any] = {
        "d": d,
        "zone": str(d.window.zone),
        "subject": subject,
        "cids": {name: chart.cid for name, chart in made.items()},
    }
    html = _ENV.get_template("digest.html.j2").render(context)
    text = _ENV.get_template("digest.txt.j2").render(context)
    return RenderedDigest(subject=subject, text=text, html=html, charts=made)


def _cid(domain: str) -> str:
    return make_msgid(domain=domain)[1:-1]


def preview_html(rendered: RenderedDigest) -> str:
    """The HTML with charts inlined as ``data:`` URIs, for viewing in a browser."""
    import base64

    html = rendered.html
    for chart in rendered.charts.values():
        uri = "data:image/png;base64," + base64.b64encode(chart.png).decode("ascii")
        html = html.replace(f'src="cid:{chart.cid}"', f'src="{uri}"')
    return html
