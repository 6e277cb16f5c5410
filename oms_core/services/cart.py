"""The cart: starting a draft and every edit to it, each committed at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from oms_core.domain.addresses import address_problems, clean_address
from oms_core.domain.audit import AuditEvent
from oms_core.domain.customers import Address, Customer, CustomerStatus
from oms_core.domain.errors import InvalidState, NotFound, ValidationError
from oms_core.domain.money import money
from oms_core.domain.operators import Operator, Role
from oms_core.domain.orders import (
    GIFT_MESSAGE_MAX,
    NOTES_MAX,
    DraftStage,
    Order,
    OrderLine,
    OrderSource,
    check_quantity,
)
from oms_core.domain.payments import CardEntry, PaymentChoice, PaymentMethod
from oms_core.domain.placing import card_choice, check_payment_allowed, default_payment
from oms_core.domain.pricing import override_needs_supervisor, unit_price
from oms_core.domain.products import normalize_sku
from oms_core.domain.text import clean_field, clean_multiline
from oms_core.ports import UnitOfWork
from oms_core.read_models import CartView, OrderSummary, ProductSummary, TimePosition
from oms_core.services.context import ServiceContext, current_operator, require_role
from oms_core.services.drafts import (
    PricingContext,
    QuotedCustomer,
    change_base,
    describe,
    edit_draft,
    load_draft,
    quote,
    reprice_draft,
    require_customer,
)
from oms_core.services.retry import retry_on_conflict
from oms_core.services.views import product_summary


class CartService:
    """Drafts: the operator's carts. Every method commits its edit before returning."""

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    # -- drafts ----------------------------------------------------------------------------

    @retry_on_conflict
    def start(self, customer_id: int | None = None, source: str = "phone") -> CartView:
        """Start a draft, for a customer (from their record) or empty (attach one later)."""
        try:
            order_source = OrderSource(source)
        except ValueError:
            raise ValidationError(f"unknown order source {source!r}", field="source") from None
        now = self._ctx.clock.now()
        with self._ctx.write() as uow:
            order = Order(
                id=None,
                source=order_source,
                operator=self._ctx.operator_username,
                created_at=now,
                updated_at=now,
            )
            quoted = None
            pricing = PricingContext(uow)
            if customer_id is not None:
                customer = uow.customers.get_for_order(customer_id)
                self._attach(pricing, order, customer)
                quoted = QuotedCustomer.of(customer)
            products = reprice_draft(uow, order, quoted, pricing)
            uow.orders.add(order)
            view = describe(order, quoted, products)
            uow.commit()
        return view

    def get(self, draft_id: int) -> CartView:
        """A draft with a fresh quote (prices and stock as they are now)."""
        with self._ctx.read() as uow:
            order = load_draft(uow, draft_id, None)
            base = change_base(uow, order)
            customer, products = quote(uow, order, base)
            return describe(order, customer, products, base)

    def my_drafts(self, limit: int = 50, after: TimePosition | None = None) -> list[OrderSummary]:
        """This operator's open drafts, most recently edited first: a page of ``limit``, after
        ``after`` (``TimePosition.after`` of the last one shown) for the next.
        """
        with self._ctx.read() as uow:
            return uow.orders.drafts(operator=self._ctx.operator_username, limit=limit, after=after)

    def open_drafts_for(self, customer_id: int, limit: int = 5) -> list[OrderSummary]:
        """The customer's open drafts (anyone's), most recently edited first: before starting
        another order for them, the operator is offered these.
        """
        with self._ctx.read() as uow:
            return uow.orders.drafts(customer_id=customer_id, limit=limit)

    @retry_on_conflict
    def discard(self, draft_id: int, version: int) -> None:
        """Throw a draft away."""
        with self._ctx.write() as uow:
            load_draft(uow, draft_id, version)
            uow.orders.delete_draft(draft_id, version)
            uow.commit()

    @retry_on_conflict
    def discard_if_empty(self, draft_id: int) -> bool:
        """Throw the draft away if it has no lines (the operator opened a cart and left it).

        Returns:
            True when the draft was discarded.
        """
        with self._ctx.write() as uow:
            try:
                order = load_draft(uow, draft_id, None)
            except (NotFound, InvalidState):
                return False
            if order.lines:
                return False
            uow.orders.delete_draft(draft_id, order.version)
            uow.commit()
        return True

    @retry_on_conflict
    def attach_customer(self, draft_id: int, customer_id: int, version: int | None = None) -> CartView:
        """Attach a customer: their pricing, default addresses, shipping and card on file."""
        with self._ctx.write() as uow:
            customer = uow.customers.get_for_order(customer_id)
            pricing = PricingContext(uow)

            def change(order: Order) -> None:
                order.refuse_on_change("the customer")
                self._attach(pricing, order, customer)

            return edit_draft(uow, draft_id, version, change, self._ctx.clock.now(), pricing)

    @retry_on_conflict
    def set_source(self, draft_id: int, source: str, version: int | None = None) -> CartView:
        """How the order came in: phone, fax or email."""
        try:
            order_source = OrderSource(source)
        except ValueError:
            raise ValidationError(f"unknown order source {source!r}", field="source") from None

        def change(order: Order) -> None:
            order.source = order_source

        with self._ctx.write() as uow:
            return edit_draft(uow, draft_id, version, change, self._ctx.clock.now())

    # -- lines -------------------------------------------------------------------------------

    def add_line(self, draft_id: int, sku: str, quantity: int = 1, version: int | None = None) -> CartView:
        """Add a SKU; adding one already on the order raises its quantity.

        Raises:
            ValidationError: unknown or inactive SKU (field ``sku``), bad quantity.
        """
        return self.add_lines(draft_id, [(sku, quantity)], version)

    @retry_on_conflict
    def add_lines(
        self, draft_id: int, items: Sequence[tuple[str, int]], version: int | None = None
    ) -> CartView:
        """Add many SKUs in one edit (Quick Order Pad): all of them or, on error, none.

        Raises:
            ValidationError: naming each bad SKU or quantity (fields ``line N``).
        """
        if not items:
            raise ValidationError("nothing to add", field="sku")
        with self._ctx.write() as uow:
            products = uow.products.get_many_by_sku(normalize_sku(sku) for sku, _ in items)
            problems: list[tuple[str, str]] = []
            for index, (sku, quantity) in enumerate(items, start=1):
                where = "sku" if len(items) == 1 else f"line {index}"
                product = products.get(normalize_sku(sku))
                if product is None:
                    problems.append((where, f"no product with SKU {sku.strip()!r}"))
                elif not product.active:
                    problems.append((where, f"{product.sku} is no longer sold"))
                try:
                    check_quantity(quantity, "quantity" if len(items) == 1 else where)
                except ValidationError as exc:
                    problems.append((exc.field or where, str(exc)))
            if problems:
                raise ValidationError.from_problems(problems)

            def change(order: Order) -> None:
                for sku, quantity in items:
                    product = products[normalize_sku(sku)]
                    line = order.line_for_product(product.id or 0)
                    if line is not None:
                        line.quantity = check_quantity(line.quantity + quantity)
                    else:
                        order.lines.append(
                            OrderLine(
                                None, product.id or 0, product.sku, product.name, quantity, product.list_price
                            )
                        )

            return edit_draft(uow, draft_id, version, change, self._ctx.clock.now())

    @retry_on_conflict
    def set_quantity(
        self, draft_id: int, line_id: int, quantity: int, version: int | None = None
    ) -> CartView:
        """Change a line's quantity (0 removes the line)."""
        if quantity == 0:
            return self.remove_line(draft_id, line_id, version)
        check_quantity(quantity)

        def change(order: Order) -> None:
            order.line(line_id).quantity = quantity

        with self._ctx.write() as uow:
            return edit_draft(uow, draft_id, version, change, self._ctx.clock.now())

    @retry_on_conflict
    def remove_line(self, draft_id: int, line_id: int, version: int | None = None) -> CartView:
        """Take a line off the order."""

        def change(order: Order) -> None:
            order.lines.remove(order.line(line_id))

        with self._ctx.write() as uow:
            return edit_draft(uow, draft_id, version, change, self._ctx.clock.now())

    @retry_on_conflict
    def override_price(
        self, draft_id: int, line_id: int, price: Decimal | None, reason: str, version: int | None = None
    ) -> CartView:
        """Set (or with ``None`` clear) a line's agreed price, with the reason.

        A cut deeper than the office limit needs a supervisor: checked here, not in the UI.

        Raises:
            ValidationError: missing reason or negative price.
            PermissionDenied: the cut needs a supervisor.
        """
        reason = clean_field(reason)
        if price is not None:
            if price < 0:
                raise ValidationError("the price cannot be negative", field="price")
            if not reason:
                raise ValidationError("give a reason for the price change", field="reason")
            price = money(price)  # to the cent, as storage keeps it: the quote must not move
        with self._ctx.write() as uow:
            operator = current_operator(uow, self._ctx.operator_username)
            now = self._ctx.clock.now()

            def change(order: Order) -> None:
                self._set_override(uow, operator, order, order.line(line_id), price, reason, now)

            return edit_draft(uow, draft_id, version, change, now)

    @retry_on_conflict
    def restore_line(
        self,
        draft_id: int,
        sku: str,
        quantity: int,
        position: int,
        price_override: Decimal | None = None,
        reason: str = "",
        version: int | None = None,
    ) -> CartView:
        """Put a removed line back (the cart's ctrl+z): the SKU and quantity at ``position``, with
        its price override. The override is checked as :meth:`override_price` checks a new one.

        Raises:
            ValidationError: unknown or inactive SKU, bad quantity, the SKU is on the order again.
            PermissionDenied: the override is a cut that needs a supervisor.
        """
        check_quantity(quantity)
        reason = clean_field(reason)
        if price_override is not None:
            price_override = money(price_override)
        with self._ctx.write() as uow:
            product = uow.products.get_many_by_sku([normalize_sku(sku)]).get(normalize_sku(sku))
            if product is None or not product.active:
                raise ValidationError(f"{sku.strip()} can no longer be put back", field="sku")
            operator = current_operator(uow, self._ctx.operator_username)
            now = self._ctx.clock.now()

            def change(order: Order) -> None:
                if order.line_for_product(product.id or 0) is not None:
                    raise ValidationError(f"{product.sku} is on the order again", field="sku")
                line = OrderLine(
                    None, product.id or 0, product.sku, product.name, quantity, product.list_price
                )
                order.lines.insert(max(0, min(position, len(order.lines))), line)
                if price_override is not None:
                    # Priced first, so the limit is judged against the customer's price, as for a new one.
                    quote(uow, order)
                    self._set_override(uow, operator, order, line, price_override, reason, now)

            return edit_draft(uow, draft_id, version, change, now)

    def _set_override(
        self,
        uow: UnitOfWork,
        operator: Operator,
        order: Order,
        line: OrderLine,
        price: Decimal | None,
        reason: str,
        now: datetime,
    ) -> None:
        """Set (or clear) ``line``'s agreed price, with the supervisor check and the audit event."""
        if price is not None and override_needs_supervisor(
            line.unit_price, price, self._ctx.settings.override_limit_percent
        ):
            require_role(
                operator,
                Role.SUPERVISOR,
                f"a price cut over {self._ctx.settings.override_limit_percent}%",
            )
        if price is not None and not reason:
            raise ValidationError("give a reason for the price change", field="reason")
        line.price_override = price
        line.override_reason = reason if price is not None else ""
        detail = (
            f"{line.sku}: {line.unit_price} -> {price} ({reason})"
            if price is not None
            else f"{line.sku}: override cleared"
        )
        event = AuditEvent(order.id, operator.username, "price override", detail, now, order.customer_id)
        uow.audit.add(event)

    # -- checkout choices -------------------------------------------------------------------

    @retry_on_conflict
    def set_ship_to(
        self,
        draft_id: int,
        address_id: int | None = None,
        address: Address | None = None,
        version: int | None = None,
    ) -> CartView:
        """Ship to an address-book entry (``address_id``) or a one-off ``address``.

        Raises:
            ValidationError: naming each bad address field (prefixed ``ship_``).
        """
        one_off = self._checked_address(address, "ship_") if address is not None else None

        def change(order: Order) -> None:
            if address_id is not None:
                entry = uow.customers.address(require_customer(order), address_id)
                if entry is None:
                    raise NotFound("that address is not in this customer's address book")
                order.ship_to, order.ship_to_address_id = entry.address, address_id
            elif one_off is not None:
                order.ship_to, order.ship_to_address_id = one_off, None
            else:
                raise ValidationError("choose an address or type one", field="ship_to")

        with self._ctx.write() as uow:
            return edit_draft(uow, draft_id, version, change, self._ctx.clock.now())

    @retry_on_conflict
    def set_bill_to(self, draft_id: int, address: Address, version: int | None = None) -> CartView:
        """Bill to a typed address (the default billing address is set when a customer is attached)."""
        cleaned = self._checked_address(address, "bill_")

        def change(order: Order) -> None:
            order.refuse_on_change("the bill-to")
            order.bill_to = cleaned

        with self._ctx.write() as uow:
            return edit_draft(uow, draft_id, version, change, self._ctx.clock.now())

    @retry_on_conflict
    def set_shipping_method(self, draft_id: int, code: str, version: int | None = None) -> CartView:
        """Choose the shipping method; its charge is in the returned quote."""
        code = code.strip().upper()
        with self._ctx.write() as uow:
            methods = {m.code: m for m in uow.reference.shipping_methods() if m.active}
            if code not in methods:
                raise ValidationError(f"unknown shipping method {code!r}", field="shipping_method")

            def change(order: Order) -> None:
                order.shipping_method = code

            return edit_draft(uow, draft_id, version, change, self._ctx.clock.now())

    @retry_on_conflict
    def set_payment(
        self,
        draft_id: int,
        method: str,
        card_id: int | None = None,
        card: CardEntry | None = None,
        check_number: str = "",
        version: int | None = None,
    ) -> CartView:
        """Choose how the order is paid. A new card is tokenised now and only its token, brand,
        last four and expiry are kept; the number and code are gone when this returns.

        Raises:
            ValidationError: method not allowed for the customer type, missing card, bad card.
            PaymentUnavailable: the gateway could not tokenise the card.
        """
        try:
            chosen = PaymentMethod(method)
        except ValueError:
            raise ValidationError(f"unknown payment method {method!r}", field="payment") from None
        token = None
        if chosen is PaymentMethod.CARD:
            if card is None:
                raise ValidationError("enter the card number", field="card_number")
            token = self._ctx.gateway.tokenize(card)
        check_number = clean_field(check_number)
        if chosen is PaymentMethod.CHECK and not check_number:
            raise ValidationError("enter the check number", field="check_number")
        with self._ctx.write() as uow:
            pricing = PricingContext(uow)

            def change(order: Order) -> None:
                order.refuse_on_change("the payment")
                # The cards, not the address book.
                customer = uow.customers.get(require_customer(order), with_addresses=False)
                check_payment_allowed(pricing.customer_type(customer), chosen)
                if chosen is PaymentMethod.CARD_ON_FILE:
                    stored = customer.card(card_id) if card_id is not None else None
                    if stored is None:
                        raise ValidationError("choose one of the customer's cards", field="card")
                    order.payment_choice = card_choice(stored)
                else:
                    order.payment_choice = PaymentChoice(chosen, card=token, check_number=check_number)

            return edit_draft(uow, draft_id, version, change, self._ctx.clock.now(), pricing)

    @retry_on_conflict
    def set_gift_message(self, draft_id: int, message: str, version: int | None = None) -> CartView:
        """The gift message printed with the shipment."""
        text = clean_multiline(message)
        if len(text) > GIFT_MESSAGE_MAX:
            raise ValidationError(
                f"gift message is longer than {GIFT_MESSAGE_MAX} characters", field="gift_message"
            )

        def change(order: Order) -> None:
            order.gift_message = text

        with self._ctx.write() as uow:
            return edit_draft(uow, draft_id, version, change, self._ctx.clock.now())

    @retry_on_conflict
    def set_notes(self, draft_id: int, notes: str, version: int | None = None) -> CartView:
        """Internal notes on the order."""
        text = clean_multiline(notes)
        if len(text) > NOTES_MAX:
            raise ValidationError(f"notes are longer than {NOTES_MAX} characters", field="notes")

        def change(order: Order) -> None:
            order.notes = text

        with self._ctx.write() as uow:
            return edit_draft(uow, draft_id, version, change, self._ctx.clock.now())

    @retry_on_conflict
    def set_send_confirmation(self, draft_id: int, send: bool, version: int | None = None) -> CartView:
        """Whether placing mails the customer an order confirmation (the checkout's tick box).

        Raises:
            ValidationError: ``send`` for a customer with no email address (field
                ``send_confirmation``).
        """

        def change(order: Order) -> None:
            if send:
                customer = uow.customers.get_for_order(require_customer(order))
                if not customer.email:
                    raise ValidationError(
                        "the customer has no email address: add one to send a confirmation",
                        field="send_confirmation",
                    )
            order.send_confirmation = send

        with self._ctx.write() as uow:
            return edit_draft(uow, draft_id, version, change, self._ctx.clock.now())

    @retry_on_conflict
    def set_stage(self, draft_id: int, stage: str) -> bool:
        """Remember where the operator has the draft open (``cart`` or ``checkout``), so resuming
        it opens there. Not an edit: the version stays, so no other window's edit goes stale.

        Returns:
            False when the draft is gone or placed (nothing to remember).
        """
        try:
            where = DraftStage(stage)
        except ValueError:
            raise ValidationError(f"unknown draft stage {stage!r}", field="stage") from None
        with self._ctx.write() as uow:
            recorded = uow.orders.set_stage(draft_id, where)
            uow.commit()
        return recorded

    # -- catalogue -----------------------------------------------------------------------------

    def find_products(
        self, text: str, customer_id: int | None = None, limit: int = 20
    ) -> list[ProductSummary]:
        """Products whose SKU starts with, or whose name contains, ``text``, priced for the
        customer (list price without one). Active products first.
        """
        text = text.strip()
        if not text:
            return []
        with self._ctx.read() as uow:
            customer = uow.customers.get_for_order(customer_id) if customer_id else None
            customer_type = PricingContext(uow).customer_type(customer)
            found = uow.products.search(text, limit)
            found.sort(key=lambda p: (not p.active, not p.sku.startswith(normalize_sku(text)), p.sku))
            return [product_summary(p, unit_price(p, customer_type)) for p in found]

    def shipping_methods(self) -> list[tuple[str, str]]:
        """(code, name) of the active shipping methods."""
        with self._ctx.read() as uow:
            return [(m.code, m.name) for m in uow.reference.shipping_methods() if m.active]

    # -- helpers ------------------------------------------------------------------------------

    def _attach(self, pricing: PricingContext, order: Order, customer: Customer) -> None:
        """Attach ``customer`` (whole, or as ``get_for_order`` reads it: the defaults, the first
        address and the first card are all this takes from the book).
        """
        if customer.status is CustomerStatus.CLOSED:
            raise ValidationError(f"customer {customer.number} is closed", field="customer")
        order.customer_id = customer.id
        billing = customer.default_billing()
        shipping = customer.default_shipping()
        order.bill_to = billing.address if billing else None
        order.ship_to = shipping.address if shipping else None
        order.ship_to_address_id = shipping.id if shipping else None
        methods = {code: m for code, m in pricing.methods.items() if m.active}
        pickup = next((m.code for m in methods.values() if m.is_pickup), "")
        if customer.preferred_pickup and pickup:
            order.shipping_method = pickup
        elif not order.shipping_method:
            default = self._ctx.settings.default_shipping_method
            order.shipping_method = default if default in methods else next(iter(methods), "")
        customer_type = pricing.customer_type(customer)
        order.payment_choice = default_payment(customer.cards[0] if customer.cards else None, customer_type)

    def _checked_address(self, address: Address | None, prefix: str) -> Address:
        if address is None:
            raise ValidationError("enter an address", field=f"{prefix}address1")
        cleaned = clean_address(address)
        problems = address_problems(cleaned, prefix)
        if problems:
            raise ValidationError.from_problems(problems)
        return cleaned
