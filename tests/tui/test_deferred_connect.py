"""The first screen shows before the database is open; a failure to open it ends the app cleanly."""

from __future__ import annotations

import threading

from rich.text import Text

from oms_core.domain.errors import OmsError
from oms_tui.app import OmsApp
from oms_tui.widgets.customer_search import CustomerSearch
from tests.tui.cart_helpers import screen_text, settle, type_text


async def test_the_search_screen_is_up_while_the_database_opens_and_then_searches(office):
    opened = threading.Event()

    def connect():
        opened.wait(10)  # the database is slow to open
        return office.application.services

    app = OmsApp(None, "root", connect=connect)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one(CustomerSearch)  # the first screen, before any database
        opened.set()
        await type_text(pilot, "smith")
        search = app.screen.query_one(CustomerSearch)
        for _ in range(200):
            await pilot.pause(0.02)
            if not search.busy:
                break
        await settle(pilot)
        assert "Smith, Ann" in screen_text(app)


async def test_a_database_that_cannot_be_opened_ends_the_app_with_one_line(office):
    def connect():
        raise OmsError("database error: connection refused")

    app = OmsApp(None, "root", connect=connect)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
    assert app.return_code == 1


async def test_the_closing_line_shows_the_reason_literally(office):
    def connect():
        raise OmsError("unable to open database file /srv/[red]oms[/red].db")

    app = OmsApp(None, "root", connect=connect)
    said = []
    real_exit = app.exit

    def exit_and_record(result=None, return_code=0, message=None):
        said.append(message)
        real_exit(result, return_code, message)

    app.exit = exit_and_record
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
    assert app.return_code == 1
    assert [getattr(m, "plain", m) for m in said] == [
        "oms: error: unable to open database file /srv/[red]oms[/red].db"
    ]
    assert all(isinstance(m, Text) for m in said)  # printed as it is, not read as Rich markup
