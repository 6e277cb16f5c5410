"""Call notes on both backends: stored whole (text literally), listed newest first per customer and order."""

from __future__ import annotations

from datetime import timedelta

from oms_core.domain.notes import CallNote
from oms_core.domain.orders import OrderStatus
from tests.integration.storage_builders import T0, add_customer, draft, line, product


def test_notes_come_back_newest_first_for_the_customer_and_for_the_order(uow_factory):
    with uow_factory(write=True) as uow:
        ann = add_customer(uow, "Ann", "Smith")
        bob = add_customer(uow, "Bob", "Jones")
        cab = product("CAB-750", "24.00")
        uow.products.add(cab)
        order = draft(ann.id, line(cab, 1))
        order.status, order.number, order.placed_at = OrderStatus.PLACED, 1001, T0
        uow.orders.add(order)
        text = "said 'hi' <b>[red]x[/red]\\n"
        uow.notes.add(CallNote(None, ann.id, None, "alice", T0, text))
        uow.notes.add(CallNote(None, ann.id, order.id, "bob", T0 + timedelta(minutes=1), "where is it?"))
        uow.notes.add(CallNote(None, bob.id, None, "alice", T0 + timedelta(minutes=2), "other customer"))
        uow.commit()
    with uow_factory() as uow:
        on_ann = uow.notes.for_customer(ann.id, 10)
        on_order = uow.notes.for_order(order.id, 10)
        newest = uow.notes.for_customer(ann.id, 1)
    assert [(n.author, n.text, n.order_id) for n in on_ann] == [
        ("bob", "where is it?", order.id),
        ("alice", text, None),
    ]
    assert on_ann[1].at == T0
    assert [n.text for n in on_order] == ["where is it?"]
    assert [n.text for n in newest] == ["where is it?"]
