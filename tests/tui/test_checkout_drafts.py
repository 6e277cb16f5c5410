"""Checkout keeps what is typed with the draft: Esc to the cart and back, a kill -9, a resume.

Also the "send confirmation" box, saved with the draft and honoured by placing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from textual.widgets import Checkbox, Input

from oms_core.services.customers import CustomerInput
from oms_tui.screens.cart import CartScreen
from oms_tui.screens.checkout import CheckoutScreen
from tests.fakes import SKU_CABERNET
from tests.tui import checkout_kill_worker
from tests.tui.cart_helpers import open_checkout, screen_text
from tests.tui.pilot_helpers import send, settle

ROOT = Path(__file__).resolve().parents[2]


def field(app, box: str) -> str:
    return app.screen.query_one(box, Input).value


async def choose_check(pilot) -> None:
    select = pilot.app.screen.query_one("#payment-method")
    select.focus()
    select.value = next(value for prompt, value in select._options if str(prompt) == "Check")
    await settle(pilot)


async def test_typed_gift_message_notes_and_check_number_survive_esc_to_the_cart_and_back(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        await choose_check(pilot)
        await send(pilot, ["enter"], "1042")
        app.screen.query_one("#gift-message").focus()
        await settle(pilot)
        # Typed and never confirmed: Esc straight from the notes, in the same burst.
        await send(pilot, "Happy birthday", ["tab"], "Leave at the door", ["escape"])
        assert isinstance(app.screen, CartScreen)
        view = app.services.cart.get(draft.id)
        assert (view.gift_message, view.notes, view.payment_label) == (
            "Happy birthday",
            "Leave at the door",
            "Check #1042",
        )
        await send(pilot, ["f9"])
        assert isinstance(app.screen, CheckoutScreen)
        assert field(app, "#gift-message") == "Happy birthday"
        assert field(app, "#notes") == "Leave at the door"
        assert field(app, "#check-number") == "1042"


async def test_keys_typed_after_esc_go_to_the_cart_not_the_checkout_box(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        app.screen.query_one("#notes").focus()
        await settle(pilot)
        await send(pilot, "call first", ["escape"], SKU_CABERNET[:3])
        assert isinstance(app.screen, CartScreen)
        assert app.screen.entry.sku_input.value == SKU_CABERNET[:3]
        assert app.services.cart.get(draft.id).notes == "call first"


async def test_what_was_typed_in_checkout_survives_a_kill_and_the_draft_resumes_in_checkout(office, make_app):
    cart = office.application.services.cart
    draft = cart.add_line(cart.start(office.customers["ann"]).id, SKU_CABERNET, 1)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.tui.checkout_kill_worker",
            office.application.config.database_url,
            str(draft.id),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HOME": str(Path(office.application.config.database_url.split("///")[1]).parent)},
    )
    try:
        line = worker.stdout.readline()
        assert line.strip() == "typed", worker.stderr.read()
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await send(pilot, ["f5"])
        await send(pilot, ["enter"])
        assert isinstance(app.screen, CheckoutScreen) and app.screen.draft_id == draft.id
        assert field(app, "#gift-message") == checkout_kill_worker.GIFT
        assert field(app, "#notes") == checkout_kill_worker.NOTES
        assert field(app, "#check-number") == checkout_kill_worker.CHECK
        await send(pilot, ["escape"])  # back to the cart: it is where the draft is left now
        assert isinstance(app.screen, CartScreen)
    assert cart.get(draft.id).stage == "cart"


async def test_a_draft_left_in_the_cart_resumes_in_the_cart(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        assert app.services.cart.get(draft.id).stage == "checkout"
        await send(pilot, ["escape"])
        assert app.services.cart.get(draft.id).stage == "cart"
        app.pop_screen()
        await settle(pilot)
        app.open_drafts()
        await send(pilot, ["enter"])
        assert isinstance(app.screen, CartScreen)


async def test_send_confirmation_is_ticked_for_a_customer_with_email_and_can_be_unticked(office, make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        box = app.screen.query_one("#send-confirmation", Checkbox)
        assert box.value and not box.disabled
        assert "mail it to ann.smith@example.com" in screen_text(app)
        box.focus()
        await send(pilot, ["space"])
        assert not app.services.cart.get(draft.id).send_confirmation
        await send(pilot, ["escape", "f9"])
        assert not app.screen.query_one("#send-confirmation", Checkbox).value


async def test_send_confirmation_is_off_and_says_why_for_a_customer_without_email(office, make_app):
    app = make_app()
    created = app.services.customers.create(
        CustomerInput(first_name="Nomail", last_name="Person", phone="503-555-0100"), allow_duplicate=True
    ).customer
    office.customers["nomail"] = created.id
    async with app.run_test(size=(80, 24)) as pilot:
        await open_checkout(pilot, office, who="nomail", lines=((SKU_CABERNET, 1),))
        box = app.screen.query_one("#send-confirmation", Checkbox)
        assert not box.value and box.disabled
        assert "not sent: no email address on file" in screen_text(app)


async def test_a_slow_save_never_puts_older_text_back_into_a_box_typed_on_and_left(
    office, make_app, monkeypatch
):
    app = make_app()
    cart = app.services.cart
    save = cart.set_gift_message

    def slow_save(*args, **kwargs):
        time.sleep(0.3)  # the database is busy: the rest of the burst arrives meanwhile
        return save(*args, **kwargs)

    monkeypatch.setattr(cart, "set_gift_message", slow_save)
    async with app.run_test(size=(80, 24)) as pilot:
        draft = await open_checkout(pilot, office, lines=((SKU_CABERNET, 1),))
        app.screen.query_one("#gift-message").focus()
        await settle(pilot)
        await send(pilot, "Happy birthday", ["tab"], "x")
        assert field(app, "#gift-message") == "Happy birthday"
        assert app.services.cart.get(draft.id).gift_message == "Happy birthday"
