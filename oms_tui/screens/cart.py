"""The cart: a draft's customer, its lines, and the totals, saved on every edit.

Keys: type a SKU (or part of a name), Enter, the quantity, Enter adds the line. Tab goes on to the
lines (Down from the boxes too), where ``+``/``-`` change the quantity (or type it and Enter),
Delete removes and ``p`` overrides the price; shift+Tab goes back to the SKU box. F9 checkout,
Esc back (nothing to save: every edit is committed at once). A change to a placed order (``e`` on
the Order screen) is edited here too: the header names the order and the totals show what it was.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from oms_core.domain.errors import OmsError, StaleEdit, ValidationError
from oms_core.domain.orders import MIN_LINE_QUANTITY, DraftStage, parse_quantity
from oms_core.read_models import CartView, LineView, ProductSummary
from oms_tui.edits import DraftEdits, Edit
from oms_tui.shell import OmsShell, shell
from oms_tui.stylesheets import STYLES
from oms_tui.text import safe
from oms_tui.widgets.cart_table import CartTable
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.sku_entry import SkuEntry
from oms_tui.widgets.totals import Totals
from oms_tui.work import run_service


class CartScreen(Screen[None]):
    """One draft's cart. Every view an edit returns replaces the lines and the totals."""

    CSS_PATH = STYLES / "cart.tcss"
    AUTO_FOCUS = "#sku"
    BINDINGS = [
        Binding("f9", "checkout", "Checkout", id="cart_checkout"),
        Binding("f4", "identify", "Attach customer", id="cart_identify"),
        Binding("ctrl+o", "quick_pad", "Quick pad", id="cart_quick_pad"),
        Binding("q", "quick_pad", "Quick pad", show=False, id="cart_quick_pad_q"),
        Binding("escape", "back", "Back", id="cart_back"),
        Binding("down", "focus_lines", "Lines", show=False, id="cart_lines"),
        Binding("ctrl+z", "undo_remove", "Undo remove", id="cart_undo"),
    ]

    def __init__(self, draft_id: int) -> None:
        super().__init__()
        self.draft_id = draft_id
        self.view: CartView | None = None
        self._type_names: dict[str, str] = {}
        self._checkout_when_done = False
        self._opened = False  # the first load opens the checkout if the draft was left there
        # The line Delete took off and where it stood, until the next edit (ctrl+z puts it back).
        self._removed: tuple[LineView, int] | None = None
        self._edits_asked = 0
        self.edits = DraftEdits(self, self._show, self._stale, self._failed, self._idle)

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    def compose(self) -> ComposeResult:
        """Customer line, SKU entry, lines, totals, keys."""
        yield Static("", id="cart-customer", markup=False)
        yield SkuEntry(self._find, id="cart-entry")
        yield CartTable(id="cart-lines")
        yield Totals(id="cart-totals")
        yield KeyFooter()

    @property
    def entry(self) -> SkuEntry:
        """The SKU and quantity boxes."""
        return self.query_one(SkuEntry)

    @property
    def table(self) -> CartTable:
        """The lines."""
        return self.query_one(CartTable)

    # -- loading -------------------------------------------------------------------------------

    def on_screen_resume(self) -> None:
        """(Re)load the draft whenever the cart comes back on top: a customer may have been
        attached, or the checkout changed the shipping (or a price was overridden, lines added in
        the Quick Order Pad: after those, ctrl+z has nothing to undo).
        """
        self._forget_removed()
        if not self.edits.busy:
            self.load()

    def load(self) -> None:
        """Read the draft (and the customer type names, once) in a worker.

        The first time, a draft the operator left in checkout goes on to the checkout (keys typed
        meanwhile wait for it); otherwise the draft is recorded as left in the cart.
        """
        services, draft_id = self.oms.services, self.draft_id
        need_types = not self._type_names
        resuming, self._opened = not self._opened, True

        def read() -> tuple[CartView, dict[str, str], bool]:
            types = dict(services.customers.customer_types()) if need_types else {}
            view = services.cart.get(draft_id)
            ready = view.customer is not None and bool(view.lines)
            to_checkout = resuming and ready and view.stage == DraftStage.CHECKOUT
            if view.stage != DraftStage.CART and not to_checkout:
                services.cart.set_stage(draft_id, DraftStage.CART)
            return view, types, to_checkout

        def loaded(result: tuple[CartView, dict[str, str], bool]) -> None:
            view, types, to_checkout = result
            self._type_names = types or self._type_names
            self.edits.version = view.version
            self._show(view)
            if to_checkout:
                self.oms.open_checkout(draft_id)

        run_service(self, read, loaded, self._failed, group="cart-load", hold_keys=resuming)

    def _show(self, view: CartView) -> None:
        self.view = view
        self.query_one("#cart-customer", Static).update(self._customer_text(view))
        self.table.show_lines(view.lines)
        self.query_one(Totals).show(view)

    def _idle(self) -> None:
        if self._checkout_when_done:
            self._checkout_when_done = False
            self.action_checkout()

    def _customer_text(self, view: CartView) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        customer = view.customer
        if customer is None:
            text.append("No customer yet", style="bold")
            text.append("  F4 finds or creates one", style="dim")
        else:
            text.append(safe(customer.name), style="bold")
            if customer.company and customer.company != customer.name:
                text.append(f"  {safe(customer.company)}")
            text.append(f"  {safe(customer.number)}")
            text.append(f"  {safe(self._type_names.get(customer.type_code, customer.type_code))}")
            if not customer.may_order:
                text.append(f"  {customer.status_label.upper()}", style="bold reverse")
        if view.is_change:
            text.append(f"   changing order {view.changes_number}", style="bold")
        else:
            text.append(f"   draft {view.id}", style="dim")
        return text

    def _find(self, text: str) -> list[ProductSummary]:
        customer = self.view.customer if self.view else None
        return self.oms.services.cart.find_products(text, customer.id if customer else None)

    # -- edits ---------------------------------------------------------------------------------

    def on_sku_entry_line_asked(self, event: SkuEntry.LineAsked) -> None:
        """Add the line; clear the boxes once it is saved, or say why it was refused."""
        event.stop()
        cart, entry = self.oms.services.cart, event.entry
        sku, quantity = event.sku, event.quantity

        def added(view: CartView) -> None:
            line = next((ln for ln in view.lines if ln.sku.upper() == sku.strip().upper()), None)
            self.table.highlight_sku(line.sku if line else sku)
            what = f"{line.sku} {safe(line.name)}, now {line.quantity}" if line else sku
            entry.say(f"Added {quantity} x {what}")

        def refused(error: OmsError) -> None:
            self._checkout_when_done = False
            entry.line_refused(sku, quantity, str(error))

        self._submit(
            lambda version: cart.add_line(self.draft_id, sku, quantity, version=version), added, refused
        )

    def on_cart_table_quantity_change_asked(self, event: CartTable.QuantityChangeAsked) -> None:
        """``+``/``-``: the change is worked out when it runs, so quick presses all count."""
        event.stop()
        cart, line_id, delta = self.oms.services.cart, event.line.id, event.delta
        if event.line.quantity + delta < MIN_LINE_QUANTITY and not self.edits.busy:
            self.entry.say("Delete removes the line", error=True)
            return

        def change(version: int | None) -> CartView:
            quantity = max(MIN_LINE_QUANTITY, self._quantity(line_id) + delta)
            return cart.set_quantity(self.draft_id, line_id, quantity, version=version)

        self._submit(change)

    def on_cart_table_quantity_typed(self, event: CartTable.QuantityTyped) -> None:
        """Digits typed on a line: show the quantity Enter will set."""
        event.stop()
        if event.text:
            self.entry.say(f"Quantity of {event.line.sku}: {event.text}  (Enter sets it, Esc cancels)")
        else:
            self.entry.say("")

    def on_cart_table_quantity_set_asked(self, event: CartTable.QuantitySetAsked) -> None:
        """Enter after digits on a line: that line's quantity, checked by the domain's rule."""
        event.stop()
        cart, line = self.oms.services.cart, event.line
        try:
            quantity = parse_quantity(event.text)
        except ValidationError as error:
            self.entry.say(f"{line.sku}: {error}", error=True)
            return
        self._submit(
            lambda version: cart.set_quantity(self.draft_id, line.id, quantity, version=version),
            lambda _view: self.entry.say(f"{line.sku}: quantity {quantity}"),
        )

    def on_cart_table_entry_asked(self, event: CartTable.EntryAsked) -> None:
        """shift+Tab from the lines: the SKU box, never the quantity box."""
        event.stop()
        self.entry.focus_sku()

    def _submit(
        self,
        edit: Edit,
        done: Callable[[CartView], None] | None = None,
        failed: Callable[[OmsError], None] | None = None,
    ) -> None:
        """Queue an edit of the draft; any edit ends what ctrl+z could undo."""
        self._edits_asked += 1
        self._forget_removed()
        self.edits.submit(edit, done, failed)

    def _forget_removed(self) -> None:
        if self._removed is not None:
            self._removed = None
            self.refresh_bindings()

    def on_cart_table_remove_asked(self, event: CartTable.RemoveAsked) -> None:
        """Delete: take the line off at once (no question); ctrl+z puts it back until the next edit."""
        event.stop()
        cart, line = self.oms.services.cart, event.line
        lines = self.view.lines if self.view else ()
        position = next((i for i, each in enumerate(lines) if each.id == line.id), len(lines))

        def removed(_view: CartView) -> None:
            if asked == self._edits_asked:  # nothing else was asked meanwhile
                self._removed = (line, position)
                self.refresh_bindings()
            self.entry.say(f"Removed {line.sku}  (ctrl+z puts it back)")

        self._submit(lambda version: cart.remove_line(self.draft_id, line.id, version=version), removed)
        asked = self._edits_asked
        # The rows move up when the answer comes: a key typed next is meant for the row that
        # takes this one's place, so it waits until the table shows it.
        self.edits.hold_keys()

    def action_undo_remove(self) -> None:
        """ctrl+z: put the line Delete took off back where it was, with its quantity and price."""
        if self._removed is None:  # (the key is off then; this is for the palette's sake)
            return
        (line, position), cart = self._removed, self.oms.services.cart

        def restored(view: CartView) -> None:
            self.table.highlight_sku(line.sku)
            self.entry.say(f"Put back {line.sku}, {line.quantity}")

        self._submit(
            lambda version: cart.restore_line(
                self.draft_id,
                line.sku,
                line.quantity,
                position,
                line.price_override,
                line.override_reason,
                version=version,
            ),
            restored,
        )

    def on_cart_table_override_asked(self, event: CartTable.OverrideAsked) -> None:
        """``p``: ask the new price and the reason in a modal that saves it."""
        event.stop()
        from oms_tui.screens.price_override import PriceOverrideScreen

        cart, line = self.oms.services.cart, event.line

        def overridden(view: CartView | None) -> None:
            if view is not None:
                self.edits.version = view.version
                self._show(view)

        self.app.push_screen(
            PriceOverrideScreen(
                line,
                # The version is read when the price is saved, after any edit still running.
                lambda price, reason: cart.override_price(
                    self.draft_id, line.id, price, reason, version=self.edits.version
                ),
            ),
            overridden,
        )

    def _quantity(self, line_id: int) -> int:
        lines: tuple[LineView, ...] = self.view.lines if self.view else ()
        return next((line.quantity for line in lines if line.id == line_id), 0)

    def _failed(self, error: OmsError) -> None:
        self._checkout_when_done = False
        self.entry.say(str(error), error=True)

    def _stale(self, error: StaleEdit) -> None:
        self._checkout_when_done = False
        self.entry.say(str(error), error=True)
        self.load()

    # -- actions -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F4 here attaches a customer to this draft only while it has none (else: new order);
        Down goes to the lines only from the boxes (the table has its own Down).
        """
        if action == "identify":
            return self.view is not None and self.view.customer is None
        if action == "undo_remove":
            return self._removed is not None
        if action == "focus_lines":
            return self.focused is not None and self.entry in self.focused.ancestors
        return True

    def action_checkout(self) -> None:
        """F9: on to the checkout, once what was typed is added and every edit is saved."""
        if self.entry.sku_input.value.strip():
            self._checkout_when_done = True
            self.entry.submit()
            return
        if self.edits.busy:
            self._checkout_when_done = True
            return
        view = self.view
        if view is None:
            return
        if view.customer is None:
            self.entry.say("This order has no customer yet: press F4 to find or create one", error=True)
            self.notify("Attach a customer first: F4", severity="warning")
            return
        if not view.lines:
            self.entry.say("Add an item first", error=True)
            return
        self.oms.open_checkout(self.draft_id)

    def action_quick_pad(self) -> None:
        """ctrl+o (or q from the lines): the Quick Order Pad, for many lines at once."""
        from oms_tui.screens.quick_pad import QuickPadScreen

        customer = self.view.customer if self.view else None
        pad = QuickPadScreen(draft_id=self.draft_id, customer_id=customer.id if customer else None)
        self.app.push_screen(pad)

    def action_identify(self) -> None:
        """F4 (draft without a customer): find or create the customer for this draft.

        Identify opens the draft's cart again once the customer is attached, so it takes this
        cart's place rather than stacking a second cart over it.
        """
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        self.oms.open_identify(self.draft_id)

    def action_focus_lines(self) -> None:
        """Down from the boxes: to the lines."""
        if self.view and self.view.lines:
            self.table.focus()

    def on_unmount(self) -> None:
        """Leaving the cart: a draft with no lines is thrown away, so empty drafts don't pile up."""
        services = self.oms.services
        draft_id = self.draft_id
        run_service(
            self.app,
            lambda: services.cart.discard_if_empty(draft_id),
            lambda _: None,
            lambda _: None,
            group=f"discard-empty-{draft_id}",
        )

    def action_back(self) -> None:
        """Esc: back to where the order was started (the draft is already saved)."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
