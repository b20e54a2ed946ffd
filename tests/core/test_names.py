"""Names and handles lose the invisible characters that would reorder or disguise them."""

from __future__ import annotations

import unicodedata

import pytest

from core.names import BIDI_CONTROLS, ZERO_WIDTH, clean_name, strip_invisible

RLO, PDF, ZWJ, ZWSP, BOM = "\u202e", "\u202c", "\u200d", "\u200b", "\ufeff"


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        (f"invoice{RLO}gnp.exe", "invoicegnp.exe"),  # would show as invoiceexe.png
        (f"Bright{ZWJ}loop Support", "Brightloop Support"),  # looks like the brand, is not
        (f"{BOM}{ZWSP}ana{ZWSP}", "ana"),
        ("\u2067\u05e9\u05dc\u05d5\u05dd\u2069 tom", "\u05e9\u05dc\u05d5\u05dd tom"),  # RLI … PDI
        (f"a\u200eb\u200fc\u061cd{PDF}", "abcd"),
        ("\u2066x\u2068y\u2060z", "xyz"),
        ("two\nlines\r\n and\ttabs\x00 ", "two lines and tabs"),
        ("\u3164", ""),  # a Hangul filler that renders as a blank name
        ("José 😀 Müller", "José 😀 Müller"),  # ordinary names are untouched
        (None, ""),
    ],
)
def test_clean_name__removes_bidi_zero_width_and_controls(hostile: str | None, shown: str) -> None:
    assert clean_name(hostile) == shown


def test_clean_name__leaves_no_format_character_from_the_named_sets() -> None:
    every = "".join(sorted(BIDI_CONTROLS | ZERO_WIDTH))
    cleaned = clean_name(f"x{every}y")
    assert cleaned == "xy"
    assert not any(unicodedata.category(ch) == "Cf" for ch in cleaned)


def test_named_sets__cover_the_documented_code_points() -> None:
    bidi = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
    assert bidi | {"\u200e", "\u200f", "\u061c"} == BIDI_CONTROLS
    assert {chr(c) for c in range(0x200B, 0x200E)} | {"\u2060", "\ufeff"} == ZERO_WIDTH


def test_strip_invisible__keeps_spacing_and_line_breaks() -> None:
    assert strip_invisible(f"a{RLO} b\nc{ZWJ}") == "a b\nc"
