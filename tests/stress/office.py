"""The reliability suite's office: operators ordering and editing while a club shipment runs and is
killed with ``kill -9``, then the books are checked.

Used by ``tests/stress/test_office.py`` (a short form in CI, a long form by hand) and by
``bench/bench_stress.py`` (the long form's figures for BENCHMARKS.md).
"""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import text

from oms_core.bootstrap import Config, build, upgrade_database
from oms_core.storage.database import make_engine
from tests.fakes import SKU_CABERNET, SKU_CHARDONNAY, SKU_GIFT_BOX, seed_reference
from tests.stress.operator import work
from tests.unit.batch_helpers import add_customer

SKUS = [SKU_CABERNET, SKU_CHARDONNAY, SKU_GIFT_BOX]
SHARED_DRAFTS = 4


@dataclass(frozen=True, slots=True)
class OfficeSize:
    """How big a run is: operator processes, orders each, club members, kill -9 rounds."""

    operators: int = 8
    rounds: int = 8
    members: int = 200
    kills: int = 1
    scarce: int = 20
    """Units of the gift box (no backorders): the operators run it out."""


@dataclass(slots=True)
class OfficeReport:
    """What the run did and what the checks found (every list empty when all is well)."""

    placed: int = 0
    refused: int = 0
    seconds: float = 0.0
    club_seconds: float = 0.0
    club_placed: int = 0
    edit_waits_during_club: list[float] = field(default_factory=list)
    edit_waits_after_club: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    duplicate_numbers: list[int] = field(default_factory=list)
    oversold: list[str] = field(default_factory=list)
    half_orders: list[int] = field(default_factory=list)
    lost_orders: list[int] = field(default_factory=list)
    unbalanced: list[str] = field(default_factory=list)
    not_resumable: list[str] = field(default_factory=list)

    @property
    def orders_per_second(self) -> float:
        """Operators' checkouts per second of wall time."""
        return self.placed / self.seconds if self.seconds else 0.0

    def p99_edit_wait(self) -> float:
        """The 99th percentile of a shared-draft edit's wait while the club ran, in seconds."""
        waits = sorted(self.edit_waits_during_club)
        return waits[min(len(waits) - 1, int(len(waits) * 0.99))] if waits else 0.0

    def problems(self) -> dict[str, list]:
        """Every check that found something, by name."""
        checks = {
            "errors seen by an operator": self.errors,
            "duplicate order numbers": self.duplicate_numbers,
            "oversold products": self.oversold,
            "half-written orders": self.half_orders,
            "lost orders": self.lost_orders,
            "stock out of balance": self.unbalanced,
            "killed jobs not resumable": self.not_resumable,
        }
        return {name: found for name, found in checks.items() if found}


def _prepare(url: str, size: OfficeSize) -> tuple[list[int], list[int], int, dict[str, int]]:
    upgrade_database(url)
    application = build(Config(url, operator="root"))
    services = application.services
    with application.uow_factory(write=True) as uow:
        ids = seed_reference(uow)
        # The gift box (no backorders) runs out under the operators; the club ships the wines
        # the operators order too, so both lock the same product rows.
        uow.products.restock(ids[SKU_GIFT_BOX], size.scarce - 5)
        for sku in (SKU_CABERNET, SKU_CHARDONNAY):
            uow.products.restock(ids[sku], size.members + 2 * size.operators * size.rounds)
        uow.commit()
    buyers = [add_customer(services, f"Buyer{i}") for i in range(max(8, size.operators))]
    for i in range(size.members):
        add_customer(services, f"Member{i}", type_code="WINECLUB")
    shared = []
    for buyer in buyers[:SHARED_DRAFTS]:
        draft = services.cart.start(buyer)
        shared.append(services.cart.add_lines(draft.id, [(SKU_CHARDONNAY, 1)]).id)
    shipment = services.clubs.create_shipment(
        "Stress release", "WINECLUB", [(SKU_CABERNET, 1), (SKU_CHARDONNAY, 1)], date(2030, 1, 15), "GROUND"
    ).id
    application.close()
    return buyers, shared, shipment, _stock(url)


def _stock(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                sku: stock for sku, stock in conn.execute(text("SELECT sku, stock_on_hand FROM products"))
            }
    finally:
        engine.dispose()


