"""A placed order: lines, totals, payment (masked), addresses, shipments, gift message, notes, audit.

Keys: e change (lines, ship-to, shipping: the cart and checkout in change mode, until it is
released), x cancel (asks why; the service decides who may), r reorder (opens the new draft's cart),
c the customer's record, l release to the warehouse, s record a shipment, d delivered, i invoice and
k packing slip (PDF into the office's documents folder), m resend the order confirmation, h hold
(reason and note), u release the hold (the service checks who may), n add a call note, t record a
return and its refund (or an exchange), Esc back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.align import Align
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from oms_core.domain.customers import Address
from oms_core.domain.money import format_money
from oms_core.read_models import CartView, NoteView, OrderView, ReturnChoices, ReturnView, ShipmentView
from oms_tui.screens.reason import ask_for_note
from oms_tui.shell import OmsShell, shell
from oms_tui.stylesheets import STYLES
from oms_tui.text import plain, safe
from oms_tui.widgets.call_notes import notes_text
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.order_returns import returns_text
from oms_tui.widgets.order_rows import status_label, when
from oms_tui.widgets.order_shipments import shipments_text
from oms_tui.work import run_service


class OrderScreen(Screen[None]):
    """One order, read-only, scrolled with the arrow keys."""

    TITLE = "Order"
    CSS_PATH = [STYLES / "order.tcss"]
    AUTO_FOCUS = "#order-body"
    BINDINGS = [
        Binding("e", "change", "Change", id="order_change"),
        Binding("x", "cancel_order", "Cancel order", id="cancel_order"),
        Binding("r", "reorder", "Reorder", id="reorder"),
        Binding("c", "customer", "Customer", id="order_customer"),
        Binding("l", "release", "Release", id="order_release"),
        Binding("s", "ship", "Ship", id="order_ship"),
        Binding("d", "delivered", "Delivered", id="order_delivered"),
        Binding("t", "return_goods", "Return", id="order_return"),
        Binding("i", "document('invoice')", "Invoice", id="order_invoice"),
        Binding("k", "document('packing-slip')", "Packing slip", id="order_packing_slip"),
        Binding("m", "resend", "Mail again", id="order_resend"),
        Binding("h", "hold", "Hold", id="order_hold"),
        Binding("u", "release_hold", "Unhold", id="order_release_hold"),
        Binding("n", "note", "Note", id="order_note"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self.order_id = order_id
        self.order: OrderView | None = None
        self._busy = False

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    def compose(self) -> ComposeResult:
        """Heading, an error line, then the scrolled body."""
        yield Header()
        yield Static("Loading...", id="order-heading", markup=False)
        yield Static("", id="order-message", classes="error", markup=False)
        with VerticalScroll(id="order-body"):
            with Horizontal(id="order-addresses"):
                yield Static("", id="ship-to", markup=False)
                yield Static("", id="bill-to", markup=False)
            yield Static("", id="order-lines", markup=False)
            yield Static("", id="order-payment", markup=False)
            yield Static("", id="order-shipments", markup=False)
            yield Static("", id="order-returns", markup=False)
            yield Static("", id="order-notes", markup=False)
            yield Static("", id="order-call-notes", markup=False)
            # Below what the office reads first (shipments, notes), above the audit trail.
            yield Static("", id="order-payment-history", markup=False)
            yield Static("", id="order-audit", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        """Load the order."""
        self.query_one("#order-message").display = False
        self._load()
        order_id = self.order_id
        run_service(
            self, lambda: self.oms.services.notes.for_order(order_id), self.show_notes, group="order-notes"
        )

    def _load(self) -> None:
        order_id = self.order_id
        run_service(
            self,
            lambda: self.oms.services.orders.get(order_id),
            self.show_order,
            lambda error: self.show_message(str(error)),
            group="order-load",
        )

    def show_notes(self, notes: tuple[NoteView, ...]) -> None:
        """The order's newest call notes (hidden when there are none)."""
        text = notes_text(notes)
        self.query_one("#order-call-notes", Static).update(text or "")
        self.query_one("#order-call-notes").display = text is not None

    def action_note(self) -> None:
        """Ask for a call note and add it to the order (and so to its customer's story)."""
        if self.order is None:
            return
        order_id, notes = self.order_id, self.oms.services.notes
        ask_for_note(
            self,
            f"Note on order {self.order.number}",
            lambda text: notes.add_to_order(order_id, text),
            self.show_notes,
        )

    # -- showing ---------------------------------------------------------------------------------

    def show_order(self, order: OrderView) -> None:
        """Render ``order``."""
        self.order = order
        self.sub_title = f"#{order.number}" if order.number else f"draft {order.id}"
        self.query_one("#order-heading", Static).update(_heading(order))
        self.query_one("#ship-to", Static).update(_address("Ship to", order.ship_to, order.shipping_method))
        self.query_one("#bill-to", Static).update(_address("Bill to", order.bill_to))
        self.query_one("#order-lines", Static).update(_lines(order))
        self.query_one("#order-payment", Static).update(_payments(order))
        history = self.query_one("#order-payment-history", Static)
        history.update(_payment_history(order))
        history.display = bool(order.payment_history)  # a check or cash order never asked the gateway
        shipped = shipments_text(order)
        self.query_one("#order-shipments", Static).update(shipped or "")
        self.query_one("#order-shipments").display = shipped is not None
        returned = returns_text(order.returns)
        self.query_one("#order-returns", Static).update(returned or "")
        self.query_one("#order-returns").display = returned is not None
        notes = _notes(order)
        self.query_one("#order-notes", Static).update(notes or "")
        self.query_one("#order-notes").display = notes is not None
        self.query_one("#order-audit", Static).update(_audit(order))
        self.refresh_bindings()

    def show_message(self, message: str) -> None:
        """Show a refusal or an error above the order, as the service worded it."""
        self._busy = False
        line = self.query_one("#order-message", Static)
        line.update(message)
        line.display = bool(message)

    # -- keys ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show only the keys that fit the order as it stands (so the footer has room for them)."""
        allowed = {
            "change": lambda order: order.can_change,
            "cancel_order": lambda order: order.can_cancel,
            "reorder": lambda order: order.customer is not None,
            "customer": lambda order: order.customer is not None,
            "release": lambda order: order.can_release,
            "ship": lambda order: order.can_ship,
            "delivered": lambda order: order.can_deliver,
            "document": lambda order: order.is_placed,
            "resend": lambda order: order.is_placed and order.customer is not None,
            "hold": lambda order: order.can_hold,
            "release_hold": lambda order: order.is_held,
            "return_goods": lambda order: order.can_return,
        }
        if action not in allowed:
            return True
        if self.order is None:
            return None  # still loading: shown, not yet usable
        return bool(allowed[action](self.order))

    def action_cancel_order(self) -> None:
        """Ask why, then cancel (restocks; the service checks the operator may)."""
        from oms_tui.screens.reason import ReasonDialog

        if self.order is None or self._busy:
            return
        number = self.order.number

        def reason_given(reason: str | None) -> None:
            if reason:
                self._cancel(reason)

        self.app.push_screen(
            ReasonDialog(f"Cancel order {number}", "Why is it cancelled? (kept in the audit trail)"),
            reason_given,
        )

    def _cancel(self, reason: str) -> None:
        self._busy = True
        order_id = self.order_id
        run_service(
            self,
            lambda: self.oms.services.orders.cancel(order_id, reason),
            self._cancelled,
            self._cancel_failed,
            group="order-action",
            hold_keys=True,
        )

    def _cancel_failed(self, error: BaseException) -> None:
        """Say why; and show the order as it now is: the cancel itself may have been committed
        with only the void or refund refused (that call is then in the payment history).
        """
        self.show_message(str(error))
        self._load()

    def _cancelled(self, order: OrderView) -> None:
        self._busy = False
        self.show_message("")
        self.show_order(order)
        self.notify(f"Order {order.number} cancelled; its stock is back on the shelf.")

    def on_screen_resume(self) -> None:
        """Back from a change's cart and checkout (or anywhere): read the order again."""
        if self.order is not None and not self._busy:
            self.on_mount()

    def action_change(self) -> None:
        """Change the order (lines, ship-to, shipping) in the cart and checkout, then confirm."""
        order_id = self.order_id
        self._open_draft(lambda: self.oms.services.changes.start(order_id), self._change_started)

    def _change_started(self, draft: CartView) -> None:
        self._busy = False
        self.oms.open_cart(draft.id)

    def action_reorder(self) -> None:
        """A new draft with this order's items, then its cart; if the customer has an open draft,
        ask first (r resumes it, n reorders anyway).
        """
        from oms_tui.screens.resume_draft import unless_open_draft

        if self.order is None or self.order.customer is None or self._busy:
            return
        order_id, customer = self.order_id, self.order.customer

        def reorder() -> None:
            self._busy = False
            self._open_draft(lambda: self.oms.services.orders.reorder(order_id), self._reordered)

        self._busy = True
        unless_open_draft(
            self,
            customer.id,
            customer.name,
            reorder,
            idle=self._idle,
            failed=lambda error: self.show_message(str(error)),
            new_label="Reorder anyway",
        )

    def _idle(self) -> None:
        self._busy = False

    def _open_draft(self, call: Callable[[], CartView], opened: Callable[[CartView], None]) -> None:
        """Run ``call`` (it makes a draft from this order), keys held, then ``opened``."""
        if self.order is None or self._busy:
            return
        self._busy = True
        run_service(
            self,
            call,
            opened,
            lambda error: self.show_message(str(error)),
            group="order-action",
            hold_keys=True,
        )

    def _reordered(self, draft: CartView) -> None:
        self._busy = False
        for warning in draft.warnings:
            self.notify(safe(warning), severity="warning", markup=False)
        self.oms.open_cart(draft.id)

    def action_release(self) -> None:
        """Hand the order to the warehouse."""
        order_id = self.order_id
        self._act(lambda: self.oms.services.fulfilment.release(order_id), "released to the warehouse")

    def action_hold(self) -> None:
        """Hold the order: a reason and a note in a small dialog."""
        from oms_tui.screens.hold_form import HoldForm

        if self.order is None or self._busy:
            return
        order_id, holds = self.order_id, self.oms.services.holds

        def held(order: OrderView | None) -> None:
            if order is not None:
                self.show_message("")
                self.show_order(order)
                self.notify(f"Order {order.number} is on hold.")

        self.app.push_screen(
            HoldForm(self.order, lambda reason, note: holds.place(order_id, reason, note)), held
        )

    def action_release_hold(self) -> None:
        """Release the order's hold (a payment review needs a supervisor)."""
        order_id = self.order_id
        self._act(lambda: self.oms.services.holds.release(order_id), "is no longer on hold")

    def action_delivered(self) -> None:
        """The carrier delivered what shipped."""
        order_id = self.order_id
        self._act(lambda: self.oms.services.fulfilment.mark_delivered(order_id), "marked delivered")

    def action_ship(self) -> None:
        """Record a shipment by hand (carrier, tracking number, what went in the box)."""
        from oms_tui.screens.shipment_form import ShipmentForm

        if self.order is None or self._busy:
            return
        order_id = self.order_id
        services = self.oms.services

        def recorded(shipment: ShipmentView | None) -> None:
            if shipment is not None:
                self.notify(f"Shipment recorded: {safe(shipment.summary)}", markup=False)
                self.on_mount()

        self.app.push_screen(
            ShipmentForm(self.order, lambda request: services.fulfilment.ship(order_id, request)), recorded
        )

    def action_return_goods(self) -> None:
        """Record a return and its refund: ask the service what may come back, then the form."""
        if self.order is None or self._busy:
            return
        order_id = self.order_id
        run_service(
            self,
            lambda: self.oms.services.returns.form(order_id),
            self._return_form,
            lambda error: self.show_message(str(error)),
            group="order-action",
            hold_keys=True,
        )

    def _return_form(self, choices: ReturnChoices) -> None:
        from oms_tui.screens.return_form import ReturnAsked, ReturnForm

        order_id, returns = self.order_id, self.oms.services.returns

        def record(asked: ReturnAsked) -> ReturnView | tuple[ReturnView, CartView]:
            if asked.exchange:
                return returns.exchange(order_id, asked.items, asked.reason, asked.note)
            return returns.record(order_id, asked.items, asked.reason, asked.note, asked.refund)

        def recorded(outcome: ReturnView | tuple[ReturnView, CartView] | None) -> None:
            if outcome is None:
                return
            item = outcome[0] if isinstance(outcome, tuple) else outcome
            self.notify(safe(f"{item.summary}"), markup=False, timeout=8)
            if isinstance(outcome, tuple):
                self.oms.open_cart(outcome[1].id)  # the exchange's replacement draft
            else:
                self.on_mount()

        self.app.push_screen(ReturnForm(choices, record), recorded)

    def action_document(self, kind: str) -> None:
        """Write the invoice or the packing slip as a PDF and say where it went."""
        if self.order is None or self._busy:
            return
        order, office, folder = self.order, self.oms.office_details, self.oms.documents_folder

        def write() -> Path:
            from oms_core.documents.files import write_documents
            from oms_core.documents.pdf import DocumentKind

            return write_documents(DocumentKind(kind), [order], office, folder)[0]

        run_service(
            self,
            write,
            lambda path: self.notify(f"Wrote {path}", markup=False, timeout=8),
            lambda error: self.show_message(str(error)),
            group="order-document",
        )

    def action_resend(self) -> None:
        """Queue the order confirmation again (the customer lost it)."""
        order_id = self.order_id
        run_service(
            self,
            lambda: self.oms.services.mail.resend(order_id, "order_confirmation"),
            lambda mail: self.notify(f"Order confirmation queued for {safe(mail.to)}", markup=False),
            lambda error: self.show_message(str(error)),
            group="order-action",
        )

    def _act(self, call: Callable[[], OrderView], done: str) -> None:
        if self.order is None or self._busy:
            return
        self._busy = True

        def finished(order: OrderView) -> None:
            self._busy = False
            self.show_message("")
            self.show_order(order)
            self.notify(f"Order {order.number} {done}.")

        run_service(self, call, finished, lambda error: self.show_message(str(error)), group="order-action")

    def action_customer(self) -> None:
        """The customer's record."""
        if self.order is not None and self.order.customer is not None:
            self.oms.open_customer(self.order.customer.id)

    def action_back(self) -> None:
        """Back to the list (or wherever the order was opened from)."""
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.oms.open_orders()


