"""One operator process of the reliability suite: places 3-line orders with the lines in random order
against limited stock and edits drafts every operator shares, recording every exception a service
raised and how long each edit waited."""

from __future__ import annotations

import random
import time
from multiprocessing.synchronize import Event

from oms_core.bootstrap import Config, build
from oms_core.domain.errors import OutOfStock, StaleEdit

EXPECTED = (OutOfStock, StaleEdit)
"""What an operator may be told under load: a product ran out, someone else saved the draft first."""


def work(
    url: str,
    operator: str,
    customer_ids: list[int],
    skus: list[str],
    shared_drafts: list[int],
    rounds: int,
    seed: int,
    start: Event,
) -> dict[str, list]:
    """Place ``rounds`` orders and make ``rounds`` edits of the shared drafts; report what happened.

    Returns:
        ``placed`` order numbers, ``refused`` (expected refusals, as text), ``errors`` (every other
        exception, type and message), ``edits`` (wall-clock start, seconds waited) pairs.
    """
    application = build(Config(url, operator=operator))
    services = application.services
    pick = random.Random(seed)
    placed: list[int] = []
    refused: list[str] = []
    errors: list[str] = []
    edits: list[tuple[float, float]] = []
    start.wait(60)
    for index in range(rounds):
        lines = [(sku, pick.randint(1, 2)) for sku in skus]
        pick.shuffle(lines)
        try:
            draft = services.cart.start(customer_ids[pick.randrange(len(customer_ids))])
            draft = services.cart.add_lines(draft.id, lines)
            placed.append(services.checkout.place(draft.id, confirm_duplicate=True).number)
        except EXPECTED as exc:
            refused.append(f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # noqa: BLE001 - the suite reports every unexpected failure
            errors.append(f"{type(exc).__name__}: {exc}")
        shared = shared_drafts[pick.randrange(len(shared_drafts))]
        began, clock = time.time(), time.perf_counter()
        try:
            services.cart.set_notes(shared, f"{operator} round {index}")
        except EXPECTED as exc:
            refused.append(f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{type(exc).__name__}: {exc}")
        edits.append((began, time.perf_counter() - clock))
    application.close()
    return {"placed": placed, "refused": refused, "errors": errors, "edits": edits}
