"""Plain text out of the HTML some platforms send (Mastodon statuses), safely.

The result is only ever shown as text, never as HTML, so tags are dropped, entities
decoded, paragraphs and line breaks kept as newlines; scripts and styles are skipped.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(self._skip - 1, 0)
        elif tag == "p":
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML fragment."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts).strip()
