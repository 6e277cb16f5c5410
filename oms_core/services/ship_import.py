"""``oms ship import``: the warehouse's shipping confirmations, checked, then recorded all or nothing.

The service receives the file already read (:class:`~oms_core.domain.ship_files.ShipFile`, from
``oms_core.spreadsheets.ship_reader``). Rows with the same order number and tracking number are one
shipment. Each shipment is checked by the rules the Order screen's ``s`` uses
(:func:`~oms_core.domain.fulfilment.new_shipment`: carrier, tracking number, the order's status and
hold, SKUs on the order, no more units than are left) and recorded by
:func:`~oms_core.services.fulfilment.record_shipment`.

``dry_run``
    Checks every row against the orders in one read, writing nothing, and says what would be
    recorded and what was recorded before.
``run``
    In ONE write transaction (the orders locked in id order): the rows are checked again and every
    new shipment recorded, or, if any row has a problem, nothing at all. The payments are captured
    after the commit, shipment by shipment, never inside the transaction.

Running the same file twice is safe: a shipment whose order already has its tracking number, with
the same SKUs, is "recorded before" and skipped, so the second run records nothing and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from oms_core.domain.errors import InvalidState, OmsError, ValidationError
from oms_core.domain.fulfilment import Shipment, ShipRequest, new_shipment
from oms_core.domain.imports import ImportProblem
from oms_core.domain.orders import Order
from oms_core.domain.ship_files import ShipFile, ShipRow
from oms_core.ports import UnitOfWork
from oms_core.services.context import ServiceContext
from oms_core.services.fulfilment import FulfilmentService, record_shipment
from oms_core.services.retry import retry_on_conflict

SHIP_HOUR = time(12, tzinfo=UTC)
"""A ship date without a time is taken as noon UTC that day (or now, for today), so it is never
in the future and keeps its day in every US time zone."""


@dataclass(frozen=True, slots=True)
class PlannedShipment:
    """A shipment of the file: new (to record) or recorded before.

    Attributes:
        rows: the file's rows that make it up.
        units: units in it (as planned against the order, so ``all`` is counted).
    """

    order_number: int
    carrier: str
    service: str
    tracking_number: str
    shipped_at: datetime
    units: int
    rows: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ShipImportPreview:
    """What a ship import found; for a dry run nothing has been written.

    Attributes:
        rows: data rows in the file.
        new: the shipments that would be recorded.
        before: the file's shipments already recorded (by an earlier run of this or another file).
        problems: every problem; nothing is recorded while there is one.
        warnings: what the operator should know (ignored columns).
    """

    filename: str
    rows: int
    new: tuple[PlannedShipment, ...] = ()
    before: tuple[PlannedShipment, ...] = ()
    problems: tuple[ImportProblem, ...] = ()
    warnings: tuple[ImportProblem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the file can be recorded as it is (possibly recording nothing new)."""
        return not self.problems


@dataclass(frozen=True, slots=True)
class ShipImportResult:
    """A committed ship import, and how each new shipment's payment went.

    Attributes:
        recorded: the shipments recorded by this run.
        before: shipments of the file recorded before (skipped).
        captures: (order number, tracking number, what happened to the payment) per new shipment.
    """

    filename: str
    recorded: tuple[PlannedShipment, ...]
    before: tuple[PlannedShipment, ...]
    captures: tuple[tuple[int, str, str], ...] = field(default=())

    @property
    def failed_captures(self) -> tuple[tuple[int, str, str], ...]:
        """The captures that failed: those orders are flagged for the office."""
        return tuple(c for c in self.captures if c[2].startswith("failed"))


class ShipImportRejected(OmsError):
    """The file has problems; nothing was recorded. ``problems`` lists them all."""

    def __init__(self, message: str, problems: Sequence[ImportProblem]) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


@dataclass(slots=True)
class _Group:
    """The rows of one shipment (same order number and tracking number)."""

    order_number: int
    tracking_number: str
    rows: list[ShipRow]


