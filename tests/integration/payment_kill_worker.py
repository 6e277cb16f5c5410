"""Places one draft and is killed (SIGKILL) at a chosen step: python -m ... URL DRAFT LOG STEP.

Steps: ``before-gateway`` (the stock is taken and the call recorded, the gateway never asked),
``in-gateway`` (the gateway approved, the answer never came back), ``before-commit`` (the order
was being marked placed when the process died), ``done`` (not killed: the control).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from oms_core.bootstrap import Config, build
from oms_core.storage import unit_of_work
from tests.recording_gateway import RecordingGateway


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class KillingGateway(RecordingGateway):
    __test__ = False

    def __init__(self, log: Path, step: str) -> None:
        super().__init__(log)
        self.step = step

    def authorize(self, token, amount, idempotency_key):  # type: ignore[no-untyped-def]
        if self.step == "before-gateway":
            _die()
        answer = super().authorize(token, amount, idempotency_key)
        if self.step == "in-gateway":
            _die()
        if self.step == "before-commit":
            original = unit_of_work.SqlUnitOfWork.commit

            def dying_commit(self):  # type: ignore[no-untyped-def]
                _die()

            unit_of_work.SqlUnitOfWork.commit = dying_commit  # type: ignore[method-assign]
            del original
        return answer


def main() -> None:
    url, draft_id, log, step = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    app = build(Config(url, operator="alice"), gateway=KillingGateway(log, step))
    app.services.checkout.place(draft_id)
    print("placed")


if __name__ == "__main__":
    main()
