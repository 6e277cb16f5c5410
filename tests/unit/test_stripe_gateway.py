"""The Stripe adapter against a local server on 127.0.0.1 that answers in Stripe's shapes."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest

from oms_core.domain.errors import PaymentUnavailable, ValidationError
from oms_core.domain.gateway_calls import PART_CAPTURE_UNAVAILABLE
from oms_core.domain.payments import CardEntry
from oms_core.payments.secret_key import SecretKey
from oms_core.payments.stripe_gateway import THREE_D_SECURE_REASON, StripeGateway
from oms_core.ports import Outcome
from oms_core.services.context import ServiceContext
from oms_core.services.registry import Services
from tests.fake_stripe import (
    APPROVES,
    AUTHENTICATION_REQUIRED,
    REQUIRES_3DS,
    FakeStripe,
    running_fake_stripe,
)
from tests.fakes import SKU_CABERNET, FakeUnitOfWorkFactory, FixedClock
from tests.unit.batch_helpers import add_customer

NSF = "4000000000009995"
KEY = "sk_test_51FakeKeyForTheLocalServerOnlyABCDEFGHIJ"


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with running_fake_stripe() as fake:
        yield fake


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def gateway(fake: FakeStripe, waits: list[float]) -> StripeGateway:
    return StripeGateway(
        SecretKey(KEY),
        api_base=fake.url,
        timeout=0.5,
        backoff=0.25,
        sleep=waits.append,
    )


def _card(number: str = APPROVES, cvv: str = "123") -> CardEntry:
    return CardEntry(number=number, exp_month=12, exp_year=2031, cvv=cvv, name="Ann Example")


def test_a_typed_card_becomes_a_payment_method_and_only_its_last_four_come_back(
    gateway: StripeGateway, fake: FakeStripe
) -> None:
    token = gateway.tokenize(_card("4242 4242 4242 4242"))
    # Attached to a Customer of its own, so that it can be authorised more than once.
    customer_id, _, method_id = token.token.partition("/")
    assert customer_id.startswith("cus_") and method_id.startswith("pm_")
    assert fake.methods[method_id]["customer"] == customer_id
    assert (token.brand, token.last4, token.exp_month, token.exp_year) == ("Visa", "4242", 12, 2031)
    sent = fake.posts("/v1/payment_methods")[0]
    assert sent.form["card[number]"] == APPROVES
    assert sent.form["card[cvc]"] == "123"
    assert sent.headers["authorization"] == f"Bearer {KEY}"


def test_a_wrong_card_number_is_refused_on_the_number_field(gateway: StripeGateway) -> None:
    with pytest.raises(ValidationError) as refused:
        gateway.tokenize(_card("4242"))
    assert refused.value.field == "card_number"
    assert "incorrect" in str(refused.value)


def test_an_approved_authorisation_is_a_manual_capture_moto_payment_intent(
    gateway: StripeGateway, fake: FakeStripe
) -> None:
    token = gateway.tokenize(_card())
    answer = gateway.authorize(token.token, Decimal("123.45"), "draft-7-v3")
    assert answer.outcome is Outcome.APPROVED
    assert answer.reference.startswith("pi_")
    sent = fake.posts("/v1/payment_intents")[0]
    assert sent.form["amount"] == "12345"
    assert sent.form["currency"] == "usd"
    assert sent.form["capture_method"] == "manual"
    assert sent.form["confirm"] == "true"
    assert sent.form["payment_method_options[card][moto]"] == "true"
    assert f"{sent.form['customer']}/{sent.form['payment_method']}" == token.token
    assert sent.headers["idempotency-key"] == "draft-7-v3"


@pytest.mark.parametrize(
    ("number", "code", "words"),
    [
        ("4000000000000002", "generic_decline", "declined"),
        ("4000000000009995", "insufficient_funds", "insufficient funds"),
        ("4000000000009987", "lost_card", "declined"),
        ("4000000000000069", "expired_card", "expired"),
        ("4000000000000127", "incorrect_cvc", "security code"),
    ],
)
def test_each_kind_of_decline_comes_back_with_its_reason_and_processor_code(
    gateway: StripeGateway, number: str, code: str, words: str
) -> None:
    token = gateway.tokenize(_card(number))
    answer = gateway.authorize(token.token, Decimal("10.00"), f"key-{number}")
    assert answer.outcome is Outcome.DECLINED
    assert answer.code == code
    assert words in answer.reason.lower()


def test_a_card_that_wants_3d_secure_is_refused_for_a_phone_order_and_its_intent_cancelled(
    gateway: StripeGateway, fake: FakeStripe
) -> None:
    token = gateway.tokenize(_card(REQUIRES_3DS))
    answer = gateway.authorize(token.token, Decimal("10.00"), "key-3ds")
    assert answer.outcome is Outcome.DECLINED
    assert answer.reason == THREE_D_SECURE_REASON
    assert answer.code == "authentication_required"
    (intent_id,) = fake.intents
    assert fake.intents[intent_id]["status"] == "canceled"


def test_an_issuer_decline_asking_for_authentication_is_the_3d_secure_refusal(
    gateway: StripeGateway, fake: FakeStripe
) -> None:
    token = gateway.tokenize(_card(AUTHENTICATION_REQUIRED))
    answer = gateway.authorize(token.token, Decimal("10.00"), "key-auth")
    assert (answer.outcome, answer.reason) == (Outcome.DECLINED, THREE_D_SECURE_REASON)


def test_rate_limiting_is_retried_with_growing_waits_and_the_same_key(
    gateway: StripeGateway, fake: FakeStripe, waits: list[float]
) -> None:
    token = gateway.tokenize(_card())
    fake.faults += ["429", "429"]
    answer = gateway.authorize(token.token, Decimal("10.00"), "key-busy")
    assert answer.approved
    tries = fake.posts("/v1/payment_intents")
    assert len(tries) == 3
    assert {t.headers["idempotency-key"] for t in tries} == {"key-busy"}
    assert waits == [0.25, 0.5]


def test_rate_limiting_that_does_not_stop_is_unavailable(gateway: StripeGateway, fake: FakeStripe) -> None:
    token = gateway.tokenize(_card())
    fake.faults += ["429"] * 4
    answer = gateway.authorize(token.token, Decimal("10.00"), "key-busy")
    assert answer.outcome is Outcome.UNAVAILABLE
    assert len(fake.posts("/v1/payment_intents")) == 4


def test_a_server_error_is_unavailable_and_not_repeated_blindly(
    gateway: StripeGateway, fake: FakeStripe
) -> None:
    token = gateway.tokenize(_card())
    fake.faults.append("500")
    answer = gateway.authorize(token.token, Decimal("10.00"), "key-500")
    assert answer.outcome is Outcome.UNAVAILABLE
    assert "unknown" in answer.reason
    assert len(fake.posts("/v1/payment_intents")) == 1


def test_a_connection_that_never_answers_is_unavailable(gateway: StripeGateway, fake: FakeStripe) -> None:
    token = gateway.tokenize(_card())
    fake.faults.append("hang")
    answer = gateway.authorize(token.token, Decimal("10.00"), "key-hang")
    assert answer.outcome is Outcome.UNAVAILABLE
    assert "did not answer" in answer.reason


def test_repeating_a_request_with_its_key_answers_the_first_authorisation(
    gateway: StripeGateway, fake: FakeStripe
) -> None:
    token = gateway.tokenize(_card())
    first = gateway.authorize(token.token, Decimal("10.00"), "key-once")
    again = gateway.authorize(token.token, Decimal("10.00"), "key-once")
    assert first == again
    assert len(fake.intents) == 1


def test_capture_void_and_refund_act_on_the_payment_intent_with_their_keys(
    gateway: StripeGateway, fake: FakeStripe
) -> None:
    token = gateway.tokenize(_card())
    whole = gateway.authorize(token.token, Decimal("50.00"), "a1").reference
    part = gateway.authorize(token.token, Decimal("50.00"), "a2").reference
    voided = gateway.authorize(token.token, Decimal("50.00"), "a3").reference

    assert gateway.capture(whole, None, "c1").approved
    assert gateway.capture(part, Decimal("20.00"), "c2").approved
    assert gateway.void(voided, "v1").approved
    assert gateway.refund(whole, Decimal("5.00"), "r1").reference.startswith("re_")
    assert gateway.refund(part, None, "r2").approved

    assert fake.intents[whole]["amount_received"] == 5000
    assert fake.intents[part]["amount_received"] == 2000
    assert fake.intents[voided]["status"] == "canceled"
    assert "amount_to_capture" not in fake.posts(f"/v1/payment_intents/{whole}/capture")[0].form
    refunds = fake.posts("/v1/refunds")
    assert [r.form.get("amount") for r in refunds] == ["500", None]
    money_posts = [r for r in fake.requests if r.method == "POST" and r.path != "/v1/payment_methods"]
    assert all(r.headers.get("idempotency-key") for r in money_posts)


def test_a_card_on_file_is_a_customer_profile_charged_later(gateway: StripeGateway, fake: FakeStripe) -> None:
    typed = gateway.tokenize(_card())
    saved = gateway.save_card(typed, "oms customer 12", "card-12")
    assert saved.approved
    assert saved.reference == typed.token  # the typed card's own Customer: no second one
    customer_id, _, method_id = saved.reference.partition("/")
    assert customer_id.startswith("cus_")
    assert fake.methods[method_id]["customer"] == customer_id
    assert len(fake.posts("/v1/customers")) == 1

    answer = gateway.charge_saved(saved.reference, Decimal("30.00"), "club-1-member-9")
    assert answer.approved
    intent = fake.posts("/v1/payment_intents")[0]
    assert (intent.form["customer"], intent.form["payment_method"]) == (customer_id, method_id)
    assert intent.form["payment_method_options[card][moto]"] == "true"


def test_the_check_says_the_key_works_and_that_it_is_a_test_key(
    gateway: StripeGateway, fake: FakeStripe
) -> None:
    result = gateway.check()
    assert (result.works, result.mode) == (True, "test")
    assert fake.requests[0].path == "/v1/balance"
    assert fake.requests[0].method == "GET"


def test_the_check_says_when_the_key_is_refused(gateway: StripeGateway, fake: FakeStripe) -> None:
    fake.faults.append("401")
    result = gateway.check()
    assert not result.works
    assert "refused the key" in result.detail


def test_the_check_says_when_the_gateway_does_not_answer(gateway: StripeGateway, fake: FakeStripe) -> None:
    fake.faults.append("hang")
    assert not gateway.check().works


def test_neither_the_key_nor_a_card_number_reaches_a_log_or_a_traceback(
    gateway: StripeGateway, fake: FakeStripe, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("stripe").setLevel(logging.DEBUG)  # as if someone turned everything up
    gateway = StripeGateway(SecretKey(KEY), api_base=fake.url, timeout=0.5)
    token = gateway.tokenize(_card(cvv="987"))
    gateway.authorize(token.token, Decimal("10.00"), "k1")
    fake.faults.append("hang")
    with pytest.raises(PaymentUnavailable) as failed:
        gateway.tokenize(_card(NSF, cvv="987"))
    shown = caplog.text + "".join(traceback.format_exception(failed.value)) + repr(gateway)
    shown += repr(SecretKey(KEY)) + str(SecretKey(KEY))
    for secret in (KEY, APPROVES, NSF, "cvc]=987"):
        assert secret not in shown


def test_a_key_that_is_not_a_secret_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError) as refused:
        SecretKey("pk_live_publishable_not_secret")
    assert "pk_live" not in str(refused.value)


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("sk_test_abc", "test"),
        ("sk_live_abc", "live"),
        ("rk_test_abc", "restricted test"),
        ("rk_live_a", "restricted live"),
    ],
)
def test_the_kind_of_key_comes_from_its_prefix(text: str, mode: str) -> None:
    assert SecretKey(text + "123456").mode == mode


def test_part_shipments_are_captured_by_stripe_multicapture_and_the_last_capture_is_final(
    gateway: StripeGateway, fake: FakeStripe
) -> None:
    token = gateway.tokenize(_card())
    reference = gateway.authorize(token.token, Decimal("100.00"), "order-9").reference
    sent = fake.posts("/v1/payment_intents")[0]
    assert sent.form["payment_method_options[card][request_multicapture]"] == "if_available"

    assert gateway.capture(reference, Decimal("30.00"), "cap-s1", final=False).approved
    assert gateway.capture(reference, Decimal("45.50"), "cap-s2", final=False).approved
    assert fake.intents[reference]["status"] == "requires_capture"
    assert fake.intents[reference]["amount_capturable"] == 2450
    assert gateway.capture(reference, Decimal("24.50"), "cap-s3").approved
    assert fake.intents[reference]["status"] == "succeeded"
    assert fake.intents[reference]["amount_received"] == 10000
    captures = fake.posts(f"/v1/payment_intents/{reference}/capture")
    assert [c.form.get("final_capture") for c in captures] == ["false", "false", None]
    assert [c.form["amount_to_capture"] for c in captures] == ["3000", "4550", "2450"]
    assert [c.headers["idempotency-key"] for c in captures] == ["cap-s1", "cap-s2", "cap-s3"]

    repeated = gateway.capture(reference, Decimal("30.00"), "cap-s1", final=False)  # the same key again
    assert repeated.approved and fake.intents[reference]["amount_received"] == 10000


def test_without_multicapture_a_part_capture_is_declined_before_anything_is_captured(
    gateway: StripeGateway, fake: FakeStripe
) -> None:
    fake.multicapture = False  # the account or the card does not offer it
    token = gateway.tokenize(_card())
    reference = gateway.authorize(token.token, Decimal("100.00"), "order-10").reference
    answer = gateway.capture(reference, Decimal("30.00"), "cap-s1", final=False)
    assert not answer.approved and answer.code == PART_CAPTURE_UNAVAILABLE
    assert "captured whole with the order's last shipment" in answer.reason
    assert fake.posts(f"/v1/payment_intents/{reference}/capture") == []
    assert fake.intents[reference]["amount_capturable"] == 10000
    assert gateway.capture(reference, None, "cap-s2").approved  # the last shipment takes it all
    assert fake.intents[reference]["amount_received"] == 10000


@pytest.mark.parametrize("on_file", [False, True], ids=["card typed at checkout", "card on file"])
def test_an_authorisation_older_than_stripe_holds_is_renewed_before_capture(
    gateway: StripeGateway,
    fake: FakeStripe,
    fake_factory: FakeUnitOfWorkFactory,
    clock: FixedClock,
    on_file: bool,
) -> None:
    services = Services.build(ServiceContext(fake_factory, gateway, clock, "alice"))
    customer = add_customer(services, "Ann", card=APPROVES if on_file else None)
    cart = services.cart.add_lines(services.cart.start(customer).id, [(SKU_CABERNET, 2)])
    if on_file:
        services.cart.set_payment(
            cart.id, "card_on_file", card_id=services.customers.get(customer).cards[0].id
        )
    else:
        services.cart.set_payment(cart.id, "card", card=_card())
    order = services.checkout.place(cart.id)
    old = order.payments[0].reference
    clock.advance(gateway.authorization_lifetime + timedelta(hours=1))

    captured = services.payments.capture(order.id)

    renewed = captured.payments[0].reference
    assert renewed != old and captured.payments[0].status == "captured"
    assert fake.intents[old]["status"] == "canceled"  # the old hold released
    assert fake.intents[renewed]["status"] == "succeeded"
    assert fake.intents[renewed]["amount_received"] == int(order.total * 100)
    history = [(c.action.value, c.status.value) for c in services.payments.history(order.id)]
    assert history == [
        ("authorize", "approved"),
        ("authorize", "approved"),
        ("void", "approved"),
        ("capture", "approved"),
    ]


def test_a_renewed_authorisation_is_on_the_order_even_when_its_capture_fails(
    gateway: StripeGateway, fake: FakeStripe, fake_factory: FakeUnitOfWorkFactory, clock: FixedClock
) -> None:
    services = Services.build(ServiceContext(fake_factory, gateway, clock, "alice"))
    customer = add_customer(services, "Ann", card=APPROVES)
    cart = services.cart.add_lines(services.cart.start(customer).id, [(SKU_CABERNET, 2)])
    services.cart.set_payment(cart.id, "card_on_file", card_id=services.customers.get(customer).cards[0].id)
    order = services.checkout.place(cart.id)
    clock.advance(gateway.authorization_lifetime + timedelta(hours=1))
    fake.fail_captures = True

    with pytest.raises(PaymentUnavailable):
        services.payments.capture(order.id)

    # The order holds the live authorisation, so a cancel or a later capture acts on the right one.
    [payment] = services.orders.get(order.id).payments
    live = [i for i in fake.intents.values() if i["status"] == "requires_capture"]
    assert [i["id"] for i in live] == [payment.reference]
    assert payment.status == "authorized"

    # ... and the capture tried again later does not renew it a second time.
    fake.fail_captures = False
    captured = services.payments.capture(order.id)
    assert captured.payments[0].reference == payment.reference
    created = [r for r in fake.posts("/v1/payment_intents") if r.path == "/v1/payment_intents"]
    assert len(created) == 2  # the first hold and its one renewal