def _club_runner(url: str, shipment: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.stress.club_runner", url, str(shipment)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_office(url: str, size: OfficeSize) -> OfficeReport:
    """Run the office on the (empty) database at ``url`` and check the books afterwards."""
    buyers, shared, shipment, before = _prepare(url, size)
    report = OfficeReport()
    context = multiprocessing.get_context("spawn")
    manager = context.Manager()
    start = manager.Event()
    with ProcessPoolExecutor(size.operators, mp_context=context) as pool:
        futures = [
            pool.submit(work, url, f"op{i}", buyers, SKUS, shared, size.rounds, i, start)
            for i in range(size.operators)
        ]
        time.sleep(1.0)  # let the workers import before the clock starts
        began = time.time()
        start.set()
        club_began = time.time()
        application = build(Config(url, operator="root"))
        for _ in range(size.kills):
            runner = _club_runner(url, shipment)
            assert runner.stdout is not None
            line = runner.stdout.readline().strip()
            runner.kill()  # kill -9 in the middle of the shipment
            runner.wait(60)
            status = application.services.clubs.get(shipment).status
            if line == "chunk" and status != "interrupted":
                report.not_resumable.append(f"killed club run shows as {status!r}, not interrupted")
        runner = _club_runner(url, shipment)
        out, err = runner.communicate(timeout=900)
        report.club_seconds = time.time() - club_began
        if runner.returncode != 0 or "finished" not in out:
            report.not_resumable.append(f"the club run after the kills failed: {err.strip()[-500:]}")
        outcomes = [future.result(timeout=900) for future in futures]
        report.seconds = time.time() - began
    manager.shutdown()
    club_ended = club_began + report.club_seconds
    placed_numbers = [n for outcome in outcomes for n in outcome["placed"]]
    report.placed = len(placed_numbers)
    report.refused = sum(len(outcome["refused"]) for outcome in outcomes)
    report.errors = [error for outcome in outcomes for error in outcome["errors"]]
    report.edit_waits_during_club = [
        waited for outcome in outcomes for began_at, waited in outcome["edits"] if began_at < club_ended
    ]
    report.edit_waits_after_club = [
        waited for outcome in outcomes for began_at, waited in outcome["edits"] if began_at >= club_ended
    ]
    application.services.payments.reconcile()  # finishes any payment a killed process left
    view = application.services.clubs.get(shipment)
    report.club_placed = view.counts.placed
    if view.status != "finished":
        report.not_resumable.append(f"the club shipment ended {view.status!r}")
    application.close()
    _check_books(url, before, placed_numbers, report)
    return report


def _check_books(url: str, before: dict[str, int], placed: list[int], report: OfficeReport) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            report.duplicate_numbers = list(
                conn.execute(
                    text(
                        "SELECT number FROM orders WHERE number IS NOT NULL"
                        " GROUP BY number HAVING COUNT(*) > 1"
                    )
                ).scalars()
            )
            report.oversold = list(
                conn.execute(
                    text("SELECT sku FROM products WHERE stock_on_hand < 0 AND NOT allow_backorder")
                ).scalars()
            )
            report.half_orders = list(
                conn.execute(
                    text(
                        "SELECT o.id FROM orders o WHERE o.status <> 'draft' AND (o.number IS NULL"
                        " OR NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)"
                        " OR NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id))"
                    )
                ).scalars()
            )
            stored = set(conn.execute(text("SELECT number FROM orders WHERE status <> 'draft'")).scalars())
            report.lost_orders = sorted(set(placed) - stored)
            sold = dict(
                conn.execute(
                    text(
                        "SELECT p.sku, COALESCE(SUM(l.quantity), 0) FROM products p"
                        " LEFT JOIN order_lines l ON l.product_id = p.id"
                        " LEFT JOIN orders o ON o.id = l.order_id"
                        " WHERE o.id IS NULL OR o.status NOT IN ('draft', 'cancelled')"
                        " GROUP BY p.sku"
                    )
                ).all()
            )
            after = {
                sku: stock for sku, stock in conn.execute(text("SELECT sku, stock_on_hand FROM products"))
            }
    finally:
        engine.dispose()
    for sku, stock in before.items():
        if stock - int(sold.get(sku, 0)) != after[sku]:
            report.unbalanced.append(f"{sku}: {stock} before, {sold.get(sku, 0)} sold, {after[sku]} after")
