"""Adding a line by SKU: an SKU box with completion from the catalogue, and a quantity box.

Keys (the Enter rule): Enter in the SKU box moves to the quantity; Enter in the quantity asks
for the line and goes back to an empty SKU box. While the completion list is open, Up/Down
choose, Tab takes the highlighted product and moves to the quantity, Right (at the end of the
text) takes it and stays, Esc closes the list.

Keys typed ahead (a fast typist, a barcode scanner) reach the box they were meant for: Textual
hands a burst of keys to the box that had the focus when they arrived, so each box passes on the
keys that belong to the other one, by the entry's own idea of which box is active.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from oms_core.domain.errors import ValidationError
from oms_core.domain.money import format_money
from oms_core.domain.orders import MAX_LINE_QUANTITY, parse_quantity
from oms_core.read_models import ProductSummary
from oms_tui.text import safe
from oms_tui.work import run_service

Finder = Callable[[str], list[ProductSummary]]
"""Looks products up by SKU prefix or name (``services.cart.find_products`` for the customer)."""

SHOWN = 8
"""Most products the completion list shows."""


class EntryInput(Input):
    """A box of the ``SkuEntry``; its keys go through the entry first."""

    async def _on_key(self, event: events.Key) -> None:
        # Textual calls Input._on_key after this one unless the default is prevented.
        entry = next((node for node in self.ancestors if isinstance(node, SkuEntry)), None)
        if entry is not None and entry.route_key(self, event):
            event.stop()
            event.prevent_default()

    def _on_focus(self, event: events.Focus) -> None:
        entry = next((node for node in self.ancestors if isinstance(node, SkuEntry)), None)
        if entry is not None:
            entry.active = self


class SkuEntry(Vertical):
    """SKU and quantity boxes, the completion list, and a line for messages.

    Attributes:
        finder: the catalogue lookup, run in an exclusive worker as the operator types.
        active: the box keys belong to (ahead of Textual's focus during a burst of keys).
    """

    DEFAULT_CSS = """
    SkuEntry {
        height: auto;
    }
    SkuEntry #entry-row {
        height: 3;
    }
    SkuEntry #entry-row Label {
        padding: 1 1 0 1;
        color: $text-muted;
    }
    SkuEntry #sku {
        width: 1fr;
    }
    SkuEntry #qty {
        width: 9;
    }
    SkuEntry #entry-message {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    SkuEntry #entry-message.-error {
        color: $error;
        text-style: bold;
    }
    SkuEntry #sku-choices {
        overlay: screen;
        constrain: none inside;
        display: none;
        width: 1fr;
        max-width: 100;
        height: auto;
        max-height: 10;
        border: round $accent;
        background: $surface;
    }
    SkuEntry #sku-choices.-open {
        display: block;
    }
    """

    @dataclass
    class LineAsked(Message):
        """The operator asked to add ``quantity`` of ``sku`` (Enter in the quantity box)."""

        entry: SkuEntry
        sku: str
        quantity: int

    def __init__(self, finder: Finder, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.finder = finder
        self.active: Input | None = None
        self._choices: list[ProductSummary] = []
        self._choices_for = ""
        self._chosen_by_keys = False
        self._taken = ""

    def compose(self) -> ComposeResult:
        """The boxes, the message line and the (hidden) completion list."""
        with Horizontal(id="entry-row"):
            yield Label("SKU")
            yield EntryInput(placeholder="SKU or part of a product name", id="sku", max_length=60)
            yield Label("Qty")
            yield EntryInput("1", id="qty", restrict=r"\d*", max_length=len(str(MAX_LINE_QUANTITY)))
        yield Static("", id="entry-message", markup=False)
        yield OptionList(id="sku-choices")

    # -- what the screen calls -------------------------------------------------------------

    @property
    def sku_input(self) -> Input:
        """The SKU box."""
        return self.query_one("#sku", Input)

    @property
    def qty_input(self) -> Input:
        """The quantity box."""
        return self.query_one("#qty", Input)

    def focus_sku(self) -> None:
        """Put the cursor in the SKU box."""
        self._activate(self.sku_input)

    def submit(self) -> None:
        """Ask for what is typed, as Enter in the quantity box does (F9 with a SKU typed)."""
        self._ask_line()

    def line_refused(self, sku: str, quantity: int, message: str) -> None:
        """The line was refused: say why, and put the SKU back to correct (unless the operator
        has typed on already; the message names the SKU).
        """
        if not self.sku_input.value:
            self.sku_input.value = sku
            self.sku_input.cursor_position = len(sku)
            self.qty_input.value = str(quantity)
            self._taken = sku.strip()  # no completion list over the error
        self.say(message, error=True)
        self.focus_sku()

    def say(self, message: str, error: bool = False) -> None:
        """Show ``message`` (literally) on the message line."""
        line = self.query_one("#entry-message", Static)
        line.update(Text(safe(message), no_wrap=True, overflow="ellipsis"))
        line.set_class(error, "-error")

    # -- keys --------------------------------------------------------------------------------

    def route_key(self, box: Input, event: events.Key) -> bool:
        """A key arrived at ``box``; True when it was handled (or passed on) here."""
        active = self.active or box
        if active is not box:
            # Typed ahead of a focus change: it belongs to the other box.
            active.post_message(events.Key(event.key, event.character))
            return True
        key = event.key
        if box is self.qty_input:
            if key == "enter":
                self._ask_line()
                return True
            if key == "shift+tab":
                self._activate(self.sku_input)
                return True
            if event.is_printable and not (event.character or "").isdigit():
                self._refuse_in_qty(event.character or "")
                return True
            return False
        if self.completion_open and self._completion_key(key, box.cursor_at_end):
            return True
        if key in ("enter", "tab"):
            self._close()
            if box.value.strip() or key == "tab":
                self._activate(self.qty_input)
            return True
        return False

    def _completion_key(self, key: str, cursor_at_end: bool) -> bool:
        choices = self.query_one("#sku-choices", OptionList)
        if key in ("down", "up"):
            choices.action_cursor_down() if key == "down" else choices.action_cursor_up()
            self._chosen_by_keys = True
            return True
        if key == "escape":
            self._close()
            return True
        if key == "tab" or (key == "right" and cursor_at_end):
            self._take(move_on=key == "tab")
            return True
        if key == "enter" and (self._chosen_by_keys or self._typed_is_partial()):
            self._take(move_on=True)
            return True
        return False

    def _typed_is_partial(self) -> bool:
        """True when the list answers exactly what is typed and no product has that very SKU.

        Then Enter takes the highlighted product ("cab" + Enter picks the first cabernet); a
        complete SKU typed with Enter is kept as typed.
        """
        typed = self.sku_input.value.strip()
        if typed != self._choices_for:
            return False  # the list is from an older keystroke; don't guess
        return not any(product.sku.upper() == typed.upper() for product in self._choices)

    def _activate(self, box: Input) -> None:
        # Screen.set_focus is immediate; Widget.focus() would wait behind keys already queued.
        self.active = box
        self.screen.set_focus(box)

    def _refuse_in_qty(self, character: str) -> None:
        """A letter typed into Qty (the operator thought the cursor was in the SKU box): say so,
        and empty the box, so that the quantity it held is not taken for the next line.
        """
        self.qty_input.value = ""
        self.say(f"Qty takes a number, not {character!r}: the SKU goes in the SKU box", error=True)
        self.app.bell()

    def _ask_line(self) -> None:
        sku = self.sku_input.value.strip()
        if not sku:
            self.say("type a SKU first", error=True)
            self.qty_input.value = "1"  # a quantity typed without a SKU is not kept for the next one
            self._activate(self.sku_input)
            return
        text = self.qty_input.value.strip()
        try:
            quantity = parse_quantity(text) if text else 1
        except ValidationError as error:
            self.say(f"Qty: {error}", error=True)
            self._activate(self.qty_input)
            self.qty_input.select_all()
            return
        # Clear now, so the next SKU can be typed while this one is being saved.
        self._taken = ""
        self.sku_input.value = ""
        self.qty_input.value = "1"
        self._activate(self.sku_input)
        self.post_message(self.LineAsked(self, sku, quantity))

    # -- completion --------------------------------------------------------------------------

    @on(Input.Changed, "#sku")
    def _sku_changed(self, event: Input.Changed) -> None:
        event.stop()
        text = event.value.strip()
        if text == self._taken:
            return
        self._taken = ""
        self._chosen_by_keys = False
        if not text:
            self._close()
            return
        finder = self.finder
        run_service(
            self,
            lambda: finder(text),
            lambda found: self._show_choices(text, found),
            lambda error: self.say(str(error), error=True),
            group="sku-find",
            hold_keys=True,  # "cab" Enter typed at once takes the first match, as typed slowly
        )

    def _show_choices(self, text: str, found: list[ProductSummary]) -> None:
        if text != self.sku_input.value.strip() or self.active is not self.sku_input:
            return
        self._choices = found[:SHOWN]
        self._choices_for = text
        choices = self.query_one("#sku-choices", OptionList)
        choices.clear_options()
        if not self._choices:
            self._close()
            return
        choices.add_options(Option(_choice_text(product)) for product in self._choices)
        choices.highlighted = 0
        choices.add_class("-open")
        self.say("Up/Down choose, Tab take, Esc close")

    @property
    def completion_open(self) -> bool:
        """True while the completion list is shown."""
        return self.query_one("#sku-choices", OptionList).has_class("-open")

    def _take(self, move_on: bool) -> None:
        index = self.query_one("#sku-choices", OptionList).highlighted
        if index is not None and 0 <= index < len(self._choices):
            product = self._choices[index]
            self._taken = product.sku
            self.sku_input.value = product.sku
            self.sku_input.cursor_position = len(product.sku)
            self.say(f"{product.sku}  {safe(product.name)}  {format_money(product.price)}")
        self._close()
        if move_on:
            self._activate(self.qty_input)

    def _close(self) -> None:
        self.query_one("#sku-choices", OptionList).remove_class("-open")
        self._chosen_by_keys = False

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """Close the list when the cursor leaves the SKU box."""
        if event.widget is self.sku_input:
            self._close()


def _choice_text(product: ProductSummary) -> Text:
    """One completion row: SKU, name, price and stock, literally."""
    row = Text(no_wrap=True, overflow="ellipsis")
    row.append(f"{safe(product.sku):<15} ", style="bold")
    row.append(safe(product.name))
    row.append(f"  {format_money(product.price)}")
    stock = f"stock {max(product.stock_on_hand, 0)}"
    if product.stock_on_hand <= 0 and product.allow_backorder:
        stock += " (backorder)"
    row.append(f"  {stock}", style="dim")
    if not product.active:
        row.append("  no longer sold", style="bold")
    return row
