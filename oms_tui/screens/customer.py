"""A customer's record: contact details, address book, cards, recent orders and open drafts.

Keys: o place an order, e edit, a add an address, c add a card, r reorder the highlighted past
order, s the customer's story (orders, shipments with tracking, notes and mail, newest first), n add
a call note (the newest notes are listed, the customer's orders' included), Enter
opens the highlighted order (or resumes the highlighted draft), Esc goes back.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Label, Static

from oms_core.read_models import AddressView, CardView, CartView, CustomerDetail, NoteView
from oms_core.services.contact import display_phone
from oms_tui.screens.reason import ask_for_note
from oms_tui.shell import OmsShell, shell
from oms_tui.stylesheets import STYLES
from oms_tui.text import plain, safe
from oms_tui.widgets.call_notes import notes_text
from oms_tui.widgets.key_footer import KeyFooter
from oms_tui.widgets.order_rows import CUSTOMER_ORDER_COLUMNS, DRAFT_COLUMNS, draft_cells, order_cells
from oms_tui.widgets.paged_table import PagedTable
from oms_tui.work import run_service

BOOK_LINES = 6
"""Address-book entries the record shows: ``#addresses`` is at most 7 lines high (customer.tcss),
one of them the heading, and an entry never wraps (a long one ends in an ellipsis), so the last
line is always there. Only these are read and drawn: a book of 500 costs what a book of six does."""


class CustomerScreen(Screen[None]):
    """One customer, read-only, with the keys that act on them."""

    TITLE = "Customer"
    CSS_PATH = [STYLES / "customer.tcss"]
    BINDINGS = [
        Binding("o", "place_order", "Place order", id="place_order"),
        Binding("e", "edit", "Edit", id="edit_customer"),
        Binding("a", "add_address", "Address", id="add_address"),
        Binding("c", "add_card", "Card", id="add_card"),
        Binding("r", "reorder", "Reorder", id="reorder"),
        Binding("s", "story", "Story", id="customer_story"),
        Binding("n", "note", "Note", id="customer_note"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, customer_id: int) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.customer: CustomerDetail | None = None
        self._first_show = True
        self._busy = False
        # Set while a form that hands back what it saved is open: the record is patched with that
        # instead of being read again when the form closes.
        self._patch_on_return = False

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    def compose(self) -> ComposeResult:
        """Contact block, address book beside cards, recent orders, open drafts."""
        yield Header()
        yield Static("Loading...", id="contact", markup=False)
        yield Static("", id="customer-error", classes="error", markup=False)
        yield Static("", id="cards", markup=False)
        yield Static("", id="addresses", markup=False)
        yield Static("", id="call-notes", markup=False)
        with Vertical(id="orders-box"):
            yield Label("Recent orders", classes="section", id="orders-heading")
            yield PagedTable(CUSTOMER_ORDER_COLUMNS, id="recent-orders")
        with Vertical(id="drafts-box"):
            yield Label("Open drafts (Enter resumes)", classes="section")
            yield PagedTable(DRAFT_COLUMNS, id="open-drafts")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Load the record."""
        self.load()

    def on_screen_resume(self) -> None:
        """Back from the cart, an order or the contact form: show the record as it is now. Back
        from the address or card form: that form's result patches the record (nothing is read).
        """
        if self._patch_on_return:
            self._patch_on_return = False
        elif self.customer is not None:
            self.load()

    def load(self) -> None:
        """Fetch the record and its call notes (off the UI thread) and show them."""
        customer_id = self.customer_id
        run_service(
            self,
            lambda: self.oms.services.customers.get(customer_id, book_limit=BOOK_LINES),
            self.show_customer,
            lambda error: self._error(str(error)),
            group="customer-load",
        )
        run_service(
            self,
            lambda: self.oms.services.notes.for_customer(customer_id),
            self.show_notes,
            group="customer-notes",
        )

    def show_notes(self, notes: tuple[NoteView, ...]) -> None:
        """The newest call notes (hidden when there are none)."""
        text = notes_text(notes)
        self.query_one("#call-notes", Static).update(text or "")
        self.query_one("#call-notes").display = text is not None

    def action_note(self) -> None:
        """Ask for a call note and add it to the customer."""
        if self.customer is None:
            return
        customer_id, notes = self.customer_id, self.oms.services.notes
        title = f"Note on {self.customer.number} {self.customer.name}"
        ask_for_note(self, title, lambda text: notes.add_to_customer(customer_id, text), self.show_notes)

    # -- showing ---------------------------------------------------------------------------------

    def show_customer(self, customer: CustomerDetail) -> None:
        """Render ``customer`` into every part of the screen."""
        self.customer = customer
        self.sub_title = f"{safe(customer.number)} {safe(customer.name)}"
        region = self.oms.services.context.settings.phone_region
        self.query_one("#contact", Static).update(_contact(customer, region))
        self.query_one("#addresses", Static).update(_addresses(customer, None))
        self.query_one("#cards", Static).update(_cards(customer))
        orders = self.query_one("#recent-orders", PagedTable)
        keep = orders.highlighted_key
        orders.set_rows(
            [(str(o.id), order_cells(o, with_customer=False)) for o in customer.recent_orders],
            has_more=False,
            keep_key=keep,
        )
        heading = "Recent orders (Enter opens, r reorders)" if customer.recent_orders else "No orders yet"
        self.query_one("#orders-heading", Label).update(heading)
        drafts = self.query_one("#open-drafts", PagedTable)
        drafts.set_rows([(str(d.id), draft_cells(d)) for d in customer.open_drafts], has_more=False)
        self.query_one("#drafts-box").display = bool(customer.open_drafts)
        self._error("")
        self.refresh_bindings()
        if self._first_show:
            self._first_show = False
            (orders if customer.recent_orders or not customer.open_drafts else drafts).focus()

    def _error(self, message: str) -> None:
        self._busy = False
        line = self.query_one("#customer-error", Static)
        line.update(message)
        line.display = bool(message)

    # -- keys ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what needs a loaded record (or a past order)."""
        if (
            action in ("place_order", "edit", "add_address", "add_card", "note", "story")
            and self.customer is None
        ):
            return None
        if action == "reorder" and not (self.customer and self.customer.recent_orders):
            return None
        return True

    @on(PagedTable.RowSelected, "#recent-orders")
    def _order_chosen(self, event: PagedTable.RowSelected) -> None:
        event.stop()
        self.oms.open_order(int(event.row_key.value or 0))

    @on(PagedTable.RowSelected, "#open-drafts")
    def _draft_chosen(self, event: PagedTable.RowSelected) -> None:
        event.stop()
        self.oms.open_cart(int(event.row_key.value or 0))

    def action_story(self) -> None:
        """Their orders, shipments with tracking, notes and mail, newest first, in one list."""
        from oms_tui.screens.story import StoryScreen

        if self.customer is not None:
            self.app.push_screen(
                StoryScreen(self.customer_id, f"{self.customer.number} {self.customer.name}")
            )

    def action_place_order(self) -> None:
        """``o``: a new order for this customer, unless they have an open draft: then ask
        whether to resume it (r) or start a new one (n).
        """
        if self._busy or self.customer is None:
            return
        self._busy = True
        self._unless_open_draft(self._start_order, "New order")

    def _unless_open_draft(self, go_on: Callable[[], None], new_label: str) -> None:
        from oms_tui.screens.resume_draft import unless_open_draft

        assert self.customer is not None
        unless_open_draft(
            self,
            self.customer_id,
            self.customer.name,
            go_on,
            idle=self._idle,
            failed=lambda error: self._error(str(error)),
            new_label=new_label,
        )

    def _idle(self) -> None:
        self._busy = False

    def _start_order(self) -> None:
        """Start a draft for this customer and open its cart."""
        self._busy = True
        cart, customer_id = self.oms.services.cart, self.customer_id
        run_service(
            self,
            lambda: cart.start(customer_id),
            self._open_cart,
            lambda error: self._error(str(error)),
            group="customer-action",
            hold_keys=True,
        )

    def action_reorder(self) -> None:
        """A new draft with the highlighted past order's items, then its cart; if the customer
        has an open draft, ask first (r resumes it, n reorders anyway).
        """
        key = self.query_one("#recent-orders", PagedTable).highlighted_key
        if key is None or self._busy or self.customer is None:
            return
        self._busy = True
        order_id = int(key)

        def reorder() -> None:
            run_service(
                self,
                lambda: self.oms.services.orders.reorder(order_id),
                self._open_cart,
                lambda error: self._error(str(error)),
                group="customer-action",
                hold_keys=True,
            )

        self._unless_open_draft(reorder, "Reorder anyway")

    def _open_cart(self, draft: CartView) -> None:
        self._busy = False
        for warning in draft.warnings:
            self.notify(safe(warning), severity="warning", markup=False)
        self.oms.open_cart(draft.id)

    def action_edit(self) -> None:
        """Edit the contact details."""
        from oms_tui.screens.customer_form import CustomerFormScreen

        if self.customer is not None:
            # The record it returns is shown here: the entries that fit.
            self.app.push_screen(CustomerFormScreen(self.customer, BOOK_LINES), self._saved)

    def action_add_address(self) -> None:
        """Add an address to the book."""
        from oms_tui.screens.address_form import AddressFormScreen

        if self.customer is not None:
            self._patch_on_return = True
            self.app.push_screen(AddressFormScreen(self.customer), self._address_saved)

    def action_add_card(self) -> None:
        """Add a card on file."""
        from oms_tui.screens.card_form import CardFormScreen

        if self.customer is not None:
            self._patch_on_return = True
            self.app.push_screen(CardFormScreen(self.customer), self._card_saved)

    def _address_saved(self, saved: AddressView | None) -> None:
        """Put the saved entry into the book shown (and its defaults), without reading the book."""
        if saved is not None and self.customer is not None:
            self.customer = self.customer.with_address(saved)
            self.query_one("#addresses", Static).update(_addresses(self.customer, saved))

    def _card_saved(self, kept: CardView | None) -> None:
        if kept is not None and self.customer is not None:
            self.customer = self.customer.with_card(kept)
            self.query_one("#cards", Static).update(_cards(self.customer))

    def _saved(self, detail: CustomerDetail | None) -> None:
        if detail is not None:
            self.show_customer(detail)

    def action_back(self) -> None:
        """Back to where the record was opened from."""
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.oms.open_customers()


