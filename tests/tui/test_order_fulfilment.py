"""The Order screen after the sale: release, a shipment recorded by hand (typed fast), delivered,
the invoice and packing slip written as PDFs, the confirmation mailed again."""

from __future__ import annotations

from oms_tui.screens.order import OrderScreen
from oms_tui.screens.shipment_form import ShipmentForm
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY
from tests.tui.pilot_helpers import open_order, place_order, screen_text, settle


async def test_release_ship_in_two_boxes_typed_fast_then_delivered(make_app, office):
    order = place_order(office, "ann", [(SKU_CABERNET, 3), (SKU_CHARDONNAY, 1)])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(app, pilot, order.id)
        await pilot.press("l")
        await settle(pilot)
        assert "RELEASED" in screen_text(app)

        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, ShipmentForm)
        # One burst: carrier, service, tracking, then Cabernet 2 of 3 and Chardonnay 0, then F9.
        await pilot.press(
            *"UPS",
            "enter",
            *"Ground",
            "enter",
            *"1Z999AA1",
            "enter",
            "ctrl+u",
            "2",
            "enter",
            "ctrl+u",
            "0",
            "f9",
        )
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        view = office.application.services.orders.get(order.id)
        assert view.status == "part_shipped"
        assert [(s.carrier, s.service, s.tracking_number, s.lines) for s in view.shipments] == [
            ("UPS", "Ground", "1Z999AA1", ((SKU_CABERNET, 2),))
        ]
        text = screen_text(app)
        assert "PART SHIPPED" in text and "UPS Ground 1Z999AA1, 2 units" in text

        await pilot.press("s")
        await settle(pilot)
        await pilot.press(*"USPS", "enter", "enter", *"9400", "f9")  # the rest: 1 Cabernet, 1 Chardonnay
        await settle(pilot)
        assert office.application.services.orders.get(order.id).status == "shipped"

        await pilot.press("d")
        await settle(pilot)
        assert office.application.services.orders.get(order.id).status == "delivered"
        assert "DELIVERED" in screen_text(app)


async def test_a_shipment_the_service_refuses_keeps_the_form_open_with_the_reason(make_app, office):
    order = place_order(office, "ann", [(SKU_CABERNET, 1)])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(app, pilot, order.id)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("f9")  # no carrier
        await settle(pilot)
        assert isinstance(app.screen, ShipmentForm)
        assert "give the carrier" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        assert office.application.services.orders.get(order.id).shipments == ()


async def test_invoice_and_packing_slip_are_written_into_the_documents_folder(make_app, office, tmp_path):
    order = place_order(office, "ann", [(SKU_CABERNET, 1)])
    folder = tmp_path / "documents"
    folder.mkdir()
    app = make_app()
    app.documents_folder = folder
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(app, pilot, order.id)
        await pilot.press("i", "k")
        await settle(pilot)
        names = sorted(p.name for p in folder.iterdir())
        assert names == [f"invoice-{order.number}.pdf", f"packing-slip-{order.number}.pdf"]
        assert all(p.read_bytes().startswith(b"%PDF") for p in folder.iterdir())


async def test_documents_into_a_missing_folder_say_so_in_one_line(make_app, office, tmp_path):
    order = place_order(office, "ann", [(SKU_CABERNET, 1)])
    app = make_app()
    app.documents_folder = tmp_path / "nope"
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(app, pilot, order.id)
        await pilot.press("i")
        await settle(pilot)
        assert "there is no folder" in screen_text(app)
        assert not (tmp_path / "nope").exists()
