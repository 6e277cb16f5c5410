"""Importing orders from a spreadsheet: one purchaser pays, each row is a recipient and an order.

The service receives the file already read (:class:`~oms_core.domain.imports.OrderFile`, from
``oms_core.spreadsheets.reader``); it never opens a spreadsheet itself. Two steps:

``dry_run``
    Checks every row and prices the orders as they would be placed now, writing nothing: number of
    orders, units per SKU, subtotal, shipping, tax and total, and every problem with its row, column
    and reason. Earlier imports of the same file (same sha256) are reported.
``run``
    All or nothing, in checkout's three steps (:mod:`oms_core.services.import_steps`): one
    transaction checks the rows again, takes the stock and records the card payments pending; the
    gateway is asked with no transaction open; a second transaction writes every order and records
    the file in ``import_files``. If any row's card is declined, nothing is placed and every
    authorisation taken is voided; if the process dies, reconciliation voids them and gives the
    stock back, so no order from the file exists.

Payment is the purchaser's: a card on file, a new card (tokenised first), a check, cash or on
account where the customer type allows it; either one payment for the whole file (one authorisation
for the grand total, recorded on every order with its share) or one per order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from oms_core.domain.customers import CardOnFile, Customer
from oms_core.domain.errors import OmsError, ValidationError
from oms_core.domain.imports import ImportFileRecord, ImportProblem, OrderFile, ordered_problems
from oms_core.domain.money import ZERO, money
from oms_core.domain.payments import CardEntry, PaymentChoice, PaymentMethod
from oms_core.domain.placing import card_choice, check_payment_allowed, payment_not_allowed
from oms_core.domain.products import normalize_sku
from oms_core.domain.text import clean_field
from oms_core.ports import UnitOfWork
from oms_core.read_models import CustomerSummary
from oms_core.services import import_steps
from oms_core.services.batch_placing import BatchOrderResult, preview_orders
from oms_core.services.batch_steps import PendingBatch, abandon_approved
from oms_core.services.context import ServiceContext
from oms_core.services.drafts import PricingContext
from oms_core.services.import_checks import CheckedFile, FileChecker
from oms_core.services.import_steps import BatchRejected
from oms_core.services.retry import retry_on_conflict
from oms_core.services.views import customer_summary

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: stage is ``checking``, ``placing``, ``saving`` or ``done``."""


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What an import would do, for the operator to confirm. Nothing has been written.

    Attributes:
        orders: data rows in the file (one order each).
        ready: orders that passed every check and were priced.
        units: (SKU, units) over the priced orders, by SKU.
        subtotal: merchandise over the priced orders; ``shipping``, ``tax``, ``total`` likewise.
        problems: every problem, the whole file's first; the import cannot run until there are none.
        warnings: what the operator should know (ignored columns, skipped example row).
        earlier_imports: earlier imports of the very same file.
    """

    filename: str
    content_hash: str
    purchaser: CustomerSummary
    payment_label: str
    one_payment: bool
    orders: int
    ready: int
    units: tuple[tuple[str, int], ...]
    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    problems: tuple[ImportProblem, ...]
    warnings: tuple[ImportProblem, ...]
    earlier_imports: tuple[ImportFileRecord, ...]

    @property
    def ok(self) -> bool:
        """True when the file can be imported as it is."""
        return not self.problems and self.ready > 0


@dataclass(frozen=True, slots=True)
class ImportResult:
    """An import that was committed."""

    filename: str
    orders: int
    numbers: tuple[int, ...]
    total: Decimal
    payment_label: str

    @property
    def first_number(self) -> int | None:
        """The lowest order number placed."""
        return min(self.numbers, default=None)

    @property
    def last_number(self) -> int | None:
        """The highest order number placed."""
        return max(self.numbers, default=None)


class ImportRejected(OmsError):
    """The file has problems; nothing was written. ``problems`` lists them all."""

    def __init__(self, message: str, problems: Sequence[ImportProblem]) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class DuplicateImportFile(OmsError):
    """The same file (same bytes) was imported before; confirm to import it again."""

    def __init__(self, message: str, earlier: Sequence[ImportFileRecord]) -> None:
        super().__init__(message)
        self.earlier = tuple(earlier)


class ImportService:
    """Dry runs and all-or-nothing imports of order files."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    # -- choosing the payment -------------------------------------------------------------------

    def choose_payment(
        self,
        purchaser_id: int,
        method: str,
        *,
        card_id: int | None = None,
        last4: str | None = None,
        card: CardEntry | None = None,
        check_number: str = "",
    ) -> PaymentChoice:
        """Check the purchaser may pay this way and build the payment (a new card is tokenised now).

        Args:
            purchaser_id: the customer who pays.
            method: ``card_on_file``, ``card``, ``check``, ``cash`` or ``on_account``.
            card_id: the card on file to use; else the one ending ``last4``; else the first.
            last4: picks a card on file by its last four digits.
            card: a new card as typed (``card``); only its token is kept.
            check_number: for ``check``.

        Raises:
            ValidationError: unknown method, method not allowed, no such card, missing check number.
            PaymentUnavailable: the gateway could not tokenise the card.
        """
        try:
            chosen = PaymentMethod(method.strip().lower().replace("-", "_"))
        except ValueError:
            raise ValidationError(f"unknown payment method {method!r}", field="payment") from None
        with self._ctx.read() as uow:
            purchaser = uow.customers.get(purchaser_id)
            customer_type = uow.reference.customer_type(purchaser.type_code)
        check_payment_allowed(customer_type, chosen)
        if chosen is PaymentMethod.STORE_CREDIT:
            raise ValidationError("store credit is spent at checkout, one order at a time", field="payment")
        if chosen is PaymentMethod.CARD_ON_FILE:
            return card_choice(_card_on_file(purchaser, card_id, last4))
        if chosen is PaymentMethod.CARD:
            if card is None:
                raise ValidationError("enter the card number", field="card_number")
            return PaymentChoice(chosen, card=self._ctx.gateway.tokenize(card))
        number = clean_field(check_number)
        if chosen is PaymentMethod.CHECK and not number:
            raise ValidationError("enter the check number", field="check_number")
        return PaymentChoice(chosen, check_number=number if chosen is PaymentMethod.CHECK else "")

    # -- dry run --------------------------------------------------------------------------------

    def dry_run(
        self, parsed: OrderFile, purchaser_id: int, payment: PaymentChoice | None, one_payment: bool = True
    ) -> ImportPreview:
        """Check and price the file for ``purchaser_id`` without writing anything.

        Args:
            parsed: the file as the reader made it.
            purchaser_id: who pays (and is billed) for every order.
            payment: how they pay (:meth:`choose_payment`); ``None`` reports it as a problem.
            one_payment: one payment for the whole file, else one per order.

        Raises:
            NotFound: no such purchaser.
        """
        with self._ctx.read() as uow:
            purchaser = uow.customers.get(purchaser_id)
            earlier = uow.imports.find(parsed.content_hash) if parsed.content_hash else []
            checked = self._check(uow, parsed, purchaser, payment, len(earlier) + 1)
            previews = preview_orders(uow, checked.requests) if checked.requests else []
            problems = list(checked.problems)
            for preview in previews:
                if preview.problems:
                    problems.append(
                        ImportProblem(checked.rows_by_key[preview.key], "", "", "; ".join(preview.problems))
                    )
            priced = [p for p in previews if not p.problems]
            priced_keys = {p.key for p in priced}
            units: dict[str, int] = {}
            for request in checked.requests:
                if request.key in priced_keys:
                    for sku, quantity in request.lines:
                        units[sku] = units.get(sku, 0) + quantity
            summary = customer_summary(purchaser)
        return ImportPreview(
            filename=parsed.filename,
            content_hash=parsed.content_hash,
            purchaser=summary,
            payment_label=payment.label() if payment else "",
            one_payment=one_payment,
            orders=len(parsed.rows),
            ready=len(priced),
            units=tuple(sorted(units.items())),
            subtotal=money(sum((p.subtotal for p in priced), ZERO)),
            shipping=money(sum((p.shipping for p in priced), ZERO)),
            tax=money(sum((p.tax for p in priced), ZERO)),
            total=money(sum((p.total for p in priced), ZERO)),
            problems=ordered_problems(problems),
            warnings=parsed.warnings,
            earlier_imports=tuple(earlier),
        )

    # -- import ---------------------------------------------------------------------------------

    def run(
        self,
        parsed: OrderFile,
        purchaser_id: int,
        payment: PaymentChoice,
        one_payment: bool = True,
        *,
        allow_duplicate_file: bool = False,
        progress: Progress | None = None,
    ) -> ImportResult:
        """Place every order of the file, or none, in checkout's three steps (no transaction open
        while the gateway answers; see :mod:`oms_core.services.import_steps`).

        Raises:
            ImportRejected: the file has problems, or a card was declined or not answered (each
                named by its row); nothing was placed and every authorisation taken was voided.
            DuplicateImportFile: the same file was imported before and ``allow_duplicate_file`` is off.
            PaymentDeclined: the one payment for the whole file was declined.
            OutOfStock: stock moved under another operator meanwhile; run it again.
        """
        report = progress or _no_progress
        report("checking", 0, len(parsed.rows))
        checked, earlier, pending = self._record(
            parsed, purchaser_id, payment, one_payment, allow_duplicate_file
        )
        total = len(checked.requests)
        if pending.waiting:
            report("placing", 0, total)
            try:
                import_steps.authorise(
                    self._ctx, pending, lambda done, calls: report("placing", done * total // calls, total)
                )
            except BatchRejected as exc:
                raise _rejected(exc, checked) from None
            try:
                results = self._write(parsed, purchaser_id, pending, earlier, allow_duplicate_file, report)
            except BaseException:
                abandon_approved(self._ctx, pending)
                raise
        else:
            results = pending.results  # nothing to ask the gateway: placed and committed in step 1
        report("done", total, total)
        numbers = tuple(r.number for r in results if r.number is not None)
        return ImportResult(
            filename=parsed.filename,
            orders=len(numbers),
            numbers=numbers,
            total=money(sum((r.total or ZERO for r in results), ZERO)),
            payment_label=payment.label(),
        )

    @retry_on_conflict
    def _record(
        self,
        parsed: OrderFile,
        purchaser_id: int,
        payment: PaymentChoice,
        one_payment: bool,
        allow_duplicate_file: bool,
    ) -> tuple[CheckedFile, list[ImportFileRecord], PendingBatch]:
        """Step 1: check the file again, take the stock, record the pending calls; one transaction.
        Without a card to ask, the orders and the file's record are written here too.
        """
        with self._ctx.write() as uow:
            earlier = uow.imports.find(parsed.content_hash)
            if earlier and not allow_duplicate_file:
                raise _duplicate(parsed, earlier)
            purchaser = uow.customers.get(purchaser_id)
            checked = self._check(uow, parsed, purchaser, payment, len(earlier) + 1)
            if checked.problems or not checked.requests:
                problems = checked.problems or [ImportProblem(None, "", "", "the file has no orders")]
                raise ImportRejected(_rejection(problems), ordered_problems(problems))
            try:
                pending = import_steps.record(uow, self._ctx, checked.requests, one_payment)
            except BatchRejected as exc:
                raise _rejected(exc, checked) from None
            if not pending.waiting:
                self._remember(
                    uow, parsed, purchaser_id, earlier, allow_duplicate_file, len(checked.requests)
                )
            uow.commit()
        return checked, earlier, pending

    @retry_on_conflict
    def _write(
        self,
        parsed: OrderFile,
        purchaser_id: int,
        pending: PendingBatch,
        earlier: list[ImportFileRecord],
        allow_duplicate_file: bool,
        report: Progress,
    ) -> list[BatchOrderResult]:
        """Step 3: every order written with its authorisation and the file remembered; one transaction."""
        with self._ctx.write() as uow:
            results = import_steps.write(uow, self._ctx, pending)
            report("saving", len(results), len(results))
            self._remember(uow, parsed, purchaser_id, earlier, allow_duplicate_file, len(results))
            uow.commit()
        return results

    def _remember(
        self,
        uow: UnitOfWork,
        parsed: OrderFile,
        purchaser_id: int,
        earlier: list[ImportFileRecord],
        allow_duplicate_file: bool,
        orders: int,
    ) -> None:
        """Record the file in ``import_files``, after checking again for a duplicate: the orders were
        just numbered, so this holds the order-number lock, and a second operator importing the same
        file at the same moment sees the first one's record here.

        Raises:
            DuplicateImportFile: the same file was imported meanwhile.
        """
        now_earlier = uow.imports.find(parsed.content_hash)
        if now_earlier != earlier and not allow_duplicate_file:
            raise _duplicate(parsed, now_earlier)
        uow.imports.add(
            ImportFileRecord(
                parsed.content_hash,
                parsed.filename,
                purchaser_id,
                self._ctx.operator_username,
                orders,
                self._ctx.clock.now(),
            )
        )

    # -- helpers --------------------------------------------------------------------------------

    def earlier_imports(self, content_hash: str) -> list[ImportFileRecord]:
        """Earlier imports of the file with this content hash, oldest first."""
        with self._ctx.read() as uow:
            return uow.imports.find(content_hash)

    def _check(
        self,
        uow: UnitOfWork,
        parsed: OrderFile,
        purchaser: Customer,
        payment: PaymentChoice | None,
        round_number: int,
    ) -> CheckedFile:
        pricing = PricingContext(uow)
        skus = {normalize_sku(item.sku) for row in parsed.rows for item in row.items if item.sku}
        products = uow.products.get_many_by_sku(skus) if skus else {}
        methods = {code.upper(): m for code, m in pricing.methods.items() if m.active}
        default = self._ctx.settings.default_shipping_method
        if default.upper() not in methods:
            default = next(iter(methods), default)
        checker = FileChecker(
            parsed,
            purchaser.id or 0,
            payment,
            products,
            methods,
            default,
            self._ctx.clock.now().date(),
            round_number,
        )
        checked = checker.check()
        checked.problems[:0] = _purchaser_problems(purchaser, payment, pricing)
        return checked


def _card_on_file(purchaser: Customer, card_id: int | None, last4: str | None) -> CardOnFile:
    if not purchaser.cards:
        raise ValidationError(f"customer {purchaser.number} has no card on file", field="card")
    if card_id is not None:
        stored = purchaser.card(card_id)
        if stored is None:
            raise ValidationError(f"that card is not on file for customer {purchaser.number}", field="card")
        return stored
    if last4:
        matches = [c for c in purchaser.cards if c.last4 == last4.strip()]
        if not matches:
            raise ValidationError(
                f"customer {purchaser.number} has no card on file ending {last4.strip()}", field="card"
            )
        return matches[0]
    return purchaser.cards[0]


def _purchaser_problems(
    purchaser: Customer, payment: PaymentChoice | None, pricing: PricingContext
) -> list[ImportProblem]:
    problems = []
    if not purchaser.status.may_order:
        problems.append(
            ImportProblem(None, "", "", f"the purchaser {purchaser.number} is {purchaser.status.label}")
        )
    refused = payment_not_allowed(pricing.customer_type(purchaser), payment.method) if payment else ""
    if payment is None:
        problems.append(ImportProblem(None, "", "", "choose how the purchaser pays"))
    elif refused:
        problems.append(ImportProblem(None, "", "", refused))
    elif payment.card_id is not None and purchaser.card(payment.card_id) is None:
        problems.append(ImportProblem(None, "", "", "that card is no longer on file for the purchaser"))
    return problems


def _rejected(exc: BatchRejected, checked: CheckedFile) -> ImportRejected:
    """The rows an all-or-nothing placing refused, as the import's problems."""
    problems = [ImportProblem(checked.rows_by_key.get(r.key), "", "", r.reason) for r in exc.results]
    return ImportRejected(_rejection(problems), ordered_problems(problems))


def _rejection(problems: Sequence[ImportProblem]) -> str:
    first = problems[0]
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    return f"nothing was imported: {first}{more}"


def _duplicate(parsed: OrderFile, earlier: Sequence[ImportFileRecord]) -> DuplicateImportFile:
    last = earlier[-1]
    when = last.imported_at.strftime("%Y-%m-%d %H:%M")
    name = (
        parsed.filename
        if last.filename == parsed.filename
        else f"{parsed.filename} (the same file as {last.filename})"
    )
    orders = "1 order" if last.order_count == 1 else f"{last.order_count:,} orders"
    times = "" if len(earlier) == 1 else f", {len(earlier)} times in all"
    return DuplicateImportFile(
        f"{name} was already imported on {when} by {last.operator} ({orders}{times}); "
        "confirm to import it again",
        earlier,
    )


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    """Progress is optional."""
