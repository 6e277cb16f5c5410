"""``oms release`` and ``oms export picklist``: the warehouse's day from the command line."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from oms_core import bootstrap
from oms_core.demo.plan import SeedPlan
from oms_core.read_models import OrderFilter
from oms_core.services.reports import PICKLIST_FIELDS
from oms_tui.cli import main
from tests.fakes import FixedClock

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def oms(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def office(tmp_path) -> tuple[str, list[int]]:
    url = f"sqlite:///{tmp_path / 'oms.db'}"
    bootstrap.seed_database(
        url, SeedPlan(customers=60, products=10, orders=400, seed=4), clock=FixedClock(NOW)
    )
    application = bootstrap.build(bootstrap.Config(url, operator="agarcia"))
    try:
        placed = application.services.orders.list(OrderFilter(status="placed"), limit=50)
        # A year of seeded orders: the newest are still placed, a few of them held (not released).
        held = application.services.orders.list(OrderFilter(status="placed", on_hold=True), limit=50)
    finally:
        application.close()
    waiting = {o.number for o in placed} - {o.number for o in held}
    return url, sorted(n for n in waiting if n is not None)


def test_release_then_the_picklist_lists_each_release_once(office, tmp_path):
    url, placed = office
    assert len(placed) >= 3
    status, out, err = oms("--db", url, "release", str(placed[0]), str(placed[1]))
    assert status == 0, err
    assert out.split() == [str(placed[0]), str(placed[1])]
    assert err == "released 2 orders\n"

    status, out, err = oms("--db", url, "export", "picklist")  # on the terminal: a preview
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {int(r["order_number"]) for r in rows} == {placed[0], placed[1]}
    assert tuple(rows[0]) == PICKLIST_FIELDS

    picklist = tmp_path / "pick.csv"
    status, _, err = oms("--db", url, "export", "picklist", "--out", str(picklist))
    assert status == 0, err
    assert {int(r["order_number"]) for r in csv.DictReader(picklist.open())} == {placed[0], placed[1]}

    status, _, _ = oms("--db", url, "export", "picklist", "--out", str(picklist))  # nothing new since
    assert status == 0 and list(csv.DictReader(picklist.open())) == []

    oms("--db", url, "release", str(placed[2]))
    oms("--db", url, "export", "picklist", "--out", str(picklist))
    assert {int(r["order_number"]) for r in csv.DictReader(picklist.open())} == {placed[2]}


def test_a_date_range_lists_again_without_moving_the_mark(office):
    url, placed = office
    oms("--db", url, "release", str(placed[0]))
    today = datetime.now(UTC).date().isoformat()
    for _ in range(2):
        status, out, err = oms("--db", url, "export", "picklist", "--since", today, "--until", today)
        assert status == 0, err
        assert {int(r["order_number"]) for r in csv.DictReader(io.StringIO(out))} == {placed[0]}
    status, out, _ = oms("--db", url, "export", "picklist")
    assert {int(r["order_number"]) for r in csv.DictReader(io.StringIO(out))} == {placed[0]}


def test_release_all_releases_every_placed_order_and_a_second_run_none(office):
    url, placed = office
    status, out, err = oms("--db", url, "release", "--all")
    assert status == 0, err
    assert sorted(int(n) for n in out.split()) == placed
    status, out, err = oms("--db", url, "release", "--all")
    assert (status, out) == (0, "")
    assert err.splitlines()[0] == "released 0 orders"
    assert all("hold" in line for line in err.splitlines()[2:])  # only the held orders stay


def test_release_all_leaves_an_order_being_changed_and_says_why(office):
    url, placed = office
    application = bootstrap.build(bootstrap.Config(url, operator="agarcia"))
    try:
        order = application.services.orders.get_by_number(placed[1])
        draft = application.services.changes.start(order.id)
    finally:
        application.close()
    status, out, err = oms("--db", url, "release", "--all")
    assert status == 0, err
    assert sorted(int(n) for n in out.split()) == [n for n in placed if n != placed[1]]
    lines = err.splitlines()
    assert lines[0] == f"released {len(placed) - 1} orders"
    assert lines[1].startswith("left placed: ")
    change = (
        f"  order {placed[1]} is being changed (draft {draft.id}); "
        "apply or discard the change before releasing it"
    )
    assert change in lines[2:]
    assert all(line == change or "hold" in line for line in lines[2:])  # the rest are the held orders


def test_releasing_an_order_twice_is_one_line(office):
    url, placed = office
    oms("--db", url, "release", str(placed[0]))
    status, _, err = oms("--db", url, "release", str(placed[0]))
    assert status == 1
    assert err == f"oms: error: order {placed[0]} is released; only placed orders are released\n"


def test_since_with_another_export_and_a_bad_date_are_one_line(office):
    url, _ = office
    status, _, err = oms("--db", url, "export", "orders", "--since", "2026-11-01")
    assert (status, err) == (1, "oms: error: --since and --until go with the picklist only\n")
    status, _, err = oms("--db", url, "export", "picklist", "--since", "2026-11-30", "--until", "2026-11-01")
    assert (status, err) == (
        1,
        "oms: error: the date range runs backwards: --since must come before --until\n",
    )
    status, _, err = oms("--db", url, "export", "picklist", "--since", "yesterdayish")
    assert status == 2 and "is not a date like 2026-11-28" in err
