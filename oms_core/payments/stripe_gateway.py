"""The Stripe adapter: card-not-present phone orders through PaymentIntents, marked MOTO.

* A typed card becomes a PaymentMethod (``pm_...``); its number and code go to Stripe and nowhere
  else (the SDK's debug log of request bodies is switched off here, see :func:`_quiet_sdk_logs`).
* Authorising creates and confirms a PaymentIntent with ``capture_method=manual``,
  ``payment_method_options.card.moto`` and ``request_multicapture=if_available``; capturing and
  voiding act on it; refunds are Refunds.
* A part shipment's capture is Stripe's multicapture: ``amount_to_capture`` with
  ``final_capture=false`` keeps the rest authorised, and the last capture is final. Stripe offers
  multicapture only on some accounts and cards (the charge's
  ``payment_method_details.card.multicapture.status`` says ``available``); when it is not, a
  non-final capture is declined here with ``part_capture_unavailable`` before anything is sent, and
  oms captures the whole order with its last shipment. (Capturing part and re-authorising the rest
  would need a reusable card, which a card typed for one phone order is not.)
* A card on file is a Customer with the PaymentMethod attached; its token is ``cus_.../pm_...``.
* Every request that creates or moves money carries the caller's ``Idempotency-Key``.
* Answers: a PaymentIntent awaiting capture is approved; a card error is declined with Stripe's
  message and its ``decline_code``; a PaymentIntent that wants 3-D Secure is cancelled and declined
  (a phone order has no cardholder at a browser to authenticate); 429 is retried with exponential
  backoff; a 5xx, a refused connection or a timeout is *unavailable* (outcome unknown).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import stripe

from oms_core.domain.errors import PaymentUnavailable, ValidationError
from oms_core.domain.gateway_calls import PART_CAPTURE_UNAVAILABLE
from oms_core.domain.payments import CardEntry, CardToken
from oms_core.payments.secret_key import SecretKey
from oms_core.ports import GatewayAnswer, GatewayCheck, PaymentGateway

THREE_D_SECURE_REASON = (
    "the card's issuer requires 3-D Secure, which cannot be done on a phone order; ask for another card"
)
_BRANDS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "Amex", "discover": "Discover"}
_CARD_FIELDS = {
    "incorrect_number": "card_number",
    "invalid_number": "card_number",
    "invalid_expiry_month": "card_expiry",
    "invalid_expiry_year": "card_expiry",
    "expired_card": "card_expiry",
    "invalid_cvc": "card_cvv",
    "incorrect_cvc": "card_cvv",
}
_Call = Callable[[], Any]


class StripeGateway(PaymentGateway):
    """Card payments through Stripe, for an office's phone orders.

    Args:
        key: the secret key (``sk_test_`` moves no real money; ``sk_live_`` does).
        api_base: where the API is (tests point it at a local server); Stripe's own by default.
        currency: ISO code of the office's currency.
        timeout: seconds to wait for an answer before calling it unavailable.
        rate_limit_retries: how many times a 429 is retried, with exponential backoff.
        backoff: the first wait before a retry, in seconds (doubled each time).
        sleep: how to wait (tests pass a recorder).
    """

    name = "stripe"
    # Stripe releases an uncaptured card payment after 7 days.
    authorization_lifetime = timedelta(days=7)

    def __init__(
        self,
        key: SecretKey,
        *,
        api_base: str | None = None,
        currency: str = "usd",
        timeout: float = 30.0,
        rate_limit_retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        _quiet_sdk_logs()
        self.mode = key.mode
        self._currency = currency.lower()
        self._retries = rate_limit_retries
        self._backoff = backoff
        self._sleep = sleep
        addresses: dict[str, str] = {"api": api_base} if api_base else {}
        # The SDK retries nothing itself: 429s are retried here, and a timeout or a 5xx goes back
        # as "unavailable" so that placing can decide (repeat with the same key later).
        self._client = stripe.StripeClient(
            key.reveal(),
            base_addresses=addresses,  # type: ignore[arg-type]
            max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=timeout),
        )

    def __repr__(self) -> str:
        return f"StripeGateway({self.mode} key)"

    # -- cards -----------------------------------------------------------------------------------

    def tokenize(self, card: CardEntry) -> CardToken:
        """Send the typed card to Stripe; keep the PaymentMethod's id and what may be shown."""
        details: dict[str, Any] = {
            "number": "".join(ch for ch in card.number if ch.isdigit()),
            "exp_month": card.exp_month,
            "exp_year": card.exp_year,
        }
        if card.cvv:
            details["cvc"] = card.cvv
        params: dict[str, Any] = {"type": "card", "card": details}
        if card.name:
            params["billing_details"] = {"name": card.name}
        try:
            method = _plain(self._client.v1.payment_methods.create(params=params))  # type: ignore[arg-type]
        except stripe.CardError as error:
            code = _error_field(error, "code")
            raise ValidationError(
                _message(error, "the card was refused"), field=_CARD_FIELDS.get(code, "card_number")
            ) from None
        except (stripe.RateLimitError, stripe.APIConnectionError, stripe.APIError) as error:
            raise PaymentUnavailable(_unavailable_reason(error)) from None
        except stripe.StripeError as error:
            raise PaymentUnavailable(
                f"the gateway refused the request: {_message(error, 'no reason')}"
            ) from None
        shown = method.get("card") or {}
        brand = str(shown.get("brand") or "")
        # Stripe lets a PaymentMethod with no Customer serve one PaymentIntent only, so a typed card
        # could never be authorised again (an old authorisation renewed before capture, a retry
        # after a decline). Attached to a Customer of its own it can be.
        attached = self.save_card(
            CardToken(str(method["id"]), "", "", 0, 0), "oms card", f"card-{method['id']}"
        )
        if not attached.approved:
            raise PaymentUnavailable(f"the card could not be kept for this order: {attached.reason}")
        return CardToken(
            token=attached.reference,
            brand=_BRANDS.get(brand, brand.title() or "Card"),
            last4=str(shown.get("last4") or details["number"][-4:]),
            exp_month=int(shown.get("exp_month") or card.exp_month),
            exp_year=int(shown.get("exp_year") or card.exp_year),
        )

    def save_card(self, card: CardToken, customer_label: str, idempotency_key: str) -> GatewayAnswer:
        """Make a Customer and attach the card's PaymentMethod to it (a typed card already has one:
        ``cus_.../pm_...``, see :meth:`tokenize`).
        """
        if "/" in card.token:
            return GatewayAnswer.approve(card.token)
        customer, failed = self._call(
            lambda: self._client.v1.customers.create(
                params={"description": customer_label, "metadata": {"oms": customer_label}},
                options={"idempotency_key": f"{idempotency_key}:customer"},
            )
        )
        if failed:
            return failed
        customer_id = str(customer["id"])
        _, failed = self._call(
            lambda: self._client.v1.payment_methods.attach(
                card.token,
                params={"customer": customer_id},
                options={"idempotency_key": f"{idempotency_key}:attach"},
            )
        )
        return failed or GatewayAnswer.approve(f"{customer_id}/{card.token}")

    # -- money -----------------------------------------------------------------------------------

    def authorize(self, token: str, amount: Decimal, idempotency_key: str) -> GatewayAnswer:
        """Create and confirm a manual-capture MOTO PaymentIntent for ``amount``."""
        customer, _, method = token.rpartition("/")
        params: dict[str, Any] = {
            "amount": _cents(amount),
            "currency": self._currency,
            "payment_method": method,
            "payment_method_types": ["card"],
            "capture_method": "manual",
            "confirm": True,
            "payment_method_options": {"card": {"moto": True, "request_multicapture": "if_available"}},
            "metadata": {"oms_key": idempotency_key},
        }
        if customer:
            params["customer"] = customer
        intent, failed = self._call(
            lambda: self._client.v1.payment_intents.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        )
        if failed:
            return failed
        return self._authorisation(intent, idempotency_key)

    def charge_saved(self, saved_token: str, amount: Decimal, idempotency_key: str) -> GatewayAnswer:
        """Authorise on a card on file (``cus_.../pm_...``)."""
        if "/" not in saved_token:
            return GatewayAnswer.decline("that card was not saved with this gateway", "invalid_token")
        return self.authorize(saved_token, amount, idempotency_key)

    def capture(
        self, reference: str, amount: Decimal | None, idempotency_key: str, final: bool = True
    ) -> GatewayAnswer:
        """Capture the PaymentIntent, whole or in part; not ``final``: a multicapture that keeps the rest."""
        params: dict[str, Any] = {"amount_to_capture": _cents(amount)} if amount is not None else {}
        if not final:
            unavailable = self._multicapture_unavailable(reference)
            if unavailable:
                return unavailable
            params["final_capture"] = False
        intent, failed = self._call(
            lambda: self._client.v1.payment_intents.capture(
                reference,
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        )
        if failed:
            return failed
        if intent.get("status") == "succeeded" or (not final and intent.get("status") == "requires_capture"):
            return GatewayAnswer.approve(reference)
        return GatewayAnswer.decline(f"the payment is {intent.get('status')}, not captured", "not_captured")

    def _multicapture_unavailable(self, reference: str) -> GatewayAnswer | None:
        """``None`` when the PaymentIntent's charge allows multicapture, else the answer to give."""
        intent, failed = self._call(
            lambda: self._client.v1.payment_intents.retrieve(
                reference,
                params={"expand": ["latest_charge"]},  # type: ignore[typeddict-item]
            )
        )
        if failed:
            return failed
        charge = intent.get("latest_charge")
        details = (charge.get("payment_method_details") or {}) if isinstance(charge, dict) else {}
        status = ((details.get("card") or {}).get("multicapture") or {}).get("status")
        if status == "available":
            return None
        return GatewayAnswer.decline(
            "Stripe cannot capture part of this card payment (multicapture is not available for it); "
            "it is captured whole with the order's last shipment",
            PART_CAPTURE_UNAVAILABLE,
        )

    def void(self, reference: str, idempotency_key: str = "") -> GatewayAnswer:
        """Cancel an uncaptured PaymentIntent."""
        intent, failed = self._call(
            lambda: self._client.v1.payment_intents.cancel(
                reference,
                params={"cancellation_reason": "abandoned"},
                options={"idempotency_key": idempotency_key or f"void-{reference}"},
            )
        )
        if failed:
            return failed
        if intent.get("status") == "canceled":
            return GatewayAnswer.approve(reference)
        return GatewayAnswer.decline(f"the payment is {intent.get('status')}, not cancelled", "not_canceled")

    def refund(self, reference: str, amount: Decimal | None, idempotency_key: str) -> GatewayAnswer:
        """Refund a captured PaymentIntent, whole or in part."""
        params: dict[str, Any] = {"payment_intent": reference}
        if amount is not None:
            params["amount"] = _cents(amount)
        refund, failed = self._call(
            lambda: self._client.v1.refunds.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        )
        if failed:
            return failed
        status = refund.get("status")
        if status in ("succeeded", "pending", "requires_action"):
            return GatewayAnswer.approve(str(refund["id"]))
        return GatewayAnswer.decline(
            f"the refund {status}: {refund.get('failure_reason') or 'no reason given'}",
            str(refund.get("failure_reason") or status),
        )

    def check(self) -> GatewayCheck:
        """Read the account's balance: harmless, and it needs a working key."""
        try:
            balance = _plain(self._client.v1.balance.retrieve())
        except stripe.AuthenticationError:
            return GatewayCheck(False, self.mode, "Stripe refused the key (401): it is wrong or was revoked")
        except stripe.PermissionError:
            return GatewayCheck(
                True, self.mode, "the key works, but may not read the balance (a restricted key)"
            )
        except stripe.StripeError as error:
            status = f"HTTP {error.http_status}" if error.http_status else "no answer"
            return GatewayCheck(
                False, self.mode, f"Stripe could not be asked ({status}); the key was not checked"
            )
        livemode = bool(balance.get("livemode"))
        if livemode != self.mode.endswith("live"):
            return GatewayCheck(False, self.mode, "Stripe answered for the other mode than the key's prefix")
        return GatewayCheck(
            True, self.mode, f"the key works: Stripe answered ({'live' if livemode else 'test'} mode)"
        )

    # -- plumbing --------------------------------------------------------------------------------

    def _call(self, call: _Call) -> tuple[Any, GatewayAnswer | None]:
        """Make one request: (the object, None), or (None, the decline or unavailable answer)."""
        delay = self._backoff
        for attempt in range(self._retries + 1):
            try:
                return _plain(call()), None
            except stripe.RateLimitError as error:
                if attempt == self._retries:
                    return None, GatewayAnswer.no_answer(_unavailable_reason(error))
                self._sleep(delay)
                delay *= 2
            except stripe.CardError as error:
                return None, self._card_decline(error)
            except (stripe.APIConnectionError, stripe.APIError) as error:
                return None, GatewayAnswer.no_answer(_unavailable_reason(error))
            except stripe.AuthenticationError:
                return None, GatewayAnswer.decline("Stripe refused the office's key", "invalid_api_key")
            except stripe.IdempotencyError as error:
                return None, GatewayAnswer.decline(
                    _message(error, "idempotency key reused"), "idempotency_error"
                )
            except stripe.InvalidRequestError as error:
                return None, GatewayAnswer.decline(
                    _message(error, "Stripe refused the request"), _error_field(error, "code")
                )
            except stripe.StripeError as error:
                return None, GatewayAnswer.no_answer(_unavailable_reason(error))
        raise AssertionError("unreachable")  # the loop always returns

    def _card_decline(self, error: stripe.CardError) -> GatewayAnswer:
        code = _error_field(error, "decline_code") or _error_field(error, "code")
        if code == "authentication_required":
            self._cancel_failed_intent(error)
            return GatewayAnswer.decline(THREE_D_SECURE_REASON, code)
        return GatewayAnswer.decline(_message(error, "the card was declined"), code)

    def _cancel_failed_intent(self, error: stripe.StripeError) -> None:
        body = error.json_body if isinstance(error.json_body, dict) else {}
        intent = (body.get("error") or {}).get("payment_intent") or {}
        if intent.get("id") and intent.get("status") not in ("canceled", "succeeded"):
            self.void(str(intent["id"]))

    def _authorisation(self, intent: Any, idempotency_key: str) -> GatewayAnswer:
        status = intent.get("status")
        reference = str(intent["id"])
        if status in ("requires_capture", "succeeded"):
            return GatewayAnswer.approve(reference)
        if status == "requires_action":
            # 3-D Secure wants the cardholder at a browser: impossible on the phone. Release it.
            self.void(reference, f"{idempotency_key}:cancel-3ds")
            return GatewayAnswer.decline(THREE_D_SECURE_REASON, "authentication_required")
        if status == "processing":
            return GatewayAnswer.no_answer("the payment is still processing; the outcome is not known yet")
        last_error = intent.get("last_payment_error") or {}
        return GatewayAnswer.decline(
            str(last_error.get("message") or f"the payment is {status}"),
            str(last_error.get("decline_code") or last_error.get("code") or status),
        )


def _plain(answer: Any) -> dict[str, Any]:
    """The SDK's object as plain dictionaries (its objects are not dicts)."""
    return answer.to_dict() if hasattr(answer, "to_dict") else dict(answer)


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _error_field(error: stripe.StripeError, name: str) -> str:
    body = error.json_body if isinstance(error.json_body, dict) else {}
    return str((body.get("error") or {}).get(name) or "")


def _message(error: stripe.StripeError, fallback: str) -> str:
    # The user-facing message only: never str(error), which carries the request id and body.
    return _error_field(error, "message") or fallback


def _unavailable_reason(error: stripe.StripeError) -> str:
    if isinstance(error, stripe.RateLimitError):
        return "the payment gateway is busy (rate limited) and did not take the request; try again"
    if isinstance(error, stripe.APIConnectionError):
        return "the payment gateway did not answer; the outcome is unknown"
    status = error.http_status or "no status"
    return f"the payment gateway failed ({status}); the outcome is unknown"


def _quiet_sdk_logs() -> None:
    """Keep request bodies (card numbers, codes) out of every log.

    The SDK logs each request body at DEBUG on the ``stripe`` logger and, when ``STRIPE_LOG`` is
    ``debug``, prints it to stderr: the first is capped at INFO here, the second lowered to info.
    """
    logging.getLogger("stripe").setLevel(logging.INFO)
    if stripe.log == "debug" or stripe._util.STRIPE_LOG == "debug":  # noqa: SLF001
        stripe.log = "info"
