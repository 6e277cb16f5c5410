"""Running service calls off the UI thread and reporting back on it.

Every database call goes through ``run_service`` so typing never waits on the database: the call
runs in a thread worker, and its result (or its error) comes back on the UI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker

from oms_core.domain.errors import OmsError
from oms_tui.keyboard import hold_keys_while

T = TypeVar("T")
log = logging.getLogger("oms.tui")


def run_service(
    node: DOMNode,
    call: Callable[[], T],
    done: Callable[[T], None],
    failed: Callable[[OmsError], None] | None = None,
    *,
    group: str = "service",
    exclusive: bool = True,
    hold_keys: bool = False,
) -> Worker[None]:
    """Run ``call`` in a thread worker; then ``done(result)`` or ``failed(error)`` on the UI thread.

    With ``exclusive`` (the default) a newer call in the same ``group`` cancels the older one and
    the older one's result is dropped, which is what search-as-you-type needs.

    With ``hold_keys``, keys typed while the call runs wait until its answer has been shown: for
    calls whose answer moves the operator on (a save that closes a form, placing an order, a
    draft started that opens the cart), so what is typed next lands on the screen that follows.

    Unexpected exceptions are logged with their traceback (never its local variables: see
    :mod:`oms_core.logs`) and shown to the operator as one line.
    """
    app = node.app

    def report_error(error: OmsError) -> None:
        if failed is not None:
            failed(error)
        else:
            app.notify(str(error), severity="error", timeout=8)

    def body() -> None:
        worker = get_current_worker()
        try:
            result = call()
        except OmsError as error:
            if not worker.is_cancelled:
                app.call_from_thread(report_error, error)
            return
        except Exception as error:  # noqa: BLE001 - the operator must see one line, not a crash
            # The traceback goes to the log (standard tracebacks show no local variables, and the
            # log's filter masks anything card-like in the messages).
            log.error("service call failed: %s", type(error).__name__, exc_info=error)
            message = OmsError(
                f"Something went wrong ({type(error).__name__}); nothing was changed. "
                "Try again, or tell your supervisor if it keeps happening."
            )
            if not worker.is_cancelled:
                app.call_from_thread(report_error, message)
            return
        if not worker.is_cancelled:
            app.call_from_thread(done, result)

    worker = node.run_worker(body, thread=True, exclusive=exclusive, group=group, exit_on_error=False)
    if hold_keys:
        hold_keys_while(worker)
    return worker
