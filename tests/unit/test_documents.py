"""Invoices and packing slips: what each shows, what the packing slip hides, and customer text printed
literally. Each PDF is read back as text."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader

from oms_core.documents import pdf as pdf_module
from oms_core.documents.files import write_documents
from oms_core.documents.office import OfficeDetails
from oms_core.documents.pdf import DocumentKind, render
from oms_core.domain.customers import Address
from oms_core.domain.errors import OmsError, ValidationError
from oms_core.read_models import CustomerSummary, LineView, OrderView, PaymentView

OFFICE = OfficeDetails(
    name="Hillside Cellars",
    address_lines=("12 Vine Road", "Napa, CA 94558"),
    phone="(707) 555-0100",
    email="orders@hillside.example",
)


def line(sku: str, name: str, quantity: int, price: str) -> LineView:
    unit = Decimal(price)
    return LineView(
        id=hash(sku) % 1000,
        sku=sku,
        name=name,
        quantity=quantity,
        unit_price=unit,
        price_override=None,
        override_reason="",
        effective_price=unit,
        line_total=unit * quantity,
        line_tax=Decimal("0.00"),
    )


def order(**changes: object) -> OrderView:
    customer = CustomerSummary(
        id=7, number="C000007", first_name="Ada", last_name="Byron", company="", email="ada@example.com",
        phone="5035550101", city="Portland", state="OR", type_code="RETAIL", status="active",
    )  # fmt: skip
    values: dict[str, object] = dict(
        id=41,
        number=1501,
        status="placed",
        source="phone",
        customer=customer,
        operator="agarcia",
        placed_at=datetime(2026, 11, 28, 15, 30, tzinfo=UTC),
        bill_to=Address(name="Ada Byron", address1="1 Main St", city="Portland", state="OR", zip="97201"),
        ship_to=Address(name="Grace Hopper", address1="9 Elm Ave", city="Salem", state="OR", zip="97301"),
        shipping_method="GROUND",
        lines=(
            line("CAB-2019-750", "Cabernet 2019 750ml", 2, "42.50"),
            line("GIFT-100", "Gift card", 1, "100.00"),
        ),
        subtotal=Decimal("185.00"),
        shipping=Decimal("12.00"),
        tax=Decimal("0.00"),
        total=Decimal("197.00"),
        payments=(
            PaymentView("card", "Visa ending 4242, exp 04/28", Decimal("197.00"), "authorized", "tok_1"),
        ),
        gift_message="Happy birthday, Grace!\nFrom Ada",
        notes="call before delivery (internal)",
    )
    values.update(changes)
    return OrderView(**values)  # type: ignore[arg-type]


def text_of(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_an_invoice_shows_the_office_both_addresses_lines_totals_and_the_masked_payment():
    text = text_of(render(DocumentKind.INVOICE, order(), OFFICE))
    for expected in (
        "Hillside Cellars", "12 Vine Road", "(707) 555-0100", "INVOICE", "Order 1501", "Placed 11/28/2026",
        "Bill to", "1 Main St", "Ship to", "9 Elm Ave", "CAB-2019-750", "Cabernet 2019 750ml",
        "42.50", "85.00", "185.00", "12.00", "197.00", "Visa ending 4242",
    ):  # fmt: skip
        assert expected in text, expected
    assert "call before delivery" not in text  # internal notes stay inside the office


def test_a_packing_slip_has_the_gift_message_and_no_price_anywhere():
    text = text_of(render(DocumentKind.PACKING_SLIP, order(), OFFICE))
    assert "PACKING SLIP" in text
    assert "Happy birthday, Grace!" in text and "From Ada" in text
    assert "9 Elm Ave" in text and "GROUND" in text
    assert "1 Main St" not in text  # the payer's address is not the recipient's business
    for price in ("42.50", "85.00", "100.00", "185.00", "197.00", "4242", "$"):
        assert price not in text, price


def test_customer_text_is_printed_literally_without_control_characters():
    hostile = Address(
        name="[bold]Mallory[/bold] \x1b[31mred", address1="1 Main St", city="X", state="OR", zip="1"
    )
    text = text_of(render(DocumentKind.INVOICE, order(bill_to=hostile), OFFICE))
    assert "[bold]Mallory[/bold]" in text
    assert "\x1b" not in text


def test_without_a_unicode_font_non_latin_text_degrades_instead_of_failing(monkeypatch):
    monkeypatch.setattr(pdf_module, "UNICODE_FONT_CANDIDATES", ())
    ship = Address(name="Zoë Łukasz 李", address1="9 Elm Ave", city="Salem", state="OR", zip="97301")
    text = text_of(render(DocumentKind.PACKING_SLIP, order(ship_to=ship), OFFICE))
    assert "Zoë" in text and "ukasz" in text


def test_a_long_order_runs_onto_numbered_pages():
    many = tuple(line(f"SKU-{n:03d}", f"Wine number {n}", 1, "10.00") for n in range(120))
    reader = PdfReader(io.BytesIO(render(DocumentKind.INVOICE, order(lines=many), OFFICE)))
    assert len(reader.pages) > 1
    assert "page 2 of" in reader.pages[1].extract_text()


def test_documents_are_written_one_per_order_into_an_existing_folder(tmp_path):
    written = write_documents(DocumentKind.INVOICE, [order(), order(number=1502)], OFFICE, tmp_path)
    assert [p.name for p in written] == ["invoice-1501.pdf", "invoice-1502.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF") for p in written)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["invoice-1501.pdf", "invoice-1502.pdf"]


def test_a_missing_folder_is_refused_and_never_created(tmp_path):
    with pytest.raises(OmsError, match="there is no folder .*nope"):
        write_documents(DocumentKind.INVOICE, [order()], OFFICE, tmp_path / "nope")
    assert not (tmp_path / "nope").exists()


def test_a_draft_among_the_orders_writes_nothing(tmp_path):
    with pytest.raises(ValidationError, match="draft"):
        write_documents(DocumentKind.INVOICE, [order(), order(number=None)], OFFICE, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_target_that_is_not_a_regular_file_is_not_replaced(tmp_path):
    (tmp_path / "invoice-1501.pdf").symlink_to("/dev/null")
    with pytest.raises(OmsError, match="symbolic link"):
        write_documents(DocumentKind.INVOICE, [order()], OFFICE, tmp_path)
    assert (tmp_path / "invoice-1501.pdf").is_symlink()