class ShipImportService:
    """Dry runs and all-or-nothing imports of shipping confirmations."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def dry_run(self, ship_file: ShipFile) -> ShipImportPreview:
        """Check the whole file against the orders; write nothing."""
        with self._ctx.read() as uow:
            return _Plan(self._ctx, uow, ship_file, record=False).run()

    def run(self, ship_file: ShipFile) -> ShipImportResult:
        """Record every new shipment of the file in one transaction, then capture their payments.

        Raises:
            ShipImportRejected: the file has problems (every one listed); nothing was recorded.
        """
        preview, recorded = self._record(ship_file)
        fulfilment = FulfilmentService(self._ctx)
        captures = tuple(
            (
                planned.order_number,
                planned.tracking_number,
                fulfilment.capture_for_shipment(order_id, shipment_id),
            )
            for planned, order_id, shipment_id in recorded
        )
        return ShipImportResult(preview.filename, preview.new, preview.before, captures)

    @retry_on_conflict
    def _record(
        self, ship_file: ShipFile
    ) -> tuple[ShipImportPreview, list[tuple[PlannedShipment, int, int]]]:
        with self._ctx.write() as uow:
            plan = _Plan(self._ctx, uow, ship_file, record=True)
            preview = plan.run()
            if preview.problems:
                count = len(preview.problems)
                plural = "s" if count != 1 else ""
                raise ShipImportRejected(
                    f"{ship_file.filename} has {count} problem{plural}; nothing was recorded",
                    preview.problems,
                )
            uow.commit()
        return preview, plan.recorded


class _Plan:
    """One pass over a file's shipments in one unit of work: check each, and record it if asked."""

    def __init__(self, ctx: ServiceContext, uow: UnitOfWork, ship_file: ShipFile, record: bool) -> None:
        self.ctx, self.uow, self.file, self.record = ctx, uow, ship_file, record
        self.problems: list[ImportProblem] = list(ship_file.problems)
        self.new: list[PlannedShipment] = []
        self.before: list[PlannedShipment] = []
        self.recorded: list[tuple[PlannedShipment, int, int]] = []
        self.now = ctx.clock.now()

    def run(self) -> ShipImportPreview:
        bad_rows = {p.row for p in self.file.problems}
        whole_file = any(p.row is None for p in self.file.problems)
        groups = [] if whole_file else self._groups([r for r in self.file.rows if r.row not in bad_rows])
        orders = self._orders(groups)
        shipments: dict[int, list[Shipment]] = {
            order.id or 0: self.uow.shipments.for_order(order.id or 0) for order in orders.values()
        }
        for group in groups:
            order = orders.get(group.order_number)
            if order is None:
                first = group.rows[0]
                self._problem(first.row, "order_number", f"there is no order {group.order_number}")
                continue
            self._shipment(group, order, shipments[order.id or 0])
        return ShipImportPreview(
            self.file.filename,
            len(self.file.rows),
            tuple(self.new),
            tuple(self.before),
            tuple(sorted(self.problems, key=lambda p: (p.row or 0, p.column))),
            self.file.warnings,
        )

    def _groups(self, rows: list[ShipRow]) -> list[_Group]:
        """Rows by (order, tracking number), in the order the file first names them.

        A row that disagrees with the first row of its shipment on carrier, service or date is a problem.
        """
        groups: dict[tuple[int, str], _Group] = {}
        for row in rows:
            key = (row.order_number or 0, row.tracking_number)
            group = groups.get(key)
            if group is None:
                groups[key] = _Group(row.order_number or 0, row.tracking_number, [row])
                continue
            first = group.rows[0]
            for name in ("carrier", "service", "ship_date"):
                if getattr(row, name) != getattr(first, name):
                    self._problem(
                        row.row,
                        name,
                        f"the {name.replace('_', ' ')} differs from row {first.row}, which has the same "
                        f"order and tracking number {row.tracking_number}",
                    )
                    break
            else:
                group.rows.append(row)
        return list(groups.values())

    def _orders(self, groups: list[_Group]) -> dict[int, Order]:
        """The orders the file names, by number; when recording, loaded again (so locked) in id order."""
        found: dict[int, Order] = {}
        for number in dict.fromkeys(g.order_number for g in groups):
            order = self.uow.orders.get_by_number(number)
            if order is not None and order.id is not None:
                found[number] = order
        if not self.record:
            return found
        numbers = {order.id or 0: number for number, order in found.items()}
        return {numbers[order_id]: self.uow.orders.get(order_id) for order_id in sorted(numbers)}

    def _shipment(self, group: _Group, order: Order, earlier: list[Shipment]) -> None:
        first = group.rows[0]
        day = first.ship_date
        assert day is not None  # rows without a date are problems of the file, left out above
        if day > self.now.date():
            self._problem(first.row, "ship_date", f"the ship date {day.isoformat()} is in the future")
            return
        when = min(datetime.combine(day, SHIP_HOUR), self.now)
        request = ShipRequest(
            first.carrier,
            first.service,
            first.tracking_number,
            tuple((row.sku, row.quantity) for row in group.rows),
        )
        stored = [s for s in earlier if s.id is not None and s.tracking_number == group.tracking_number]
        if stored:
            self._recorded_before(group, order, stored[0], when)
            return
        try:
            if self.record:
                shipment = record_shipment(
                    self.ctx, self.uow, order, earlier, request, when, self.file.filename
                )
            else:
                shipment = new_shipment(order, earlier, request, when, self.ctx.operator_username)
        except (ValidationError, InvalidState) as error:
            self._refused(group, error)
            return
        earlier.append(shipment)
        planned = self._planned(group, shipment)
        self.new.append(planned)
        if self.record:
            self.recorded.append((planned, order.id or 0, shipment.id or 0))

    def _recorded_before(self, group: _Group, order: Order, stored: Shipment, when: datetime) -> None:
        """The same tracking number is on the order: the same shipment again (skipped), or a clash."""
        skus = {line.sku.upper() for line in stored.lines}
        units = {line.sku.upper(): 0 for line in stored.lines}
        for line in stored.lines:
            units[line.sku.upper()] += line.quantity
        for row in group.rows:
            sku = row.sku.strip().upper()
            if sku not in skus or (row.quantity is not None and row.quantity != units[sku]):
                self._problem(
                    row.row,
                    "tracking_number",
                    f"tracking number {group.tracking_number} is already recorded on order {order.number} "
                    f"with other lines ({', '.join(f'{n} x {s}' for s, n in units.items())})",
                )
                return
        self.before.append(self._planned(group, stored))

    def _refused(self, group: _Group, error: OmsError) -> None:
        """Name the row and column the rule refused: the row of the SKU the message names, else the first."""
        name = getattr(error, "field", None) or "order_number"
        if name not in ("carrier", "service", "tracking_number", "sku", "quantity"):
            name = "order_number"
        row = group.rows[0]
        if name in ("sku", "quantity"):
            row = next((r for r in group.rows if r.sku and r.sku in str(error)), row)
        self._problem(row.row, name, str(error))

    def _planned(self, group: _Group, shipment: Shipment) -> PlannedShipment:
        return PlannedShipment(
            group.order_number,
            shipment.carrier,
            shipment.service,
            shipment.tracking_number,
            shipment.shipped_at,
            shipment.units,
            tuple(row.row for row in group.rows),
        )

    def _problem(self, row: int | None, name: str, reason: str) -> None:
        self.problems.append(self.file.problem(row, name, reason))
