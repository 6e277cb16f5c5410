"""The new / edit customer form: checked as typed, the Enter rule, F9, possible duplicates."""

from __future__ import annotations

from textual import events

from oms_tui.screens.customer import CustomerScreen
from oms_tui.screens.customer_form import CustomerFormScreen
from oms_tui.screens.duplicates import DuplicatesDialog
from tests.tui.pilot_helpers import screen_text, settle, type_text


def customer_count(office) -> int:
    return len(office.application.services.customers.search("C0", limit=200))


async def open_new_customer_form(app, pilot) -> CustomerFormScreen:
    await pilot.press("ctrl+n")
    await settle(pilot)
    assert isinstance(app.screen, CustomerFormScreen)
    return app.screen


async def test_enter_moves_to_the_next_field(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_new_customer_form(app, pilot)
        assert app.focused.id == "first_name"
        await type_text(pilot, "Cy")
        await pilot.press("enter")
        assert app.focused.id == "last_name"
        await pilot.press("enter", "enter")
        assert app.focused.id == "email"


async def test_keys_typed_ahead_after_enter_land_in_the_next_field(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_new_customer_form(app, pilot)
        # A burst, as it arrives over a slow SSH link: nothing is processed in between.
        for key in ("E", "v", "e", "enter", "A", "d", "a", "m", "s", "enter", "A", "c", "m", "e"):
            app.post_message(events.Key(key, None if key == "enter" else key))
        await settle(pilot)
        values = [form.query_one(f"#{name}").value for name in ("first_name", "last_name", "company")]
        assert values == ["Eve", "Adams", "Acme"]


async def test_a_bad_email_shows_the_error_beside_the_field_and_nothing_is_saved(make_app, office):
    before = customer_count(office)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_new_customer_form(app, pilot)
        await pilot.press("tab")
        await type_text(pilot, "Zed")
        await pilot.press("enter", "enter")
        await type_text(pilot, "zed@@example")
        await pilot.press("enter")  # leaving the field checks it
        await settle(pilot)
        error = app.screen.query_one("#email-error")
        assert "email is not valid" in str(error.render())
        assert not error.has_class("-empty")
        assert "email is not valid" in screen_text(app)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CustomerFormScreen)
        assert customer_count(office) == before


async def test_an_error_clears_as_soon_as_the_field_is_put_right(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_new_customer_form(app, pilot)
        form.query_one("#zip").focus()
        await type_text(pilot, "9720")
        await pilot.press("tab")
        await settle(pilot)
        assert "not a US ZIP" not in screen_text(app)  # 9720 becomes 09720, a fine ZIP
        form.query_one("#zip").focus()
        await pilot.press("end")
        await type_text(pilot, "55")
        await pilot.press("tab")
        await settle(pilot)
        assert "is not a US ZIP" in screen_text(app)
        form.query_one("#zip").focus()
        await pilot.press("backspace", "backspace")
        await settle(pilot)
        assert "is not a US ZIP" not in screen_text(app)


async def test_f9_creates_the_customer_with_the_first_address_and_opens_the_record(make_app, office):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_new_customer_form(app, pilot)
        for field, value in {
            "first_name": "Cy",
            "last_name": "Young",
            "email": "cy@example.com",
            "phone": "503 555 7788",
            "address1": "3 Pine Ave",
            "city": "Salem",
            "state": "or",
            "zip": "97301",
        }.items():
            form.query_one(f"#{field}").value = value
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        (found,) = office.application.services.customers.search("young")
        detail = office.application.services.customers.get(found.id)
        assert (detail.email, detail.phone) == ("cy@example.com", "+15035557788")
        assert [a.address.one_line() for a in detail.addresses] == ["Cy Young, 3 Pine Ave, Salem, OR 97301"]
        assert "Cy Young" in screen_text(app)


async def test_leaving_the_email_of_a_customer_on_file_names_them(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_new_customer_form(app, pilot)
        form.query_one("#email").focus()
        await type_text(pilot, "ANN.SMITH@example.com")
        await pilot.press("enter")
        await settle(pilot)
        assert "On file: C000001 Ann Smith ann.smith@example.com" in screen_text(app)


async def test_a_duplicate_email_offers_the_customer_on_file(make_app, office):
    before = customer_count(office)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_new_customer_form(app, pilot)
        form.query_one("#last_name").value = "Smith"
        form.query_one("#email").value = "ann.smith@example.com"
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, DuplicatesDialog)
        assert "C000001" in screen_text(app)
        await pilot.press("u")  # use existing
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert app.screen.customer_id == office.customers["ann"]
        assert customer_count(office) == before


async def test_create_anyway_saves_the_new_customer_despite_the_duplicate(make_app, office):
    before = customer_count(office)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_new_customer_form(app, pilot)
        form.query_one("#last_name").value = "Smith"
        form.query_one("#first_name").value = "Andy"
        form.query_one("#phone").value = "(503) 274-1234"
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, DuplicatesDialog)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert customer_count(office) == before + 1


async def test_esc_in_the_duplicates_dialog_goes_back_to_the_form(make_app, office):
    before = customer_count(office)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_new_customer_form(app, pilot)
        form.query_one("#last_name").value = "Smith"
        form.query_one("#email").value = "ann.smith@example.com"
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is form
        assert customer_count(office) == before


async def test_esc_closes_the_form_without_saving(make_app, office):
    before = customer_count(office)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_new_customer_form(app, pilot)
        form.query_one("#last_name").value = "Nobody"
        await pilot.press("escape", "y")  # y: discard what was typed
        await settle(pilot)
        assert type(app.screen).__name__ == "CustomersScreen"
        assert customer_count(office) == before
