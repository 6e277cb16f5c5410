"""Types into a draft's checkout and waits to be killed: python -m ... URL DRAFT.

It opens the draft (its cart, then F9), types a gift message, the notes and a check number the
way an operator does, without Enter or leaving the boxes, prints ``typed`` once the keys have been
dealt with, and sleeps. The test kills it with SIGKILL and looks for what was typed.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from oms_core.bootstrap import Config, build
from oms_core.clock import StoppedClock
from oms_core.payments.test_gateway import TestGateway
from oms_tui.app import OmsApp
from tests.tui.pilot_helpers import send, settle

GIFT, NOTES, CHECK = "Happy 40th, Ann", "ring the bell twice", "2207"


async def main() -> None:
    url, draft_id = sys.argv[1], int(sys.argv[2])
    gateway = TestGateway(StoppedClock(datetime(2026, 11, 26)))
    application = build(Config(url, operator="root"), gateway=gateway)
    app = OmsApp(application.services, "root")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_cart(draft_id)
        await settle(pilot)
        await send(pilot, ["f9"])
        select = app.screen.query_one("#payment-method")
        select.value = next(value for prompt, value in select._options if str(prompt) == "Check")
        await settle(pilot)
        await send(pilot, ["enter"], CHECK)  # on to the check number; typed, never confirmed
        app.screen.query_one("#gift-message").focus()
        await settle(pilot)
        await send(pilot, GIFT, ["tab"], NOTES)  # the cursor is still in the notes
        assert app.screen.focused.id == "notes"
        print("typed", flush=True)
        await asyncio.sleep(120)


if __name__ == "__main__":
    asyncio.run(main())
