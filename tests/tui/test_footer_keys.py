"""Every screen's own keys are all in its footer at 80x24, never cut off at the right edge."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from textual.app import App
from textual.screen import Screen

from oms_tui.app import OmsApp
from oms_tui.screens.story import StoryScreen
from tests.fakes import SKU_CABERNET
from tests.tui.cart_helpers import settle
from tests.tui.conftest import Office
from tests.tui.pilot_helpers import place_order, shown_in
from tests.tui.test_scoped_styles import _forms

Opener = Callable[[OmsApp, Office], Awaitable[None] | None]


def _keys(app: App[object], own: bool) -> list[str]:
    """The screen's own keys (its and its widgets'), or the app's, as a footer shows them: "key
    description", the first key of each action.
    """
    shown: dict[str, str] = {}
    for namespace, binding, _enabled, _tooltip in app.screen.active_bindings.values():
        if binding.show and (namespace is not app) == own and binding.action not in shown:
            shown[binding.action] = f"{app.get_key_display(binding)} {binding.description}".strip()
    return list(shown.values())


def _check_footer(app: App[object], name: str) -> None:
    own = _keys(app, own=True)
    assert own, f"{name}: no keys of its own?"
    footer = _footer_text(app)
    missing = [key for key in own if key not in footer]
    assert not missing, f"{name}: {missing} cut from {footer!r}"
    last_own = max(footer.index(key) for key in own)
    for key in _keys(app, own=False):
        assert key not in footer or footer.index(key) > last_own, f"{name}: {key} before the screen's keys"


def _footer_text(app: App[object]) -> str:
    footers = list(app.screen.query("Footer, KeyFooter"))
    assert len(footers) == 1, f"{type(app.screen).__name__} has {len(footers)} footers"
    return shown_in(app, footers[0])


def _start_draft(office: Office) -> int:
    services = office.application.services
    draft = services.cart.start(office.customers["ann"])
    services.cart.add_line(draft.id, SKU_CABERNET, 2)
    return draft.id


SCREENS: dict[str, Opener] = {
    "customers": lambda app, office: None,
    "customer": lambda app, office: app.open_customer(office.customers["ann"]),
    "identify": lambda app, office: app.open_identify(),
    "cart": lambda app, office: app.open_cart(_start_draft(office)),
    "checkout": lambda app, office: app.open_checkout(_start_draft(office)),
    "orders": lambda app, office: app.open_orders(),
    "order": lambda app, office: app.open_order(place_order(office, "bob", [(SKU_CABERNET, 1)]).id),
    "drafts": lambda app, office: app.open_drafts(),
    "bulk orders": lambda app, office: app.open_bulk_orders(),
    "bulk order": lambda app, office: app.open_bulk_order(
        office.application.services.bulk.create(
            "Gifts", [(SKU_CABERNET, 1)], "GROUND", [office.customers["ann"]]
        ).id
    ),
    "club shipments": lambda app, office: app.open_club_shipments(),
    "club shipment": lambda app, office: app.open_club_shipment(
        office.application.services.clubs.create_shipment(
            "Fall", "WINECLUB", [(SKU_CABERNET, 2)], date(2026, 10, 1), "GROUND"
        ).id
    ),
    "import": lambda app, office: app.open_import(),
    "help": lambda app, office: app.action_help(),
    "story": lambda app, office: app.push_screen(StoryScreen(office.customers["ann"], "Ann Smith")),
}


@pytest.mark.parametrize("name", list(SCREENS))
async def test_every_screen_shows_all_its_own_keys_at_80_columns(
    name: str, office: Office, make_app: Callable[..., OmsApp]
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        opened = SCREENS[name](app, office)
        if opened is not None:
            await opened
        await settle(pilot)
        _check_footer(app, name)


async def test_every_form_shows_all_its_own_keys_at_80_columns(
    office: Office, make_app: Callable[..., OmsApp]
) -> None:
    forms = _forms(office)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for name, build in forms.items():
            form: Screen[object] = build()
            await app.push_screen(form)
            await settle(pilot)
            _check_footer(app, name)
            app.pop_screen()
            await settle(pilot)
