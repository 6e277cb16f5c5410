"""Records a return with a card refund and is killed (SIGKILL) at a chosen step:
python -m ... URL ORDER_ID LOG STEP.

Steps: ``before-gateway`` (the return and the pending refund call are committed, the gateway never
asked), ``in-gateway`` (the gateway refunded, the answer never came back), ``done`` (not killed).
"""

from __future__ import annotations

import os
import signal
import sys
from decimal import Decimal
from pathlib import Path

from oms_core.bootstrap import Config, build
from oms_core.domain.returns import RefundMethod, RefundRequest, ReturnItem
from oms_core.ports import GatewayAnswer
from tests.fakes import SKU_CABERNET
from tests.recording_gateway import RefundLedgerGateway


class KillingGateway(RefundLedgerGateway):
    __test__ = False

    def __init__(self, log: Path, step: str) -> None:
        super().__init__(log)
        self.step = step

    def refund(self, reference: str, amount: Decimal | None, idempotency_key: str) -> GatewayAnswer:
        if self.step == "before-gateway":
            os.kill(os.getpid(), signal.SIGKILL)
        answer = super().refund(reference, amount, idempotency_key)
        if self.step == "in-gateway":
            os.kill(os.getpid(), signal.SIGKILL)
        return answer


def main() -> None:
    url, order_id, log, step = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    app = build(Config(url, operator="alice"), gateway=KillingGateway(log, step))
    app.services.returns.record(
        order_id, [ReturnItem(SKU_CABERNET, 1)], "damaged", refund=RefundRequest(RefundMethod.CARD)
    )
    print("returned")


if __name__ == "__main__":
    main()
