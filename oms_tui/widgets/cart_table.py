"""The lines of a draft: SKU, name, quantity, price, line total and stock, with line keys."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from oms_core.domain.orders import MAX_LINE_QUANTITY
from oms_core.read_models import LineView
from oms_tui.text import money_text, plain, product_name

# Fixed widths of every column but the name, which takes what is left.
_WIDTHS = {"sku": 15, "qty": 4, "price": 9, "total": 10, "stock": 9}
_MIN_NAME = 12
_MAX_TYPED = len(str(MAX_LINE_QUANTITY))  # digits of a quantity typed on a line


class CartTable(DataTable[Text]):
    """A draft's lines. ``+``/``-`` change the highlighted line's quantity, digits then Enter set
    it, Delete removes it, ``p`` overrides its price, shift+Tab goes back to the SKU box. The
    table only asks (messages); the screen does the edit.
    """

    BINDINGS = [
        Binding("plus,equals_sign", "change(1)", "More", id="cart_more"),
        Binding("minus", "change(-1)", "Less", id="cart_less"),
        Binding("delete,backspace", "remove", "Remove", id="cart_remove"),
        Binding("p", "override", "Price", id="cart_price"),
        Binding("shift+tab", "to_entry", "SKU box", show=False, id="cart_to_entry"),
    ]

    COMPONENT_CLASSES = {"cart-table--short", "cart-table--override"}

    DEFAULT_CSS = """
    CartTable > .cart-table--short {
        color: $warning;
        text-style: bold;
    }
    CartTable > .cart-table--override {
        color: $accent;
        text-style: bold;
    }
    """

    @dataclass
    class QuantityChangeAsked(Message):
        """The operator asked to change a line's quantity by ``delta``."""

        line: LineView
        delta: int

    @dataclass
    class QuantityTyped(Message):
        """Digits are being typed on a line (``text`` empty: the typing was given up)."""

        line: LineView
        text: str

    @dataclass
    class QuantitySetAsked(Message):
        """Enter after digits typed on a line: set its quantity to ``text``."""

        line: LineView
        text: str

    class EntryAsked(Message):
        """shift+Tab: back to the SKU box (the quantity box is only ever reached from it)."""

    @dataclass
    class RemoveAsked(Message):
        """The operator asked to remove a line."""

        line: LineView

    @dataclass
    class OverrideAsked(Message):
        """The operator asked to override a line's price."""

        line: LineView

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._lines: tuple[LineView, ...] = ()
        self._name_width = 0
        self._typed = ""

    def on_mount(self) -> None:
        """Columns sized for the current width."""
        self._build_columns()

    def on_resize(self) -> None:
        """Give the name column whatever width the others leave."""
        if self._name_width != self._wanted_name_width():
            # Rebuilding the columns clears the rows and puts the cursor on the first one: keep it
            # on the line it was on (a resize comes with the first price override's warning line).
            keep, row = self.current_line, self.cursor_row
            self._build_columns()
            self.show_lines(self._lines, keep, row)

    @property
    def current_line(self) -> LineView | None:
        """The highlighted line, if any."""
        if not self._lines or not 0 <= self.cursor_row < len(self._lines):
            return None
        return self._lines[self.cursor_row]

    def show_lines(
        self, lines: tuple[LineView, ...], keep: LineView | None = None, old_row: int | None = None
    ) -> None:
        """Replace the rows, keeping the highlight on the same line (or the nearest one).

        Args:
            lines: the draft's lines.
            keep: the line to stay on (default: the highlighted one).
            old_row: the row to stay at when that line is gone (default: the cursor's).
        """
        if keep is None and old_row is None:
            keep, old_row = self.current_line, self.cursor_row
        old_row = self.cursor_row if old_row is None else old_row
        self._lines = lines
        self.clear()
        short_style = self.get_component_rich_style("cart-table--short", partial=True)
        override_style = self.get_component_rich_style("cart-table--override", partial=True)
        for line in lines:
            price = money_text(line.effective_price)
            if line.price_override is not None:
                price = Text("*", style=override_style) + price
                price.justify = "right"
            stock: Text
            if line.stock_on_hand is None:
                stock = Text("")
            elif line.short_by:
                kind = "b/o" if line.allow_backorder else "short"
                stock = Text(f"{max(line.stock_on_hand, 0)} {kind}", style=short_style, justify="right")
            else:
                stock = Text(str(line.stock_on_hand), justify="right")
            name = product_name(line.name, max(self._name_width, _MIN_NAME))
            self.add_row(
                plain(line.sku),
                name,
                Text(str(line.quantity), justify="right"),
                price,
                money_text(line.line_total),
                stock,
                key=str(line.id),
            )
        if not lines:
            return
        row = old_row
        if keep is not None:
            row = next((i for i, line in enumerate(lines) if line.id == keep.id), old_row)
        self.move_cursor(row=min(max(row, 0), len(lines) - 1), animate=False)

    def highlight_sku(self, sku: str) -> None:
        """Move the highlight to the line with ``sku`` (after adding it)."""
        for index, line in enumerate(self._lines):
            if line.sku == sku:
                self.move_cursor(row=index, animate=False)
                return

    # -- typing a quantity on a line -------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """Digits typed on a line are its new quantity, set by Enter (Backspace, Esc as usual)."""
        line = self.current_line
        if line is None:
            return
        typed = self._typed
        if event.is_printable and (event.character or "").isdigit():
            if len(typed) < _MAX_TYPED:
                self._typed = typed + (event.character or "")
            self._typing(event, line)
        elif not typed:
            return
        elif event.key == "backspace":
            self._typed = typed[:-1]
            self._typing(event, line)
        elif event.key == "escape":
            self._typed = ""
            self._typing(event, line)
        elif event.key == "enter":
            self._typed = ""
            event.stop()
            event.prevent_default()
            self.post_message(self.QuantitySetAsked(line, typed))
        else:  # any other key gives the typing up, then does what it does
            self._typed = ""
            self.post_message(self.QuantityTyped(line, ""))

    def _typing(self, event: events.Key, line: LineView) -> None:
        event.stop()
        event.prevent_default()
        self.post_message(self.QuantityTyped(line, self._typed))

    def on_blur(self) -> None:
        """Leaving the lines gives up a quantity being typed."""
        if self._typed and (line := self.current_line) is not None:
            self._typed = ""
            self.post_message(self.QuantityTyped(line, ""))

    # -- actions -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Line keys only when there is a line."""
        if action in ("change", "remove", "override"):
            return self.current_line is not None
        return True

    def action_change(self, delta: int) -> None:
        """Ask for the highlighted line's quantity to change by ``delta``."""
        if (line := self.current_line) is not None:
            self.post_message(self.QuantityChangeAsked(line, delta))

    def action_to_entry(self) -> None:
        """shift+Tab: ask for the SKU box."""
        self.post_message(self.EntryAsked())

    def action_remove(self) -> None:
        """Ask for the highlighted line to be removed."""
        if (line := self.current_line) is not None:
            self.post_message(self.RemoveAsked(line))

    def action_override(self) -> None:
        """Ask for the highlighted line's price to be overridden."""
        if (line := self.current_line) is not None:
            self.post_message(self.OverrideAsked(line))

    # -- columns -------------------------------------------------------------------------------

    def _wanted_name_width(self) -> int:
        # Each column has one cell of padding each side; keep one spare for the scrollbar.
        used = sum(_WIDTHS.values()) + 2 * (len(_WIDTHS) + 1) + 1
        return max(_MIN_NAME, self.size.width - used) if self.size.width else 20

    def _build_columns(self) -> None:
        self._name_width = self._wanted_name_width()
        self.clear(columns=True)
        self.add_column("SKU", width=_WIDTHS["sku"], key="sku")
        self.add_column("Name", width=self._name_width, key="name")
        self.add_column(Text("Qty", justify="right"), width=_WIDTHS["qty"], key="qty")
        self.add_column(Text("Price", justify="right"), width=_WIDTHS["price"], key="price")
        self.add_column(Text("Total", justify="right"), width=_WIDTHS["total"], key="total")
        self.add_column(Text("Stock", justify="right"), width=_WIDTHS["stock"], key="stock")
