"""Checkout: bill-to, ship-to, shipping, payment, gift message and notes, the totals; F9 places.

Every choice is saved on the draft as it is made (the totals come back with it). What still stops
the order is shown beside the field it names. A declined card leaves the draft exactly as it was.

The same screen confirms a change to a placed order (its draft ``is_change``): the bill-to and the
payment are shown but not changed, and F9 asks "total old -> new" before applying the change.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Checkbox, Input, Label, Select, Static

from oms_core.domain.customers import Address
from oms_core.domain.errors import (
    OmsError,
    PaymentDeclined,
    PaymentUnavailable,
    StaleEdit,
    ValidationError,
)
from oms_core.domain.money import format_money
from oms_core.domain.payments import PaymentMethod
from oms_core.read_models import AddressView, CartView, ChangeResult, CustomerDetail, OrderView
from oms_core.services.checkout import DuplicateOrderWarning
from oms_tui.edits import DraftEdits, Edit
from oms_tui.shell import OmsShell, shell
from oms_tui.stylesheets import STYLES
from oms_tui.text import safe
from oms_tui.widgets.address_line import AddressLine
from oms_tui.widgets.cart_table import CartTable
from oms_tui.widgets.fields import FormCheckbox, FormInput, FormSelect
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.payment import PaymentChooser
from oms_tui.widgets.problems import ProblemLine, mark_problems
from oms_tui.widgets.totals import Totals
from oms_tui.work import run_service


class CheckoutScreen(Screen[None]):
    """One draft's checkout. F9 places the order; Esc goes back to the cart."""

    CSS_PATH = STYLES / "checkout.tcss"
    AUTO_FOCUS = "#payment-method"
    BINDINGS = [
        Binding("f9", "place", "Place order", id="checkout_place"),
        Binding("f9", "confirm_change", "Confirm change", id="checkout_confirm_change"),
        Binding("escape", "back", "Back to cart", id="checkout_back"),
    ]

    def __init__(self, draft_id: int) -> None:
        super().__init__()
        self.draft_id = draft_id
        self.view: CartView | None = None
        self.detail: CustomerDetail | None = None
        self._place_when_done = False
        self._back_when_done = False
        self._placing = False
        self._in_modal = False
        self._method_codes: set[str] = set()
        self.edits = DraftEdits(self, self._show, self._stale, self._failed, self._idle)

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    def compose(self) -> ComposeResult:
        """The customer line, an alert line, the fields with their problems, the totals."""
        yield Static("", id="co-customer", markup=False)
        yield Static("", id="co-alert", classes="-empty", markup=False)
        with VerticalScroll(id="co-form"):
            with Horizontal(classes="co-row"):
                yield Label("Bill to", classes="co-label")
                yield AddressLine("no billing address: Enter to type one", id="bill-to")
            yield ProblemLine("bill_to")
            with Horizontal(classes="co-row"):
                yield Label("Ship to", classes="co-label")
                yield AddressLine("no ship-to: Enter to choose", id="ship-to")
            yield ProblemLine("ship_to")
            with Horizontal(classes="co-row"):
                yield Label("Shipping", classes="co-label")
                yield FormSelect[str]([], id="shipping-method", prompt="choose")
                yield Static("", id="shipping-charge", markup=False)
            yield ProblemLine("shipping_method")
            yield PaymentChooser(id="payment")
            yield ProblemLine("payment")
            with Horizontal(classes="co-row"):
                yield Label("Gift message", classes="co-label")
                yield FormInput(id="gift-message", placeholder="printed with the shipment", compact=True)
            yield ProblemLine("gift_message")
            with Horizontal(classes="co-row"):
                yield Label("Notes", classes="co-label")
                yield FormInput(id="notes", placeholder="for the office", compact=True)
            yield ProblemLine("notes")
            with Horizontal(classes="co-row", id="confirmation-row"):
                yield Label("Confirmation", classes="co-label")
                yield FormCheckbox("send by email", True, compact=True, id="send-confirmation")
            yield ProblemLine("send_confirmation")
            yield ProblemLine("general")
        lines = CartTable(id="co-lines")
        lines.can_focus = False  # a reminder of what is ordered; the cart is where lines change
        yield lines
        yield Totals(id="co-totals")
        yield KeyFooter()

    # -- loading and showing ---------------------------------------------------------------

    def on_resize(self) -> None:
        """Show the lines too when the terminal is tall enough (they would crowd 80x24)."""
        self.set_class(self.size.height >= 34, "-tall")

    def on_screen_resume(self) -> None:
        """Load the draft when the checkout opens or comes back (not after its own modals,
        which hand back the saved draft themselves).
        """
        if self._in_modal:
            self._in_modal = False
        elif not (self.edits.busy or self._placing):
            self.load()

    def load(self) -> None:
        """Read the draft, the customer, the shipping methods and the problems in a worker."""
        services, draft_id = self.oms.services, self.draft_id

        def read() -> tuple[CartView, CustomerDetail | None, list[tuple[str, str]], list[tuple[str, str]]]:
            services.cart.set_stage(draft_id, "checkout")  # a resumed draft opens here again
            view = services.cart.get(draft_id)
            # Not the address book: the ship-to picker reads it when it is opened.
            customer = view.customer
            detail = services.customers.get_for_checkout(customer.id) if customer else None
            return view, detail, services.cart.shipping_methods(), services.checkout.problems(draft_id)

        def loaded(result: tuple[CartView, CustomerDetail | None, list[tuple[str, str]], list]) -> None:
            view, self.detail, methods, problems = result
            select = self.query_one("#shipping-method", Select)
            self._method_codes = {code for code, _ in methods}
            with select.prevent(Select.Changed):
                select.set_options([(safe(name), code) for code, name in methods])
            self.edits.version = view.version
            self._show(view, problems)

        run_service(self, read, loaded, self._failed, group="checkout-load")

    def _show(self, view: CartView, problems: list[tuple[str, str]] | None = None) -> None:
        if self.view is None or self.view.is_change != view.is_change:
            self._set_change_mode(view.is_change)
        self.view = view
        self.query_one("#co-customer", Static).update(self._header(view))
        self.query_one("#bill-to", AddressLine).show(view.bill_to)
        one_off = view.ship_to is not None and view.ship_to_address_id is None
        self.query_one("#ship-to", AddressLine).show(view.ship_to, "(one-off)" if one_off else "")
        select = self.query_one("#shipping-method", Select)
        with select.prevent(Select.Changed):
            if view.shipping_method in self._method_codes:
                select.value = view.shipping_method
            else:
                select.clear()
        self.query_one("#shipping-charge", Static).update(f"  {format_money(view.shipping)}")
        if self.detail is not None:
            typing = self.edits.waiting("check_number")
            self.query_one(PaymentChooser).show(self.detail, view, keep_check_number=typing)
        # A box is refilled from the draft unless the operator is in it or typed more since
        # (a save of it still waits: this view is older than the box).
        for key, value in (("gift_message", view.gift_message), ("notes", view.notes)):
            field = self.query_one(f"#{key.replace('_', '-')}", Input)
            if not field.has_focus and not self.edits.waiting(key):
                field.value = safe(value)
        self._show_confirmation(view)
        self.query_one(CartTable).show_lines(view.lines)
        self.query_one(Totals).show(view)
        if problems is None:
            self._check()
        else:
            self._mark(problems)

    def _set_change_mode(self, change: bool) -> None:
        """A change keeps the order's bill-to and payment: shown, not editable; F9 confirms."""
        self.query_one("#bill-to", AddressLine).disabled = change
        self.query_one(PaymentChooser).disabled = change
        self.query_one("#confirmation-row").display = not change  # a change places nothing to confirm
        if change and (self.focused is None or self.focused.disabled):
            self.query_one("#ship-to", AddressLine).focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F9 places a new order, or confirms a change to a placed one."""
        if action in ("place", "confirm_change"):
            change = self.view is not None and self.view.is_change
            return change == (action == "confirm_change")
        return True

    def _show_confirmation(self, view: CartView) -> None:
        """The tick box: ticked as the draft says; greyed out, with the reason, when no
        confirmation can be mailed.
        """
        box = self.query_one("#send-confirmation", Checkbox)
        with box.prevent(Checkbox.Changed):
            box.value = view.send_confirmation
        box.disabled = bool(view.confirmation_unavailable)
        email = view.customer.email if view.customer else ""
        label = f"not sent: {view.confirmation_unavailable}" if box.disabled else f"mail it to {email}"
        box.label = Text(safe(label))

    def _header(self, view: CartView) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"Change order {view.changes_number}  " if view.is_change else "Checkout  ", style="bold")
        if view.customer is None:
            text.append("no customer yet: Esc, then F4", style="bold")
        else:
            text.append(safe(view.customer.name), style="bold")
            text.append(f"  {safe(view.customer.number)}")
            if self.detail is not None:
                text.append(f"  {safe(self.detail.type_name)}")
        if not view.is_change:
            text.append(f"   draft {view.id}", style="dim")
        return text

    def _check(self) -> None:
        checkout, draft_id = self.oms.services.checkout, self.draft_id
        run_service(self, lambda: checkout.problems(draft_id), self._mark, group="checkout-problems")

    def _mark(self, problems: list[tuple[str, str]]) -> None:
        mark_problems(self, problems)

    def _alert(self, message: str, kind: str = "error", title: str = "", hint: str = "") -> None:
        """Show ``message`` (and a dim ``hint`` under it) in the alert box, or hide the box."""
        alert = self.query_one("#co-alert", Static)
        text = Text(safe(message), style="bold")
        if hint:
            text.append("\n" + safe(hint), style="not bold")
        alert.update(text)
        alert.border_title = title
        for name in ("-error", "-info", "-empty"):
            alert.set_class(False, name)
        alert.add_class(f"-{kind}" if message else "-empty")

    # -- edits -------------------------------------------------------------------------------

    @on(Select.Changed, "#shipping-method")
    def _shipping_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is Select.NULL:
            return
        cart, code = self.oms.services.cart, str(event.value)
        self.edits.submit(lambda version: cart.set_shipping_method(self.draft_id, code, version=version))

    @on(PaymentChooser.Chosen)
    @on(PaymentChooser.CardEntered)
    @on(PaymentChooser.CheckEntered)
    def _payment_chosen(self, event: PaymentChooser.Chosen) -> None:
        """A payment chosen (or its card or check typed): saved at once; after a card, on to
        the gift message.
        """
        event.stop()
        if self._save_payment() and isinstance(event, PaymentChooser.CardEntered):
            self.query_one("#gift-message", Input).focus()

    def _save_payment(self) -> bool:
        """Queue saving what the payment chooser shows; False (with the problem shown) if it can't."""
        chooser, view = self.query_one(PaymentChooser), self.view
        if view is None:
            return False
        try:
            edit = chooser.pending_edit(self.oms.services.cart, self.draft_id, view)
        except ValidationError as error:
            self._mark([(error.field or "payment", str(error))])
            chooser.focus_problem(error.field)
            return False

        def saved(_view: CartView) -> None:
            chooser.card.clear()  # the number is gone from the screen once it is a token
            self._alert("")

        def refused(error: OmsError) -> None:
            self._failed(error)
            chooser.focus_problem(error.field if isinstance(error, ValidationError) else None)

        if edit is not None:
            self.edits.submit(edit, saved, refused)
        return True

    @on(Input.Submitted, "#gift-message")
    def _gift_entered(self, event: Input.Submitted) -> None:
        event.stop()  # FormInput has moved on to the notes; leaving the box saves it

    @on(Input.Submitted, "#notes")
    def _notes_entered(self, event: Input.Submitted) -> None:
        event.stop()  # the last field: Enter stays (F9 places the order)

    @on(Input.Changed, "#gift-message, #notes, #check-number")
    def _text_typed(self, event: Input.Changed) -> None:
        """Typed text is saved with the draft as it is typed (so Esc or a kill loses none of it):
        one save per field waits at a time and takes what the field holds when it runs.
        """
        event.stop()
        self._save_texts()

    @on(Input.Blurred, "#gift-message, #notes")
    def _text_left(self, event: Input.Blurred) -> None:
        event.stop()
        self._save_texts()

    def _save_texts(self) -> None:
        """Queue saving the gift message, the notes and a typed check number (if changed)."""
        if self.view is None:
            return
        self.edits.submit_latest("gift_message", self._gift_edit)
        self.edits.submit_latest("notes", self._notes_edit)
        self.edits.submit_latest("check_number", self._check_edit)

    def _gift_edit(self) -> Edit | None:
        cart, view, gift = self.oms.services.cart, self.view, self.query_one("#gift-message", Input).value
        if view is None or gift == safe(view.gift_message):
            return None
        return lambda version: cart.set_gift_message(self.draft_id, gift, version=version)

    def _notes_edit(self) -> Edit | None:
        cart, view, notes = self.oms.services.cart, self.view, self.query_one("#notes", Input).value
        if view is None or notes == safe(view.notes):
            return None
        return lambda version: cart.set_notes(self.draft_id, notes, version=version)

    def _check_edit(self) -> Edit | None:
        """A check number as typed (the payment Select showing Check); nothing while it is empty."""
        chooser, view = self.query_one(PaymentChooser), self.view
        chosen = chooser.selected
        is_check = chosen is not None and chosen[0] == PaymentMethod.CHECK.value
        if view is None or not is_check or not chooser.check_number:
            return None
        try:
            return chooser.pending_edit(self.oms.services.cart, self.draft_id, view)
        except ValidationError:
            return None

    @on(Checkbox.Changed, "#send-confirmation")
    def _confirmation_ticked(self, event: Checkbox.Changed) -> None:
        event.stop()
        cart, send = self.oms.services.cart, event.value
        self.edits.submit(lambda version: cart.set_send_confirmation(self.draft_id, send, version=version))

    def on_address_line_change_asked(self, event: AddressLine.ChangeAsked) -> None:
        """Enter on bill-to: type it; on ship-to: pick from the book (or type a one-off)."""
        event.stop()
        from oms_tui.screens.address_picker import ONE_OFF, AddressPickerScreen
        from oms_tui.screens.one_off_address import OneOffAddressScreen

        view, cart = self.view, self.oms.services.cart
        if view is None or self.detail is None:
            return

        def typed(title: str, initial: Address | None, save: Callable[[Address], CartView]) -> None:
            self._in_modal = True
            self.app.push_screen(OneOffAddressScreen(title, initial, save), self._modal_saved)

        if event.line.id == "bill-to":
            typed(
                "Bill to",
                view.bill_to,
                lambda a: cart.set_bill_to(self.draft_id, a, version=self.edits.version),
            )
            return

        def picked(choice: int | None) -> None:
            if choice == ONE_OFF:
                typed(
                    "Ship to (this order only)",
                    view.ship_to,
                    lambda a: cart.set_ship_to(self.draft_id, address=a, version=self.edits.version),
                )
            elif choice is not None:
                self.edits.submit(
                    lambda version: cart.set_ship_to(self.draft_id, address_id=choice, version=version)
                )

        def pick(book: tuple[AddressView, ...]) -> None:
            self._in_modal = True
            self.app.push_screen(AddressPickerScreen(book, view.ship_to_address_id), picked)

        customers, customer_id = self.oms.services.customers, self.detail.id
        run_service(
            self,
            lambda: customers.address_book(customer_id),
            pick,
            self._failed,
            group="checkout-book",
            hold_keys=True,
        )

    def _modal_saved(self, view: CartView | None) -> None:
        if view is not None:
            self.edits.version = view.version
            self._show(view)

    # -- placing -----------------------------------------------------------------------------

    def action_place(self) -> None:
        """F9: save whatever is typed, then place the order (once, however often F9 is pressed)."""
        if self._placing or self._place_when_done or self.view is None:
            return
        self._save_texts()
        if not self._save_payment():
            return
        self._place_when_done = True
        if not self.edits.busy:
            self._idle()

    def _idle(self) -> None:
        if self._back_when_done:
            self._back_when_done = False
            self._leave()
            return
        if self._place_when_done:
            self._place_when_done = False
            if self.view is not None and self.view.is_change:
                self._ask_change(self.view)
            else:
                self._place()

    # -- confirming a change -----------------------------------------------------------------

    def action_confirm_change(self) -> None:
        """F9 on a change: save whatever is typed, then show old -> new and ask."""
        if self._placing or self._place_when_done or self.view is None:
            return
        self._save_texts()
        self._place_when_done = True
        if not self.edits.busy:
            self._idle()

    def _ask_change(self, view: CartView) -> None:
        from oms_tui.screens.ask import AskScreen

        old, new = view.was_total, view.total
        question = f"Total {format_money(old or new)} -> {format_money(new)}."
        if old != new and view.payment_method in ("card", "card_on_file"):
            question += (
                f" {view.payment_label} is authorised for {format_money(new)}; the old hold is released."
            )
        self._in_modal = True
        self.app.push_screen(
            AskScreen(f"Change order {view.changes_number}", question, "Apply the change", "Go back"),
            lambda yes: self._apply_change() if yes else None,
        )

    def _apply_change(self) -> None:
        self._placing = True
        self._alert("Changing the order...", kind="info")
        changes, draft_id, version = self.oms.services.changes, self.draft_id, self.edits.version
        run_service(
            self,
            lambda: changes.apply(draft_id, version),
            self._changed,
            self._not_placed,
            group="place",
            hold_keys=True,
        )

    def _changed(self, result: ChangeResult) -> None:
        """Back to the order, changed: the cart and this checkout close."""
        from oms_tui.screens.order import OrderScreen

        self._placing = False
        order = result.order
        self.notify(f"Order {order.number} changed: " + safe("; ".join(result.changes)), markup=False)
        if result.warning:
            self.notify(safe(result.warning), severity="warning", markup=False, timeout=10)
        stack = self.app.screen_stack
        below = stack[-3] if len(stack) >= 3 else None
        for _ in range(min(2, len(stack) - 1)):
            self.app.pop_screen()
        if not (isinstance(below, OrderScreen) and below.order_id == order.id):
            self.oms.open_order(order.id)

    def _place(self, confirm_duplicate: bool = False) -> None:
        self._placing = True
        self._alert("Placing the order...", kind="info")
        checkout, draft_id, version = self.oms.services.checkout, self.draft_id, self.edits.version
        run_service(
            self,
            lambda: checkout.place(draft_id, version=version, confirm_duplicate=confirm_duplicate),
            self._placed,
            self._not_placed,
            group="place",
            hold_keys=True,
        )

    def _placed(self, order: OrderView) -> None:
        from oms_tui.screens.confirmation import show_confirmation

        self._placing = False
        show_confirmation(self.app, order)

    def _not_placed(self, error: OmsError) -> None:
        self._placing = False
        if isinstance(error, DuplicateOrderWarning):
            from oms_tui.screens.ask import AskScreen

            self._alert(str(error), kind="info")
            question = f"{error}. Place this order as well?"
            self._in_modal = True
            self.app.push_screen(
                AskScreen("Possible duplicate order", question, "Place it", "Go back", default_yes=False),
                lambda yes: self._place(confirm_duplicate=True) if yes else self._alert(""),
            )
        elif isinstance(error, PaymentDeclined) and self.view is not None and self.view.is_change:
            hint = "The order is as it was; this change waits here: F9 to try again, or Esc to the cart."
            self._alert(str(error), title="DECLINED", hint=hint)
        elif isinstance(error, PaymentDeclined):
            hint = "Nothing was charged and the order is as it was: choose another payment, then F9."
            self._alert(str(error), title="DECLINED", hint=hint)
        elif isinstance(error, PaymentUnavailable):
            hint = "Nothing was charged: press F9 to try again, or choose another payment."
            self._alert(str(error), title="NOT PLACED: NO ANSWER FROM THE GATEWAY", hint=hint)
        elif isinstance(error, StaleEdit):
            self._stale(error)
        else:
            if isinstance(error, ValidationError):
                self._mark(error.problems)
            self._alert(str(error), title="NOT PLACED")

    # -- errors and navigation ---------------------------------------------------------------

    def _failed(self, error: OmsError) -> None:
        self._place_when_done = False
        self._back_when_done = False
        if isinstance(error, ValidationError):
            self._mark(error.problems)
        else:
            self._alert(str(error))

    def _stale(self, error: StaleEdit) -> None:
        self._place_when_done = False
        self._back_when_done = False
        self._alert(str(error))
        self.load()

    def action_back(self) -> None:
        """Esc: back to the cart, once everything typed here is saved with the draft (keys typed
        after Esc wait for the cart).
        """
        if self._placing or len(self.app.screen_stack) <= 1:
            return
        self._save_texts()
        if self.edits.busy:
            self._back_when_done = True
            self.edits.hold_keys()
            return
        self._leave()

    def _leave(self) -> None:
        if self.is_current and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
