"""A screen's stylesheet styles that screen only: opening one form never changes how another looks."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

from textual.app import App
from textual.css.model import SelectorType
from textual.css.stylesheet import Stylesheet
from textual.pilot import Pilot
from textual.screen import Screen

import oms_tui.screens
from oms_tui.app import OmsApp
from oms_tui.screens.address_form import AddressFormScreen
from oms_tui.screens.batch_new import ExportPathScreen, NewBatchScreen
from oms_tui.screens.card_form import CardFormScreen
from oms_tui.screens.customer_form import CustomerFormScreen
from oms_tui.screens.one_off_address import OneOffAddressScreen
from oms_tui.screens.price_override import PriceOverrideScreen
from oms_tui.screens.quick_pad import QuickPadScreen
from oms_tui.screens.reason import ReasonDialog
from oms_tui.screens.shipment_form import ShipmentForm
from oms_tui.stylesheets import STYLES
from tests.fakes import SKU_CABERNET
from tests.tui.cart_helpers import settle, steady_cursors
from tests.tui.conftest import Office
from tests.tui.pilot_helpers import place_order, screen_text


def _screen_classes() -> list[type[Screen[object]]]:
    import importlib
    import pkgutil

    classes: set[type[Screen[object]]] = set()
    for info in pkgutil.iter_modules(oms_tui.screens.__path__, "oms_tui.screens."):
        module = importlib.import_module(info.name)
        classes.update(
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, Screen) and cls.__module__.startswith("oms_tui.")
        )
    return sorted(classes, key=lambda cls: cls.__name__)


def _css_paths(cls: type[Screen[object]]) -> list[Path]:
    paths = cls.CSS_PATH if isinstance(cls.CSS_PATH, list) else [cls.CSS_PATH] if cls.CSS_PATH else []
    return [Path(path) for path in paths]


def test_every_screen_stylesheet_is_scoped_to_the_screens_that_load_it() -> None:
    loaders: dict[Path, set[str]] = {}
    for cls in _screen_classes():
        for path in _css_paths(cls):
            names = {base.__name__ for base in cls.__mro__ if base.__module__.startswith("oms_tui.")}
            loaders.setdefault(path.resolve(), set()).update(names)
    assert loaders, "no screen has a stylesheet"
    for path in sorted(STYLES.glob("*.tcss")):
        if path.name == "app.tcss":
            continue  # the app's own look, shared by every screen on purpose
        assert path.resolve() in loaders, f"{path.name} is loaded by no screen"
        sheet = Stylesheet(variables=App().get_css_variables())
        sheet.read(path)
        sheet.parse()
        for rule in sheet.rules:
            for selector_set in rule.selector_set:
                first = selector_set.selectors[0]
                assert first.type is SelectorType.TYPE and first.name in loaders[path.resolve()], (
                    f"{path.name}: a rule for {selector_set.css} reaches beyond "
                    f"{', '.join(sorted(loaders[path.resolve()]))}"
                )


def _forms(office: Office) -> dict[str, Callable[[], Screen[object]]]:
    services = office.application.services
    customer = services.customers.get(office.customers["ann"])
    draft = services.cart.start(customer.id)
    line = services.cart.add_line(draft.id, SKU_CABERNET, 2).lines[0]
    order = place_order(office, "bob", [(SKU_CABERNET, 1)])

    def refuse(*_args: object) -> object:
        raise AssertionError("the test saves nothing")

    return {
        "customer": lambda: CustomerFormScreen(),
        "address": lambda: AddressFormScreen(customer),
        "card": lambda: CardFormScreen(customer),
        "price override": lambda: PriceOverrideScreen(line, refuse),
        "reason": lambda: ReasonDialog("Cancel order 1001", "Why is it cancelled?"),
        "one-off address": lambda: OneOffAddressScreen("Ship to", customer.addresses[0].address, refuse),
        "new batch": lambda: NewBatchScreen("New bulk order", [("GROUND", "Ground")]),
        "export path": lambda: ExportPathScreen(Path("/tmp/results.xlsx")),
        "quick pad": lambda: QuickPadScreen(draft_id=draft.id, customer_id=customer.id),
        "shipment": lambda: ShipmentForm(order, refuse),
    }


async def _open(pilot: Pilot[None], form: Screen[object]) -> str:
    """Open ``form`` over the current screen and read it, then close it."""
    app = pilot.app
    await app.push_screen(form)
    await settle(pilot)
    steady_cursors(app)
    await pilot.pause()
    text = screen_text(app)
    app.pop_screen()
    await settle(pilot)
    return text


async def _alone(app: OmsApp, form: Screen[object]) -> str:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        return await _open(pilot, form)


async def test_the_price_override_keeps_its_labels_after_the_customer_form(
    office: Office, make_app: Callable[..., OmsApp]
) -> None:
    forms = _forms(office)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _open(pilot, forms["customer"]())
        text = await _open(pilot, forms["price override"]())
    assert "New price" in text and "Reason" in text


async def test_every_form_looks_the_same_after_every_other_form(
    office: Office, make_app: Callable[..., OmsApp]
) -> None:
    forms = _forms(office)
    alone = {name: await _alone(make_app(), build()) for name, build in forms.items()}
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for build in forms.values():
            await _open(pilot, build())  # every stylesheet is loaded now
        for name, build in forms.items():
            assert await _open(pilot, build()) == alone[name], name