def _contact(c: CustomerDetail, region: str) -> Text:
    heading = Text.assemble((safe(c.number), "bold"), "  ", (safe(c.name), "bold"))
    facts = [safe(c.type_name), c.status_label.capitalize()]
    if c.tax_exempt:
        facts.append("Tax exempt")
    if c.is_club:
        facts.append("Club member")
    if c.preferred_pickup:
        facts.append("Prefers pickup")
    heading.append("   " + " · ".join(facts))
    lines = [heading]
    if c.company and c.company != c.name:
        lines.append(Text.assemble("Company  ", plain(c.company)))
    lines.append(Text.assemble("Email    ", plain(c.email or "-")))
    phone = display_phone(c.phone, region) or "-"
    alt = display_phone(c.alt_phone, region)
    lines.append(Text.assemble("Phone    ", phone, f"    Alt {alt}" if alt else ""))
    if not c.may_order:
        refused = f"{c.status_label.capitalize()}: orders are refused at checkout"
        lines.append(Text(refused, style="bold reverse"))
    if c.notes:
        lines.append(Text.assemble("Notes    ", plain(c.notes)))
    return Text("\n").join(lines)


def _addresses(c: CustomerDetail, saved: AddressView | None) -> Text:
    """The book's heading and the entries that fit (``BOOK_LINES``): the first ones, the entry just
    ``saved`` among them when it is not, and how many more the book holds.
    """
    lines = [Text("Address book  (defaults marked ship / bill)", style="bold")]
    if not c.address_count:
        lines.append(Text("no address yet: a adds one"))
    shown = list(c.addresses[:BOOK_LINES])
    more = c.address_count - len(shown)
    if more:
        shown, more = shown[:-1], more + 1  # the last line counts the rest
        if saved is not None and all(entry.id != saved.id for entry in shown):
            shown[-1] = saved
    for entry in shown:
        marks = [
            m for m, on_ in (("ship", entry.is_default_shipping), ("bill", entry.is_default_billing)) if on_
        ]
        mark = "+".join(marks)
        label = f"{safe(entry.label)}: " if entry.label else ""
        lines.append(Text.assemble((f"{mark:<9}", "bold"), " ", label, plain(entry.address.one_line())))
    if more:
        lines.append(Text(f"... and {more} more"))
    return Text("\n").join(lines)  # one line each: #addresses does not wrap (customer.tcss)


def _cards(c: CustomerDetail) -> Text:
    cards = "; ".join(safe(card.label) for card in c.cards) or "none"
    return Text.assemble(("Cards    ", ""), cards)
