"""Places orders and is killed (SIGKILL) at a chosen step of paying for them:
``python -m tests.integration.payment_kill_worker KIND URL ID LOG STEP [ARG]``.

Kinds: ``checkout`` (ID is a draft), ``club`` (ID is a club shipment), ``import`` (ID is the
purchaser, ARG the order file, with a payment per order) and ``import-one`` (the same, one payment
for the whole file).

Steps: ``before-gateway`` (the stock is taken and the calls recorded, no card asked),
``in-gateway`` (some cards approved, their answers never came back), ``before-commit`` (the
approved orders were being written), ``done`` (not killed: the control).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from decimal import Decimal
from pathlib import Path

from oms_core.bootstrap import Config, build
from oms_core.ports import GatewayAnswer
from oms_core.spreadsheets.reader import read_order_file
from oms_core.storage import unit_of_work
from tests.recording_gateway import RecordingGateway

KILL_AFTER = {"checkout": 1, "club": 3, "import": 3, "import-one": 1}
"""In ``in-gateway``, how many approvals come back before the process dies."""


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class KillingGateway(RecordingGateway):
    """The recording gateway, killing its own process at ``step``."""

    __test__ = False

    def __init__(self, log: Path, step: str, kill_after: int) -> None:
        super().__init__(log)
        self.step = step
        self.kill_after = kill_after
        self.answered = 0
        self._lock = threading.Lock()  # batches ask from several threads at once

    def authorize(self, token: str, amount: Decimal, idempotency_key: str) -> GatewayAnswer:
        if self.step == "before-gateway":
            _die()
        answer = super().authorize(token, amount, idempotency_key)
        with self._lock:
            self.answered += 1
            if self.step == "in-gateway" and self.answered == self.kill_after:
                _die()
            if self.step == "before-commit" and self.answered == 1:
                # The next commit is step 3's: die in it, the orders half-written.
                unit_of_work.SqlUnitOfWork.commit = lambda self: _die()  # type: ignore[method-assign]
        return answer


def main() -> None:
    kind, url, ident, log, step = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]), sys.argv[5]
    app = build(Config(url, operator="alice"), gateway=KillingGateway(log, step, KILL_AFTER[kind]))
    services = app.services
    if kind == "checkout":
        services.checkout.place(ident)
    elif kind == "club":
        services.clubs.process(ident)
    else:
        payment = services.imports.choose_payment(ident, "card_on_file")
        parsed = read_order_file(Path(sys.argv[6]))
        services.imports.run(parsed, ident, payment, one_payment=kind == "import-one")
    print("done")


if __name__ == "__main__":
    main()
