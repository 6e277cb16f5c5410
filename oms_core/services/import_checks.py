"""Checking the rows of an order file against the rules and the catalogue, before anything is placed.

Every problem names its row and column, in words the client can act on: a missing field, an unknown
or discontinued SKU, a bad ZIP or state, an unknown shipping method, a ship date in the past, the
same recipient twice, or more units of a SKU than the file as a whole can have.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from oms_core.domain.addresses import MAX_FIELD, US_STATES, normalize_zip, zip_problem
from oms_core.domain.customers import Address
from oms_core.domain.imports import FIELD_HEADERS, ColumnRef, ImportProblem, ImportRow, OrderFile
from oms_core.domain.orders import GIFT_MESSAGE_MAX, MAX_LINE_QUANTITY, OrderSource
from oms_core.domain.payments import PaymentChoice
from oms_core.domain.products import Product, normalize_sku
from oms_core.domain.shipping import ShippingMethod
from oms_core.services.batch_placing import BatchOrderRequest

_REQUIRED = (
    ("first_name", "first name"),
    ("last_name", "last name"),
    ("address1", "address"),
    ("city", "city"),
    ("state", "state"),
    ("zip", "ZIP"),
)
_LONG_FIELDS = ("first_name", "last_name", "company", "address1", "address2", "city")


@dataclass(slots=True)
class CheckedFile:
    """The outcome of checking a file: one request per clean row, and every problem.

    Attributes:
        requests: the orders to place, for the rows without problems, top to bottom.
        rows_by_key: the spreadsheet row of each request's key.
        problems: every problem found, the reader's first.
        short_skus: SKUs the file as a whole orders more of than there is stock.
    """

    requests: list[BatchOrderRequest] = field(default_factory=list)
    rows_by_key: dict[str, int] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)
    short_skus: set[str] = field(default_factory=set)


def row_key(content_hash: str, round_number: int, row: int) -> str:
    """The idempotency key of a row's order: file hash, which import of that file, row number."""
    return f"import:{content_hash[:20]}:{round_number}:{row}"


