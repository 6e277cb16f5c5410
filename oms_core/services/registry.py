"""All services of one process, built from one context.

Each service is built, and its module imported, the first time it is asked for: the first screen
needs a few of them, and importing all (batches, imports, documents, mail...) before it could be
used made every start-up pay for screens the operator may never open.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from oms_core.services.context import ServiceContext

if TYPE_CHECKING:
    from oms_core.services.bulk import BulkOrderService
    from oms_core.services.cart import CartService
    from oms_core.services.changes import ChangeService
    from oms_core.services.checkout import CheckoutService
    from oms_core.services.clubs import ClubService
    from oms_core.services.customers import CustomerService
    from oms_core.services.fulfilment import FulfilmentService
    from oms_core.services.holds import HoldService
    from oms_core.services.imports import ImportService
    from oms_core.services.mail import MailService
    from oms_core.services.notes import NoteService
    from oms_core.services.operators import OperatorService
    from oms_core.services.orders import OrderService
    from oms_core.services.payments import PaymentsService
    from oms_core.services.quick_pad import QuickPadService
    from oms_core.services.returns import ReturnService
    from oms_core.services.ship_import import ShipImportService
    from oms_core.services.story import StoryService


class Services:
    """The service facade the UI and the CLI hold (one instance of each service, made when first used).

    Args:
        context: what every service shares (units of work, gateway, clock, operator, settings).
    """

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @classmethod
    def build(cls, context: ServiceContext) -> Services:
        """Wire every service to the same context."""
        return cls(context)

    @cached_property
    def customers(self) -> CustomerService:
        """Customer search and records."""
        from oms_core.services.customers import CustomerService

        return CustomerService(self.context)

    @cached_property
    def cart(self) -> CartService:
        """Drafts and their lines."""
        from oms_core.services.cart import CartService

        return CartService(self.context)

    @cached_property
    def checkout(self) -> CheckoutService:
        """Placing a draft."""
        from oms_core.services.checkout import CheckoutService

        return CheckoutService(self.context)

    @cached_property
    def orders(self) -> OrderService:
        """Placed orders."""
        from oms_core.services.orders import OrderService

        return OrderService(self.context)

    @cached_property
    def imports(self) -> ImportService:
        """Order files."""
        from oms_core.services.imports import ImportService

        return ImportService(self.context)

    @cached_property
    def quick_pad(self) -> QuickPadService:
        """The Quick Order Pad."""
        from oms_core.services.quick_pad import QuickPadService

        return QuickPadService(self.context)

    @cached_property
    def bulk(self) -> BulkOrderService:
        """Bulk orders."""
        from oms_core.services.bulk import BulkOrderService

        return BulkOrderService(self.context)

    @cached_property
    def clubs(self) -> ClubService:
        """Club shipments."""
        from oms_core.services.clubs import ClubService

        return ClubService(self.context)

    @cached_property
    def mail(self) -> MailService:
        """The mail outbox."""
        from oms_core.services.mail import MailService

        return MailService(self.context)

    @cached_property
    def fulfilment(self) -> FulfilmentService:
        """Release, shipping and delivery."""
        from oms_core.services.fulfilment import FulfilmentService

        return FulfilmentService(self.context)

    @cached_property
    def holds(self) -> HoldService:
        """Order holds."""
        from oms_core.services.holds import HoldService

        return HoldService(self.context)

    @cached_property
    def notes(self) -> NoteService:
        """Call notes."""
        from oms_core.services.notes import NoteService

        return NoteService(self.context)

    @cached_property
    def operators(self) -> OperatorService:
        """Operators and sessions."""
        from oms_core.services.operators import OperatorService

        return OperatorService(self.context)

    @cached_property
    def payments(self) -> PaymentsService:
        """Payments: reconcile and history."""
        from oms_core.services.payments import PaymentsService

        return PaymentsService(self.context)

    @cached_property
    def changes(self) -> ChangeService:
        """Changes to unreleased orders."""
        from oms_core.services.changes import ChangeService

        return ChangeService(self.context)

    @cached_property
    def story(self) -> StoryService:
        """A customer's story in one place."""
        from oms_core.services.story import StoryService

        return StoryService(self.context)

    @cached_property
    def ship_import(self) -> ShipImportService:
        """Shipments imported from a carrier's file."""
        from oms_core.services.ship_import import ShipImportService

        return ShipImportService(self.context)

    @cached_property
    def returns(self) -> ReturnService:
        """Returns, refunds, store credit and exchanges."""
        from oms_core.services.returns import ReturnService

        return ReturnService(self.context)
