"""Lay out an order as an invoice or a packing slip, as PDF bytes.

The invoice is for whoever pays: both addresses, prices, totals and the payment (masked, as the read
model already holds it). The packing slip goes in the box: the ship-to address, the items and
quantities, the gift message, and no price anywhere, since gift recipients must not see them.

Customer text is printed literally. fpdf2's built-in fonts only know Latin-1, so a Unicode font
(DejaVu Sans, present on most Linux servers) is used when one is found; without it, characters
outside Latin-1 are printed as ``?`` rather than failing the document.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from oms_core.documents.office import OfficeDetails
from oms_core.domain.customers import Address
from oms_core.domain.money import format_money
from oms_core.read_models import OrderView

UNICODE_FONT_CANDIDATES: tuple[tuple[Path, Path], ...] = (
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf")),
    (Path("/usr/share/fonts/TTF/DejaVuSans.ttf"), Path("/usr/share/fonts/TTF/DejaVuSans-Bold.ttf")),
)
"""Where DejaVu Sans (regular, bold) lives on the common Linux distributions."""

MARGIN_MM = 15
LINE_MM = 5


class DocumentKind(enum.Enum):
    """The documents oms prints for an order."""

    INVOICE = "invoice"
    PACKING_SLIP = "packing-slip"

    @property
    def title(self) -> str:
        """The heading printed on the page."""
        return "INVOICE" if self is DocumentKind.INVOICE else "PACKING SLIP"


def render(kind: DocumentKind, order: OrderView, office: OfficeDetails) -> bytes:
    """The PDF of ``kind`` for ``order``, from ``office``.

    Args:
        kind: invoice or packing slip.
        order: a placed (or later) order; drafts have no number and are refused by the caller.
        office: the sender block.

    Returns:
        The whole PDF file.
    """
    pdf = _Document(kind, order)
    pdf.add_page()
    pdf.office_block(office)
    pdf.addresses()
    pdf.lines_table()
    if kind is DocumentKind.INVOICE:
        pdf.totals()
        pdf.payments()
    else:
        pdf.gift_message()
    return bytes(pdf.output())


class _Document(FPDF):
    """One order's page(s), with a repeated footer that numbers them."""

    def __init__(self, kind: DocumentKind, order: OrderView) -> None:
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.kind = kind
        self.order = order
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=MARGIN_MM + 5)
        self.set_title(f"{kind.title.title()} {order.number or ''}".strip())
        self.set_creator("oms")
        self._family, self._unicode = _choose_font(self)

    # -- text helpers ----------------------------------------------------------------------------

    def text_of(self, value: str) -> str:
        """``value`` as it can be printed: control characters removed, Latin-1 if no Unicode font."""
        return _printable(value, self._unicode)

    def font(self, size: float, bold: bool = False) -> None:
        """Switch to the document's font at ``size`` points."""
        self.set_font(self._family, "B" if bold else "", size)

    def text_line(self, text: str, size: float = 10, bold: bool = False, align: str = "L") -> None:
        """One printed line (wrapped if it is too long), then move below it."""
        self.font(size, bold)
        self.multi_cell(0, LINE_MM, self.text_of(text), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def footer(self) -> None:
        """``Order 1501 - page 1 of 2`` at the foot of each page."""
        self.set_y(-MARGIN_MM)
        self.font(8)
        label = f"Order {self.order.number} - page {self.page_no()} of {{nb}}"
        self.cell(0, LINE_MM, label, align="C")

    # -- blocks ----------------------------------------------------------------------------------

    def office_block(self, office: OfficeDetails) -> None:
        """The sender on the left, the document's title and order facts on the right."""
        top = self.get_y()
        half = (self.w - 2 * MARGIN_MM) / 2
        self.font(14, bold=True)
        self.multi_cell(half, 7, self.text_of(office.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.font(9)
        for text in (*office.address_lines, office.contact_line()):
            if text:
                self.multi_cell(half, 4.5, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        left_bottom = self.get_y()
        self.set_xy(MARGIN_MM + half, top)
        self.font(16, bold=True)
        title = self.kind.title + (" (CANCELLED)" if self.order.status == "cancelled" else "")
        self.cell(half, 8, title, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.font(10)
        for text in _order_facts(self.order):
            self.cell(half, LINE_MM, self.text_of(text), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(MARGIN_MM, max(left_bottom, self.get_y()) + 6)

    def addresses(self) -> None:
        """Bill to and ship to side by side (the packing slip shows only where it goes)."""
        blocks: list[tuple[str, Sequence[str]]] = []
        if self.kind is DocumentKind.INVOICE:
            blocks.append(("Bill to", _address_lines(self.order.bill_to)))
        ship = list(_address_lines(self.order.ship_to))
        if self.order.shipping_method:
            ship.append(f"Shipping: {self.order.shipping_method}")
        blocks.append(("Ship to", ship))
        top = self.get_y()
        width = (self.w - 2 * MARGIN_MM) / 2
        bottom = top
        for index, (heading, lines) in enumerate(blocks):
            self.set_xy(MARGIN_MM + index * width, top)
            self.font(10, bold=True)
            self.cell(width, LINE_MM, heading, new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.font(10)
            for text in lines or ["(none)"]:
                self.multi_cell(width - 4, LINE_MM, self.text_of(text), new_x=XPos.LEFT, new_y=YPos.NEXT)
            bottom = max(bottom, self.get_y())
        self.set_xy(MARGIN_MM, bottom + 6)

    def lines_table(self) -> None:
        """The items: with prices on the invoice, with a tick column on the packing slip."""
        self.font(9)
        invoice = self.kind is DocumentKind.INVOICE
        if invoice:
            headings = ("SKU", "Item", "Qty", "Unit price", "Amount")
            widths = (28, 82, 14, 28, 28)
            align = ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT")
        else:
            headings = ("SKU", "Item", "Qty", "Packed")
            widths = (32, 106, 18, 24)
            align = ("LEFT", "LEFT", "RIGHT", "CENTER")
        with self.table(
            col_widths=widths,
            text_align=align,
            line_height=LINE_MM,
            first_row_as_headings=True,
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            table.row(headings)
            for line in self.order.lines:
                cells = [self.text_of(line.sku), self.text_of(line.name), str(line.quantity)]
                if invoice:
                    cells += [format_money(line.effective_price), format_money(line.line_total)]
                else:
                    cells.append("[  ]")
                table.row(cells)
        self.ln(4)

    def totals(self) -> None:
        """Subtotal, shipping, tax and total, right-aligned under the prices."""
        rows: list[tuple[str, Decimal]] = [
            ("Subtotal", self.order.subtotal),
            ("Shipping", self.order.shipping),
            ("Tax", self.order.tax),
            ("Total", self.order.total),
        ]
        for label, amount in rows:
            bold = label == "Total"
            self.font(10, bold)
            self.cell(self.w - 2 * MARGIN_MM - 30, LINE_MM, label, align="R")
            self.cell(30, LINE_MM, format_money(amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)

    def payments(self) -> None:
        """How the order was paid, masked as the read model holds it."""
        if not self.order.payments:
            return
        self.text_line("Payment", bold=True)
        for payment in self.order.payments:
            self.text_line(f"{payment.label}: {format_money(payment.amount)} ({payment.status})")

    def gift_message(self) -> None:
        """The gift message, printed in full for the recipient."""
        if not self.order.gift_message.strip():
            return
        self.ln(2)
        self.text_line("Gift message", bold=True)
        for paragraph in self.order.gift_message.splitlines() or [""]:
            self.text_line(paragraph, size=11)


def _order_facts(order: OrderView) -> list[str]:
    facts = [f"Order {order.number}"]
    if order.placed_at is not None:
        facts.append(f"Placed {order.placed_at:%m/%d/%Y}")
    if order.customer is not None:
        facts.append(f"Customer {order.customer.number}")
    return facts


def _address_lines(address: Address | None) -> list[str]:
    if address is None or address.is_blank():
        return []
    city_line = f"{address.city}, {address.state} {address.zip}".strip(" ,")
    lines = [address.name, address.company, address.address1, address.address2, city_line]
    if address.country and address.country != "US":
        lines.append(address.country)
    if address.phone:
        lines.append(address.phone)
    return [line for line in lines if line]


def _printable(value: str, unicode_font: bool) -> str:
    """Drop control and format characters (an escape sequence must not reach the PDF); without a
    Unicode font, fold accents away where Latin-1 lacks the letter and print ``?`` for the rest.
    """
    kept = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C" or ch == "\n")
    if unicode_font:
        return kept
    out = []
    for ch in kept:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            folded = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(folded or "?")
    return "".join(out)


def _choose_font(pdf: FPDF) -> tuple[str, bool]:
    """Register DejaVu Sans when the system has it; else fall back to the built-in Helvetica."""
    for regular, bold in UNICODE_FONT_CANDIDATES:
        if regular.is_file() and bold.is_file():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu", True
    return "helvetica", False
