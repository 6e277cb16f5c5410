"""All services of one process, built from one context."""

from __future__ import annotations

from dataclasses import dataclass

from oms_core.services.bulk import BulkOrderService
from oms_core.services.cart import CartService
from oms_core.services.changes import ChangeService
from oms_core.services.checkout import CheckoutService
from oms_core.services.clubs import ClubService
from oms_core.services.context import ServiceContext
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
from oms_core.services.ship_import import ShipImportService
from oms_core.services.story import StoryService


@dataclass(frozen=True, slots=True)
class Services:
    """The service facade the UI and the CLI hold."""

    context: ServiceContext
    customers: CustomerService
    cart: CartService
    checkout: CheckoutService
    orders: OrderService
    imports: ImportService
    quick_pad: QuickPadService
    bulk: BulkOrderService
    clubs: ClubService
    mail: MailService
    fulfilment: FulfilmentService
    holds: HoldService
    notes: NoteService
    operators: OperatorService
    payments: PaymentsService
    changes: ChangeService
    story: StoryService
    ship_import: ShipImportService

    @classmethod
    def build(cls, context: ServiceContext) -> Services:
        """Wire every service to the same context."""
        return cls(
            context=context,
            customers=CustomerService(context),
            cart=CartService(context),
            checkout=CheckoutService(context),
            orders=OrderService(context),
            imports=ImportService(context),
            quick_pad=QuickPadService(context),
            bulk=BulkOrderService(context),
            clubs=ClubService(context),
            mail=MailService(context),
            fulfilment=FulfilmentService(context),
            holds=HoldService(context),
            notes=NoteService(context),
            operators=OperatorService(context),
            payments=PaymentsService(context),
            changes=ChangeService(context),
            story=StoryService(context),
            ship_import=ShipImportService(context),
        )
