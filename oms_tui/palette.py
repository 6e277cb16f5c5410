"""Command palette (ctrl+p): go to a customer or an order by number, resume a draft, navigate."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from oms_core.domain.errors import OmsError
from oms_tui.command_table import palette_commands
from oms_tui.shell import OmsShell, shell
from oms_tui.text import safe

# The app imports this module before its first screen; the read models and the customer rules
# load with the services, behind that screen (the palette needs them only once it is opened).
if TYPE_CHECKING:
    from oms_core.read_models import OrderSummary

_CUSTOMER_NUMBER = re.compile(r"^\s*(?:customer\s+)?([cC]?\d{1,9})\s*$")
_ORDER_NUMBER = re.compile(r"^\s*(?:order\s+)?#?(\d{1,12})\s*$")


class OmsCommands(Provider):
    """Navigation commands, plus lookups by customer or order number and draft resumption."""

    drafts: list[OrderSummary]

    @property
    def oms(self) -> OmsShell:
        """The running oms application."""
        return shell(self.app)

    async def startup(self) -> None:
        """Load my drafts once when the palette opens (off the UI thread)."""
        try:
            self.drafts = await asyncio.to_thread(self.oms.services.cart.my_drafts, 20)
        except OmsError:
            self.drafts = []

    def _static(self) -> list[tuple[str, Callable[[], object], str]]:
        # The navigation entries come from the command table, and run the same action as the key.
        run_action = self.app.run_action
        return [
            (command.title, partial(run_action, command.action), command.palette_help)
            for command in palette_commands()
        ]

    async def discover(self) -> Hits:
        """What the palette lists before anything is typed."""
        for name, action, help_text in self._static():
            yield DiscoveryHit(name, action, help=help_text)
        for draft in self.drafts:
            yield DiscoveryHit(
                self._draft_label(draft), partial(self.oms.open_cart, draft.id), help="Resume draft"
            )

    async def search(self, query: str) -> Hits:
        """Match navigation commands, draft names, and customer/order numbers typed as-is."""
        matcher = self.matcher(query)
        for name, action, help_text in self._static():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), action, help=help_text)
        for draft in self.drafts:
            label = f"Resume {self._draft_label(draft)}"
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(label),
                    partial(self.oms.open_cart, draft.id),
                    text=label,
                    help="Resume draft",
                )
        customer = _CUSTOMER_NUMBER.match(query)
        if customer:
            number = customer.group(1)
            # Digits alone are an order first ("1501" opens order 1501); C000123 is a customer.
            named = number[:1] in "cC" or "customer" in query.lower()
            from oms_core.domain.customers import typed_customer_number

            shown = typed_customer_number(number)  # c476 is C000476
            yield Hit(
                1.0 if named else 0.8,
                f"Go to customer {shown}",
                partial(self._go_customer, number),
                text=f"Go to customer {shown}",
                help="Open the customer's record",
            )
        order = _ORDER_NUMBER.match(query)
        if order:
            number = order.group(1)
            yield Hit(
                0.9,
                f"Go to order #{number}",
                partial(self._go_order, number),
                text=f"Go to order {number}",
                help="Open the order",
            )

    @staticmethod
    def _draft_label(draft: OrderSummary) -> str:
        who = safe(draft.customer_name) or "no customer yet"
        return f"draft {draft.id}: {who}, {draft.line_count} lines"

    def _go_customer(self, number: str) -> None:
        from oms_tui.work import run_service

        app = self.oms
        run_service(
            app,
            lambda: app.services.customers.get_by_number(number),
            lambda detail: app.open_customer(detail.id),
            group="palette",
        )

    def _go_order(self, number: str) -> None:
        from oms_tui.work import run_service

        app = self.oms
        run_service(
            app,
            lambda: app.services.orders.get_by_number(number),
            lambda view: app.open_order(view.id),
            group="palette",
        )
