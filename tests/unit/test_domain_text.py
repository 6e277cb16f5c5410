"""Text hygiene: control characters and escape sequences go, markup-looking text stays."""

from __future__ import annotations

import pytest

from oms_core.domain.text import clean_field, clean_multiline, strip_control


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("\x1b[31mRed\x1b[0m Smith", "Red Smith"),
        ("Ann\x1b[2J\x1b[H", "Ann"),
        ("\x1b]0;owned\x07Ann", "Ann"),
        ("\x9b31mAnn", "Ann"),
        ("A\x00n\x07n", "Ann"),
    ],
)
def test_strip_control_removes_whole_escape_sequences(typed: str, expected: str) -> None:
    assert strip_control(typed) == expected


def test_markup_looking_text_is_kept_literally() -> None:
    assert strip_control("[bold]Ann[/bold] [link=x]") == "[bold]Ann[/bold] [link=x]"


def test_tabs_and_newlines_become_spaces_in_a_one_line_field() -> None:
    assert strip_control("Ann\tB\r\nSmith") == "Ann B  Smith"


def test_accents_and_joined_emoji_survive() -> None:
    assert strip_control("Zoë 👩\u200d👩\u200d👧") == "Zoë 👩\u200d👩\u200d👧"


def test_clean_field_trims_and_accepts_none() -> None:
    assert clean_field("  Ann\x1b[1m  ") == "Ann"
    assert clean_field(None) == ""


def test_clean_multiline_keeps_line_breaks_but_not_escapes() -> None:
    assert clean_multiline("Happy\x1b[5m birthday \nfrom Ann\n\n") == "Happy birthday\nfrom Ann"
