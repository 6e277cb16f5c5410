"""Text hygiene for anything typed by a person or read from a file."""

from __future__ import annotations

import re
import unicodedata

# ANSI escape sequences as a terminal reads them (ECMA-48), in 7-bit and 8-bit forms:
# CSI (``ESC [ 31 m``), string commands such as OSC (``ESC ] 0;title BEL``) up to their
# terminator, and two-character escapes (``ESC c``).
_ESCAPE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]"
)


def strip_control(text: str) -> str:
    """Remove escape sequences whole, then control characters (NUL, bell...); keep spaces.

    Tabs and newlines become single spaces: fields are one line.
    """
    out = []
    for char in _ESCAPE.sub("", text):
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
