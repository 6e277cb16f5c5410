"""The deterministic test gateway answers every request of the port by its documented numbers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from oms_core.clock import StoppedClock
from oms_core.domain.payments import CardEntry
from oms_core.payments.test_gateway import TestGateway
from oms_core.ports import Outcome


@pytest.fixture
def gateway() -> TestGateway:
    return TestGateway(StoppedClock(datetime(2026, 1, 1)))


def _token(gateway: TestGateway, number: str = "4111111111111111") -> str:
    return gateway.tokenize(CardEntry(number=number, exp_month=12, exp_year=2030, cvv="123")).token


@pytest.mark.parametrize(
    ("number", "outcome", "code"),
    [
        ("4111111111111111", Outcome.APPROVED, ""),
        ("4000000000000002", Outcome.DECLINED, "do_not_honor"),
        ("4000000000009995", Outcome.DECLINED, "insufficient_funds"),
        ("4000002760003184", Outcome.DECLINED, "authentication_required"),
        ("4000000000000119", Outcome.UNAVAILABLE, ""),
    ],
)
def test_each_documented_number_answers_as_documented(
    gateway: TestGateway, number: str, outcome: Outcome, code: str
) -> None:
    answer = gateway.authorize(_token(gateway, number), Decimal("10.00"), f"k-{number}")
    assert (answer.outcome, answer.code) == (outcome, code)


def test_the_same_key_gets_the_same_authorisation_even_in_another_process(gateway: TestGateway) -> None:
    token = _token(gateway)
    first = gateway.authorize(token, Decimal("10.00"), "draft-1-v1")
    again = TestGateway(StoppedClock(datetime(2026, 1, 1))).authorize(token, Decimal("10.00"), "draft-1-v1")
    assert first == again


def test_another_process_captures_and_refunds_what_this_one_authorised(gateway: TestGateway) -> None:
    """The demo's seeder, another operator's oms and yesterday's session each have a gateway of
    their own: an order authorised by one is captured, and later refunded, by another."""
    held = gateway.authorize(_token(gateway), Decimal("170.96"), "draft-7-v1").reference
    warehouse = TestGateway(StoppedClock(datetime(2026, 1, 1)))
    assert warehouse.capture(held, Decimal("100.00"), "c1", final=False).approved
    assert warehouse.capture(held, Decimal("70.97"), "c2").outcome is Outcome.DECLINED  # more than held
    assert warehouse.capture(held, None, "c3").approved
    assert warehouse.captured == [(held, Decimal("100.00")), (held, Decimal("70.96"))]
    desk = TestGateway(StoppedClock(datetime(2026, 1, 1)))
    assert desk.refund(held, Decimal("80.99"), "r1").approved
    assert desk.refund(held, Decimal("90.00"), "r2").outcome is Outcome.DECLINED  # 89.97 left
    assert desk.refund("auth_not-one-of-ours", None, "r3").outcome is Outcome.DECLINED


def test_capture_whole_or_part_then_refund_up_to_what_was_captured(gateway: TestGateway) -> None:
    whole = gateway.authorize(_token(gateway), Decimal("40.00"), "a1").reference
    part = gateway.authorize(_token(gateway), Decimal("40.00"), "a2").reference
    assert gateway.capture(whole, None, "c1").approved
    assert gateway.capture(part, Decimal("15.00"), "c2").approved
    assert gateway.captured == [(whole, Decimal("40.00")), (part, Decimal("15.00"))]
    assert gateway.refund(part, Decimal("5.00"), "r1").approved
    assert gateway.refund(part, None, "r2").approved
    assert gateway.refunded == [(part, Decimal("5.00")), (part, Decimal("10.00"))]
    assert gateway.refund(part, Decimal("0.01"), "r3").outcome is Outcome.DECLINED


def test_capturing_more_than_was_held_or_a_voided_one_is_declined(gateway: TestGateway) -> None:
    held = gateway.authorize(_token(gateway), Decimal("40.00"), "a1").reference
    assert gateway.capture(held, Decimal("40.01"), "c1").outcome is Outcome.DECLINED
    assert gateway.void(held).approved
    assert gateway.capture(held, None, "c2").outcome is Outcome.DECLINED


def test_a_captured_payment_is_refunded_not_voided(gateway: TestGateway) -> None:
    held = gateway.authorize(_token(gateway), Decimal("40.00"), "a1").reference
    gateway.capture(held, None, "c1")
    assert gateway.void(held).outcome is Outcome.DECLINED


def test_a_saved_card_charges_as_the_typed_card_did(gateway: TestGateway) -> None:
    good = gateway.tokenize(CardEntry(number="4111111111111111", exp_month=12, exp_year=2030))
    poor = gateway.tokenize(CardEntry(number="4000000000009995", exp_month=12, exp_year=2030))
    saved_good = gateway.save_card(good, "oms customer 1", "card-1").reference
    saved_poor = gateway.save_card(poor, "oms customer 1", "card-2").reference
    assert gateway.charge_saved(saved_good, Decimal("9.00"), "k1").approved
    assert gateway.charge_saved(saved_poor, Decimal("9.00"), "k2").code == "insufficient_funds"


def test_the_check_says_it_is_the_test_gateway(gateway: TestGateway) -> None:
    assert (gateway.check().works, gateway.check().mode) == (True, "test")
