"""The global keys, the command palette and the F1 help are built from one command table."""

from __future__ import annotations

from collections.abc import Callable

from oms_tui.app import OmsApp
from oms_tui.command_table import GLOBAL_COMMANDS, palette_commands
from oms_tui.palette import OmsCommands
from oms_tui.screens.help import HELP
from tests.tui.pilot_helpers import settle


def test_the_app_binds_every_command_of_the_table_and_nothing_else() -> None:
    bound = {(binding.key, binding.action, binding.id) for binding in OmsApp.BINDINGS}
    assert bound == {(command.key, command.action, command.action) for command in GLOBAL_COMMANDS}
    for command in GLOBAL_COMMANDS:
        assert command.action == "quit" or hasattr(OmsApp, f"action_{command.action}")


def test_the_help_lists_every_command_of_the_table() -> None:
    for command in GLOBAL_COMMANDS:
        assert f"| **{command.key_label}** | {command.help} |" in HELP


async def test_the_palette_offers_the_table_and_each_entry_does_what_its_key_does(
    make_app: Callable[..., OmsApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        provider = OmsCommands(app.screen)
        await provider.startup()
        hits = [hit async for hit in provider.discover()]
        navigation = [(hit.display, hit.help) for hit in hits[: len(palette_commands())]]
        assert navigation == [(command.title, command.palette_help) for command in palette_commands()]
        for command, hit in zip(palette_commands(), hits, strict=False):
            app.open_customers()
            await settle(pilot)
            await pilot.press(command.key)
            await settle(pilot)
            by_key = type(app.screen)
            app.open_customers()
            await settle(pilot)
            await hit.command()
            await settle(pilot)
            assert type(app.screen) is by_key, command.title
            assert by_key.__name__ != "CustomersScreen" or command.action == "customers"