class FileChecker:
    """Checks the rows of one file for one purchaser.

    Args:
        parsed: the file as read.
        purchaser_id: who pays for every order.
        payment: how each order is paid (``None`` while the operator has not chosen).
        products: the catalogue entries of the file's SKUs, keyed by upper-case SKU.
        methods: active shipping methods, keyed by upper-case code.
        default_method: the office's default shipping method code.
        today: ship dates before this are refused.
        round_number: 1 for the first import of this file, 2 for the second...
    """

    def __init__(
        self,
        parsed: OrderFile,
        purchaser_id: int,
        payment: PaymentChoice | None,
        products: dict[str, Product],
        methods: dict[str, ShippingMethod],
        default_method: str,
        today: date,
        round_number: int,
    ) -> None:
        self.parsed = parsed
        self.purchaser_id = purchaser_id
        self.payment = payment
        self.products = products
        self.methods = methods
        self.names = {m.name.strip().upper(): m.code for m in methods.values()}
        self.default_method = default_method
        self.today = today
        self.round_number = round_number
        self.refs = {name: parsed.column(name) for name in FIELD_HEADERS}
        if "full_name" in parsed.columns:
            self.refs["first_name"] = self.refs["last_name"] = parsed.columns["full_name"]

    def check(self) -> CheckedFile:
        """Check every row; build the requests of the rows that passed."""
        out = CheckedFile(problems=list(self.parsed.problems))
        bad_rows = {p.row for p in self.parsed.problems if p.row is not None}
        recipients: dict[tuple[str, str], int] = {}
        wanted: dict[int, int] = {}
        skus_by_row: dict[int, set[str]] = {}
        for row in self.parsed.rows:
            problems: list[ImportProblem] = []
            self._check_fields(row, problems)
            self._check_duplicate(row, recipients, problems)
            method = self._method(row, problems)
            lines = self._lines(row, problems, wanted)
            skus_by_row[row.row] = {sku for sku, _ in lines}
            if problems or row.row in bad_rows:
                out.problems.extend(problems)
                continue
            key = row_key(self.parsed.content_hash, self.round_number, row.row)
            out.rows_by_key[key] = row.row
            out.requests.append(self._request(key, row, method, lines))
        self._check_stock(wanted, out)
        if out.short_skus:
            out.requests = [
                r for r in out.requests if not skus_by_row[out.rows_by_key[r.key]] & out.short_skus
            ]
        return out

    # -- one row --------------------------------------------------------------------------------

    def _problem(self, problems: list[ImportProblem], row: ImportRow, name: str, reason: str) -> None:
        ref = self.refs.get(name) or ColumnRef("", "")
        problems.append(ImportProblem(row.row, ref.letter, ref.header, reason))

    def _check_fields(self, row: ImportRow, problems: list[ImportProblem]) -> None:
        for name, label in _REQUIRED:
            if not getattr(row, name):
                self._problem(problems, row, name, f"the recipient's {label} is missing")
        us = row.country in ("", "US")
        if row.state and us and row.state not in US_STATES:
            self._problem(problems, row, "state", f"{row.state!r} is not a US state code (e.g. CA)")
        if row.zip:
            reason = zip_problem(row.zip, row.country or "US")
            if reason:
                self._problem(problems, row, "zip", reason)
        if row.country and (len(row.country) != 2 or not row.country.isalpha()):
            self._problem(problems, row, "country", f"{row.country!r} is not a two-letter country code")
        for name in _LONG_FIELDS:
            if len(getattr(row, name)) > MAX_FIELD:
                self._problem(problems, row, name, f"longer than {MAX_FIELD} characters")
        if row.email and ("@" not in row.email or " " in row.email):
            self._problem(problems, row, "email", f"{row.email!r} is not an email address")
        if len(row.gift_message) > GIFT_MESSAGE_MAX:
            self._problem(
                problems,
                row,
                "gift_message",
                f"the gift message has {len(row.gift_message):,} characters; the limit is {GIFT_MESSAGE_MAX}",
            )
        if row.ship_date is not None and row.ship_date < self.today:
            self._problem(
                problems, row, "ship_date", f"the ship date {row.ship_date.isoformat()} is in the past"
            )

    def _check_duplicate(
        self, row: ImportRow, recipients: dict[tuple[str, str], int], problems: list[ImportProblem]
    ) -> None:
        if not (row.name and row.address1):
            return
        who = (f"{row.name}|{row.company}|{row.address1}|{row.address2}|{row.city}".lower(), row.zip[:5])
        first = recipients.setdefault(who, row.row)
        if first != row.row:
            self._problem(
                problems,
                row,
                "first_name",
                f"the same recipient as row {first}; put all their items on one row (SKU 2, Qty 2...)",
            )

    def _method(self, row: ImportRow, problems: list[ImportProblem]) -> str:
        text = row.ship_method.strip().upper()
        if not text:
            return self.default_method
        if text in self.methods:
            return text
        if text in self.names:
            return self.names[text]
        known = ", ".join(sorted(self.methods))
        self._problem(
            problems, row, "ship_method", f"unknown ship method {row.ship_method!r} (use one of {known})"
        )
        return ""

    def _lines(
        self, row: ImportRow, problems: list[ImportProblem], wanted: dict[int, int]
    ) -> list[tuple[str, int]]:
        if not row.items:
            ref = self.parsed.column("sku 1")
            problems.append(
                ImportProblem(row.row, ref.letter, ref.header, "no items: fill in SKU 1 and Qty 1")
            )
            return []
        merged: dict[str, int] = {}
        for item in row.items:
            sku = normalize_sku(item.sku)
            product = self.products.get(sku)
            if product is None or not product.active:
                header = self.parsed.column(f"sku {item.pair}").header
                reason = (
                    f"unknown SKU {item.sku!r}" if product is None else f"{product.sku} is no longer sold"
                )
                problems.append(ImportProblem(row.row, item.sku_column, header, reason))
                continue
            if item.quantity is None:
                continue  # the reader already said what is wrong with the quantity
            merged[product.sku] = merged.get(product.sku, 0) + item.quantity
            if merged[product.sku] > MAX_LINE_QUANTITY:
                qty_header = self.parsed.column(f"qty {item.pair}").header
                problems.append(
                    ImportProblem(
                        row.row,
                        item.qty_column,
                        qty_header,
                        f"{product.sku}: at most {MAX_LINE_QUANTITY:,} units per order",
                    )
                )
        for sku, quantity in merged.items():
            product_id = self.products[sku].id or 0
            wanted[product_id] = wanted.get(product_id, 0) + quantity
        return list(merged.items())

    def _request(
        self, key: str, row: ImportRow, method: str, lines: Sequence[tuple[str, int]]
    ) -> BatchOrderRequest:
        notes = [f"Imported from {self.parsed.filename}, row {row.row}"]
        if row.ship_date is not None:
            notes.append(f"Ship on {row.ship_date.isoformat()}")
        if row.email:
            notes.append(f"Recipient email: {row.email}")
        ship_to = Address(
            name=row.name,
            company=row.company,
            address1=row.address1,
            address2=row.address2,
            city=row.city,
            state=row.state.upper(),
            zip=normalize_zip(row.zip),
            country=row.country or "US",
            phone=row.phone,
        )
        return BatchOrderRequest(
            key=key,
            customer_id=self.purchaser_id,
            lines=tuple(lines),
            source=OrderSource.IMPORT,
            shipping_method=method,
            ship_to=ship_to,
            payment=self.payment,
            gift_message=row.gift_message,
            notes="\n".join(notes),
        )

    # -- the whole file -------------------------------------------------------------------------

    def _check_stock(self, wanted: dict[int, int], out: CheckedFile) -> None:
        by_id = {p.id or 0: p for p in self.products.values()}
        for product_id, quantity in sorted(wanted.items(), key=lambda item: by_id[item[0]].sku):
            product = by_id[product_id]
            if product.allow_backorder or quantity <= product.stock_on_hand:
                continue
            out.short_skus.add(product.sku)
            out.problems.append(
                ImportProblem(
                    None,
                    "",
                    "",
                    f"{product.sku}: the file orders {quantity:,} units and only "
                    f"{max(product.stock_on_hand, 0):,} are in stock",
                )
            )
