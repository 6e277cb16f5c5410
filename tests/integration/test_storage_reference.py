"""Reference data and the audit trail on both backends."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from oms_core.domain.audit import AuditEvent
from oms_core.domain.customers import CustomerType
from oms_core.domain.errors import NotFound
from oms_core.domain.operators import Operator, Role
from oms_core.domain.payments import PaymentMethod
from oms_core.domain.shipping import RateKind, ShippingMethod
from oms_core.domain.tax import TaxRate
from oms_core.storage import SqlUnitOfWorkFactory
from tests.integration.storage_builders import T0, product


def test_customer_types_keep_their_price_list_methods_and_club_flag(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with uow_factory(write=True) as uow:
        uow.products.add(product("CAB-750"))
        uow.products.add(product("PN-750"))
        club = CustomerType(
            None,
            "wineclub",
            "Wine club",
            discount_percent=Decimal("15.5"),
            price_list={"cab-750": Decimal("19.99")},
            payment_methods=frozenset({PaymentMethod.CARD_ON_FILE}),
            is_club=True,
        )
        club_id = uow.reference.save_customer_type(club)
        retail_id = uow.reference.save_customer_type(CustomerType(None, "RETAIL", "Retail"))
        uow.commit()
    with uow_factory() as uow:
        types = uow.reference.customer_types()
        found = uow.reference.customer_type("WineClub")
    assert [t.code for t in types] == ["RETAIL", "WINECLUB"]
    assert found is not None and found.id == club_id
    assert found.discount_percent == Decimal("15.50")
    assert found.price_list == {"CAB-750": Decimal("19.99")}
    assert found.payment_methods == frozenset({PaymentMethod.CARD_ON_FILE}) and found.is_club
    assert (
        types[0].id == retail_id and types[0].payment_methods == CustomerType(None, "X", "X").payment_methods
    )


def test_saving_a_customer_type_again_updates_it_and_replaces_its_price_list(uow_factory) -> None:
    with uow_factory(write=True) as uow:
        uow.products.add(product("CAB-750"))
        uow.products.add(product("PN-750"))
        first = uow.reference.save_customer_type(
            CustomerType(
                None, "TRADE", "Trade", price_list={"CAB-750": Decimal("10"), "PN-750": Decimal("11")}
            )
        )
        again = uow.reference.save_customer_type(
            CustomerType(None, "TRADE", "Trade accounts", price_list={"PN-750": Decimal("12")})
        )
        uow.commit()
    with uow_factory() as uow:
        found = uow.reference.customer_type("TRADE")
        assert uow.reference.customer_type("NOPE") is None
    assert first == again
    assert found is not None and found.name == "Trade accounts"
    assert found.price_list == {"PN-750": Decimal("12.00")}


def test_a_price_list_naming_an_unknown_sku_is_refused(uow_factory) -> None:
    with uow_factory(write=True) as uow, pytest.raises(NotFound, match="NOPE-1"):
        uow.reference.save_customer_type(
            CustomerType(None, "TRADE", "Trade", price_list={"nope-1": Decimal("1")})
        )


def test_shipping_methods_round_trip_active_first_in_the_order_added(uow_factory) -> None:
    weight = ShippingMethod(
        None,
        "ground",
        "Ground",
        RateKind.WEIGHT,
        amount=Decimal("9.95"),
        tiers=((Decimal("5"), Decimal("7.95")), (Decimal("20.5"), Decimal("14.95"))),
        free_over=Decimal("150"),
    )
    old = ShippingMethod(None, "PONY", "Pony express", RateKind.FLAT, amount=Decimal("99"), active=False)
    per_item = ShippingMethod(
        None, "2DAY", "Two day", RateKind.PER_ITEM, amount=Decimal("5"), per_item=Decimal("1.25")
    )
    with uow_factory(write=True) as uow:
        ids = [uow.reference.save_shipping_method(m) for m in (old, weight, per_item)]
        again = uow.reference.save_shipping_method(
            ShippingMethod(
                None, "2day", "Second day", RateKind.PER_ITEM, amount=Decimal("6"), per_item=Decimal("1")
            )
        )
        uow.commit()
    with uow_factory() as uow:
        methods = uow.reference.shipping_methods()
    assert again == ids[2]
    assert [m.code for m in methods] == ["GROUND", "2DAY", "PONY"]
    ground = methods[0]
    assert ground.tiers == ((Decimal("5.000"), Decimal("7.95")), (Decimal("20.500"), Decimal("14.95")))
    assert (ground.kind, ground.amount, ground.free_over) == (
        RateKind.WEIGHT,
        Decimal("9.95"),
        Decimal("150.00"),
    )
    assert (methods[1].name, methods[1].per_item, methods[1].free_over) == (
        "Second day",
        Decimal("1.00"),
        None,
    )
    assert not methods[2].active


def test_tax_rates_are_kept_exactly_per_region(uow_factory) -> None:
    with uow_factory(write=True) as uow:
        uow.reference.save_tax_rate(TaxRate("ca", Decimal("0.0725"), taxes_shipping=False))
        uow.reference.save_tax_rate(TaxRate("*", Decimal("0.05")))
        uow.reference.save_tax_rate(TaxRate("CA", Decimal("0.07375"), taxes_shipping=True))
        uow.commit()
    with uow_factory() as uow:
        rates = uow.reference.tax_rates()
    assert rates == [TaxRate("*", Decimal("0.05000")), TaxRate("CA", Decimal("0.07375"), True)]


def test_operators_and_settings_are_upserted(uow_factory) -> None:
    with uow_factory(write=True) as uow:
        uow.reference.save_operator(Operator("ann", Role.OPERATOR, "Ann"))
        uow.reference.save_operator(Operator("ann", Role.SUPERVISOR, "Ann S."))
        uow.reference.save_setting("phone_region", "US")
        uow.reference.save_setting("phone_region", "CA")
        uow.commit()
    with uow_factory() as uow:
        assert uow.reference.operator("ann") == Operator("ann", Role.SUPERVISOR, "Ann S.")
        assert uow.reference.operator("nobody") is None
        assert uow.reference.setting("phone_region") == "CA"
        assert uow.reference.setting("missing") is None


def test_the_audit_trail_lists_an_orders_events_oldest_first(uow_factory) -> None:
    events = [
        AuditEvent(7, "ann", "placed", "order 1001", T0 + timedelta(seconds=2)),
        AuditEvent(7, "bob", "created", "draft", T0, customer_id=3),
        AuditEvent(8, "bob", "created", "other", T0),
        AuditEvent(None, "bob", "customer_edited", "email", T0, customer_id=3),
    ]
    with uow_factory(write=True) as uow:
        uow.audit.add(events[0])
        uow.audit.add_many(events[1:])
        uow.audit.add_many([])
        uow.commit()
    with uow_factory() as uow:
        trail = uow.audit.for_order(7)
    assert trail == [events[1], events[0]]
    assert trail[0].at.utcoffset() == timedelta(0)
