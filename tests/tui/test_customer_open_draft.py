"""``o`` on a customer who has an open draft offers it (r resumes, n starts a new order, Esc neither)
instead of silently starting a second draft.
"""

from __future__ import annotations

from oms_tui.screens.cart import CartScreen
from oms_tui.screens.checkout import CheckoutScreen
from oms_tui.screens.customer import CustomerScreen
from oms_tui.screens.resume_draft import ResumeDraftScreen
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY
from tests.tui.pilot_helpers import open_order, place_order, screen_text, send


def drafts_of(office, who: str) -> list[int]:
    return [d.id for d in office.application.services.cart.open_drafts_for(office.customers[who])]


async def open_ann(app, pilot) -> None:
    await send(pilot, "smith", ["enter"])
    assert isinstance(app.screen, CustomerScreen)


async def test_o_then_r_resumes_the_open_draft_where_it_was_left(make_app, office):
    cart = office.application.services.cart
    draft = cart.add_line(cart.start(office.customers["ann"]).id, SKU_CABERNET, 2)
    cart.set_stage(draft.id, "checkout")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ann(app, pilot)
        await send(pilot, ["o"])
        assert isinstance(app.screen, ResumeDraftScreen)
        offer = f"Ann Smith has an open order: draft {draft.id} by root: 1 line, {draft.total:.2f}."
        assert offer in screen_text(app)
        await send(pilot, ["r"])
        assert isinstance(app.screen, CheckoutScreen) and app.screen.draft_id == draft.id
    assert drafts_of(office, "ann") == [draft.id]


async def test_o_then_n_starts_a_new_order_and_esc_does_neither_in_one_burst(make_app, office):
    cart = office.application.services.cart
    draft = cart.add_line(cart.start(office.customers["ann"]).id, SKU_CABERNET, 1)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ann(app, pilot)
        await send(pilot, ["o", "escape"])
        assert isinstance(app.screen, CustomerScreen)
        assert drafts_of(office, "ann") == [draft.id]
        await send(pilot, ["o", "n"], SKU_CABERNET)  # the SKU typed ahead lands in the new cart
        assert isinstance(app.screen, CartScreen) and app.screen.draft_id != draft.id
        assert app.screen.entry.sku_input.value == SKU_CABERNET
        assert sorted(drafts_of(office, "ann")) == sorted([draft.id, app.screen.draft_id])


async def test_o_without_an_open_draft_starts_the_order_at_once(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ann(app, pilot)
        await send(pilot, ["o"])
        assert isinstance(app.screen, CartScreen)


async def test_r_reorder_on_a_customer_with_an_open_draft_asks_first(make_app, office):
    place_order(office, "ann", [(SKU_CABERNET, 2)])
    cart = office.application.services.cart
    draft = cart.add_line(cart.start(office.customers["ann"]).id, SKU_CABERNET, 1)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ann(app, pilot)
        await send(pilot, ["r"])
        assert isinstance(app.screen, ResumeDraftScreen)
        assert "Reorder anyway (n)" in screen_text(app)
        await send(pilot, ["escape"])
        assert isinstance(app.screen, CustomerScreen)
        assert drafts_of(office, "ann") == [draft.id]
        await send(pilot, ["r", "r"])  # r reorders, then r on the question resumes the draft
        assert isinstance(app.screen, CartScreen) and app.screen.draft_id == draft.id
    assert drafts_of(office, "ann") == [draft.id]


async def test_r_then_n_reorders_anyway(make_app, office):
    place_order(office, "ann", [(SKU_CHARDONNAY, 3)])
    cart = office.application.services.cart
    draft = cart.start(office.customers["ann"])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_ann(app, pilot)
        await send(pilot, ["r", "n"])
        assert isinstance(app.screen, CartScreen) and app.screen.draft_id != draft.id
        lines = cart.get(app.screen.draft_id).lines
        assert [(line.sku, line.quantity) for line in lines] == [(SKU_CHARDONNAY, 3)]


async def test_r_on_the_order_screen_asks_too_when_the_customer_has_an_open_draft(make_app, office):
    order = place_order(office, "ann", [(SKU_CABERNET, 2)])
    cart = office.application.services.cart
    draft = cart.add_line(cart.start(office.customers["ann"]).id, SKU_CHARDONNAY, 1)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(app, pilot, order.id)
        await send(pilot, ["r"])
        assert isinstance(app.screen, ResumeDraftScreen)
        await send(pilot, ["r"])
        assert isinstance(app.screen, CartScreen) and app.screen.draft_id == draft.id
    assert drafts_of(office, "ann") == [draft.id]
