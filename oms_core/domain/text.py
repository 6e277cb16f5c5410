"""Text hygiene for anything typed by a person or read from a file."""

from __future__ import annotations

import unicodedata


def strip_control(text: str) -> str:
    """Remove control characters (escape sequences, NUL, bell...) but keep ordinary spaces.

    Tabs and newlines become single spaces: fields are one line.
    """
    out = []
    for char in text:
        if char in "\t\r\n":
            out.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cf") and char != "\u200d":
            continue
        else:
            out.append(char)
    return "".join(out)


def clean_field(text: str | None) -> str:
    """A one-line field as it will be stored: control characters removed, trimmed."""
    return strip_control(text or "").strip()


def clean_multiline(text: str | None) -> str:
    """Notes and gift messages keep their line breaks but lose every other control character."""
    lines = (strip_control(line).rstrip() for line in (text or "").splitlines())
    return "\n".join(lines).strip()
