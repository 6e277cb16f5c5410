"""The palette: digits go to an order first, a C-number to a customer."""

from __future__ import annotations

from oms_tui.palette import OmsCommands
from tests.tui.pilot_helpers import settle


async def best(provider: OmsCommands, query: str) -> str:
    hits = [hit async for hit in provider.search(query)]
    return str(max(hits, key=lambda hit: hit.score).text)


async def test_digits_go_to_an_order_first_and_a_c_number_to_a_customer(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        provider = OmsCommands(app.screen)
        await provider.startup()
        assert await best(provider, "1501") == "Go to order 1501"
        assert await best(provider, "#1501") == "Go to order 1501"
        assert await best(provider, "C000123") == "Go to customer C000123"
        assert await best(provider, "customer 123") == "Go to customer C000123"
        assert await best(provider, "c476") == "Go to customer C000476"  # as the search box reads it
