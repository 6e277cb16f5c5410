"""Who the documents come from: the office's name and address, printed at the top of every page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OfficeDetails:
    """The sender block of an invoice or a packing slip.

    Attributes:
        name: the business name, e.g. ``Hillside Cellars``.
        address_lines: the postal address, one entry per printed line.
        phone: the office's phone number as it should be printed.
        email: the office's email address, or ``""``.
    """

    name: str = "oms"
    address_lines: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""

    def contact_line(self) -> str:
        """Phone and email on one line, whichever are known."""
        return "  ".join(part for part in (self.phone, self.email) if part)