def _heading(order: OrderView) -> Text:
    title = f"Order {order.number}" if order.number else f"Draft {order.id}"
    text = Text.assemble((title, "bold"), "  ", (status_label(order.status).upper(), "bold reverse"))
    text.append(f"  {when(order.placed_at)}  {order.source} · {safe(order.operator)}")
    if order.customer is not None:
        text.append("\nCustomer ")
        text.append_text(plain(f"{order.customer.number} {order.customer.name}"))
        if order.customer.company and order.customer.company != order.customer.name:
            text.append_text(plain(f", {order.customer.company}"))
    if order.hold:
        text.append("\n")
        text.append("ON HOLD", style="bold reverse")
        text.append_text(plain(f" {order.hold}"))
    return text


def _address(title: str, address: Address | None, method: str = "") -> Text:
    lines = [Text(title + (f" ({safe(method)})" if method else ""), style="bold")]
    if address is None:
        lines.append(Text("-"))
    else:
        for part in (
            address.name,
            address.company,
            address.address1,
            address.address2,
            f"{address.city}, {address.state} {address.zip}".strip(" ,"),
            address.country if address.country not in ("", "US") else "",
            address.phone,
        ):
            if part:
                lines.append(plain(part))
    return Text("\n").join(lines)


def _lines(order: OrderView) -> RenderableType:
    table = Table(box=None, padding=(0, 1), expand=True, show_edge=False, header_style="bold")
    table.add_column("SKU", no_wrap=True, overflow="ellipsis", max_width=24)
    table.add_column("Item", ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column("Qty", justify="right", no_wrap=True)
    table.add_column("Price", justify="right", no_wrap=True)
    table.add_column("Total", justify="right", no_wrap=True)
    for line in order.lines:
        name = plain(line.name)
        if line.price_override is not None:
            name.append_text(plain(f" (price set: {line.override_reason})"))
        table.add_row(
            plain(line.sku),
            name,
            str(line.quantity),
            format_money(line.effective_price),
            format_money(line.line_total),
        )
    totals = Table(box=None, padding=(0, 1), show_header=False, show_edge=False)
    totals.add_column(justify="right")
    totals.add_column(justify="right", min_width=10)
    for label, amount in (
        ("Subtotal", order.subtotal),
        ("Shipping", order.shipping),
        ("Tax", order.tax),
    ):
        totals.add_row(label, format_money(amount))
    totals.add_row(Text("Total", style="bold"), Text(format_money(order.total), style="bold"))
    return Group(table, Align.right(totals))


def _payments(order: OrderView) -> Text:
    lines = [Text("Payment", style="bold")]
    if not order.payments:
        lines.append(Text("-"))
    for payment in order.payments:
        lines.append(plain(f"{payment.label}  {format_money(payment.amount)}  {payment.status}"))
    return Text("\n").join(lines)


def _payment_history(order: OrderView) -> Text:
    """Every gateway call: when, what, how much, the outcome (a decline's reason and code), the card
    (brand and last four) and who asked; one line each, the reason on its own line when there is one.
    """
    lines = [Text("Payment history", style="bold")]
    for call in order.payment_history:
        parts = [when(call.at), f"{call.action:<9}", f"{format_money(call.amount):>10}", call.outcome]
        lines.append(plain("  ".join([*parts, call.card, call.operator]).rstrip()))
        if call.reason:
            lines.append(plain(f"    {call.reason}"))
    return Text("\n").join(lines)


def _notes(order: OrderView) -> Text | None:
    lines = []
    if order.gift_message:
        lines.append(Text.assemble(("Gift message  ", "bold"), plain(order.gift_message)))
    if order.notes:
        lines.append(Text.assemble(("Notes  ", "bold"), plain(order.notes)))
    return Text("\n").join(lines) if lines else None


def _audit(order: OrderView) -> Text:
    lines = [Text("Audit trail", style="bold")]
    for event in order.audit:
        lines.append(plain(f"{when(event.at)}  {event.operator}  {event.action}  {event.detail}".rstrip()))
    return Text("\n").join(lines)
