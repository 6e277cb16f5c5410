"""One operator process for the concurrency test: places orders as fast as it can."""

from __future__ import annotations

import random
from multiprocessing.synchronize import Event

from oms_core.bootstrap import Config, build
from oms_core.domain.errors import OutOfStock


def place_orders(
    url: str, operator: str, customer_ids: list[int], skus: list[str], rounds: int, start: Event
) -> dict[str, list]:
    """Place ``rounds`` orders; report numbers, stock refusals and any other error by type."""
    application = build(Config(url, operator=operator))
    services = application.services
    placed: list[int] = []
    refused: list[str] = []
    errors: list[str] = []
    start.wait(30)
    for index in range(rounds):
        customer_id = customer_ids[index % len(customer_ids)]
        try:
            draft = services.cart.start(customer_id)
            # Every other order also wants the scarce product, so stock runs out mid-run.
            wanted = skus if index % 2 == 0 else skus[:1]
            draft = services.cart.add_lines(draft.id, [(sku, 1) for sku in wanted])
            order = services.checkout.place(draft.id, confirm_duplicate=True)
            placed.append(order.number)
        except OutOfStock as exc:
            refused.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - the test reports every unexpected failure
            errors.append(f"{type(exc).__name__}: {exc}")
    application.close()
    return {"placed": placed, "refused": refused, "errors": errors}


def place_in_any_line_order(
    url: str, operator: str, customer_ids: list[int], skus: list[str], rounds: int, start: Event, seed: int
) -> dict[str, list]:
    """Place ``rounds`` orders of every SKU in ``skus``, the lines in a random order each time.

    Checkout takes the products' row locks; two operators whose carts list the same products in
    different orders are the classic deadlock unless every write path locks in one order.
    """
    application = build(Config(url, operator=operator))
    services = application.services
    shuffle = random.Random(seed).shuffle
    placed: list[int] = []
    errors: list[str] = []
    start.wait(30)
    for index in range(rounds):
        lines = [(sku, 1) for sku in skus]
        shuffle(lines)
        try:
            draft = services.cart.start(customer_ids[index % len(customer_ids)])
            draft = services.cart.add_lines(draft.id, lines)
            placed.append(services.checkout.place(draft.id, confirm_duplicate=True).number)
        except Exception as exc:  # noqa: BLE001 - the test reports every failure
            errors.append(f"{type(exc).__name__}: {exc}")
    application.close()
    return {"placed": placed, "refused": [], "errors": errors}
