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


def test_the_oms_process_takes_what_start_up_made_out_of_the_cycle_collectors_passes(office, monkeypatch):
    """Once the database is open, ``oms`` freezes the start-up heap (``gc.freeze``): Python's full
    collections, which Textual's drawing sets off every few searches, then no longer walk it (they
    paused a search ~100 ms). Frozen only in the ``oms`` process: here ``gc.freeze`` is a recorder.
    """
    import gc
    from types import SimpleNamespace

    import oms_tui.app as app_module

    events: list[str] = []
    monkeypatch.setattr(gc, "freeze", lambda: events.append("frozen"))
    monkeypatch.setattr(app_module, "has_terminal", lambda stdin, stderr: True)

    def connect():
        events.append("opened")
        return office.application.services

    def run(self):  # what the real run does with connect, behind the first screen
        assert self._open_services() is office.application.services

    monkeypatch.setattr(OmsApp, "run", run)
    settings = SimpleNamespace(
        database_url="sqlite://",
        operator="root",
        import_folder=None,
        documents_folder=None,
        office_details=None,
        max_import_rows=10,
    )
    assert app_module.run_connecting(settings, connect) == 0
    assert events == ["opened", "frozen"]
