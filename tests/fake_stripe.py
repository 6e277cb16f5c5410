"""A local HTTP server on 127.0.0.1 that answers like Stripe's API, for the adapter's tests.

It speaks the documented request and response shapes (form-encoded requests; ``payment_intent``,
``payment_method``, ``customer``, ``refund`` and ``balance`` objects; error objects with ``type``,
``code``, ``decline_code``, ``message`` and the failed ``payment_intent``), keeps what it made, and
answers a repeated ``Idempotency-Key`` with its first answer, as Stripe does. Cards behave by
Stripe's documented test numbers. Multicapture is modelled as Stripe documents it: requested with
``payment_method_options[card][request_multicapture]=if_available``, shown on the charge as
``payment_method_details.card.multicapture.status`` (``available`` unless the test says the account
or card has none), and used by captures with ``final_capture=false``. A test can make the next
requests answer 429 or 500, or hang.
"""

from __future__ import annotations

import itertools
import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Stripe's test numbers: what a PaymentIntent confirmed with that card does.
APPROVES = "4242424242424242"
DECLINES = {
    "4000000000000002": ("card_declined", "generic_decline", "Your card was declined."),
    "4000000000009995": ("card_declined", "insufficient_funds", "Your card has insufficient funds."),
    "4000000000009987": ("card_declined", "lost_card", "Your card was declined."),
    "4000000000000069": ("expired_card", "", "Your card has expired."),
    "4000000000000127": ("incorrect_cvc", "", "Your card's security code is incorrect."),
}
REQUIRES_3DS = "4000002760003184"
SINGLE_USE = (
    "The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, "
    "shared with a connected account without Customer attachment, or was detached from a Customer. "
    "It may not be used again. To use a PaymentMethod multiple times, you must attach it to a "
    "Customer first."
)
BELONGS_TO_CUSTOMER = (
    "The provided PaymentMethod belongs to a Customer, but you did not provide the Customer. Please "
    "include the Customer in the `customer` parameter on the PaymentIntent."
)
AUTHENTICATION_REQUIRED = "4000002500003155"  # declined with authentication_required


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class FakeStripe:
    """The server's state and the faults queued for the next requests."""

    requests: list[Seen] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)  # "429", "500" or "hang", one per request
    methods: dict[str, dict[str, Any]] = field(default_factory=dict)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    replies: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    livemode: bool = False
    multicapture: bool = True  # whether the account and card offer multicapture when it is asked for
    charges: dict[str, dict[str, Any]] = field(default_factory=dict)
    url: str = ""
    release: threading.Event = field(default_factory=threading.Event)
    fail_captures: bool = False  # captures answer 500 while set
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"

    def posts(self, path_start: str) -> list[Seen]:
        return [r for r in self.requests if r.method == "POST" and r.path.startswith(path_start)]

    # -- answers --------------------------------------------------------------------------------

    def handle(self, seen: Seen) -> tuple[int, dict[str, Any]]:
        key = seen.headers.get("idempotency-key", "")
        with self._lock:
            if key and key in self.replies:
                return self.replies[key]
        status, body = self._answer(seen)
        with self._lock:
            if key and status < 500:
                self.replies[key] = (status, body)
        return status, body

    def _answer(self, seen: Seen) -> tuple[int, dict[str, Any]]:
        parts = seen.path.strip("/").split("/")[1:]  # drop "v1"
        form = seen.form
        if seen.method == "GET" and parts == ["balance"]:
            return 200, balance(self.livemode)
        if parts == ["payment_methods"]:
            return self._new_method(form)
        if parts[:1] == ["payment_methods"] and parts[2:] == ["attach"]:
            method = self.methods[parts[1]]
            method["customer"] = form["customer"]
            return 200, method
        if parts == ["customers"]:
            return 200, customer(self.next_id("cus"), form.get("description"))
        if parts == ["payment_intents"]:
            return self._new_intent(form)
        if seen.method == "GET" and parts[:1] == ["payment_intents"] and len(parts) == 2:
            intent = dict(self.intents[parts[1]])
            if "latest_charge" in form.values() and intent.get("latest_charge"):
                intent["latest_charge"] = self.charges[intent["latest_charge"]]
            return 200, intent
        if parts[:1] == ["payment_intents"] and parts[2:] == ["capture"]:
            if self.fail_captures:
                return 500, error("api_error", "", "Something went wrong on Stripe's end.")
            return self._capture(self.intents[parts[1]], form)
        if parts[:1] == ["payment_intents"] and parts[2:] == ["cancel"]:
            intent = self.intents[parts[1]]
            intent["status"] = "canceled"
            intent["cancellation_reason"] = form.get("cancellation_reason")
            return 200, intent
        if parts == ["refunds"]:
            intent = self.intents[form["payment_intent"]]
            amount = int(form.get("amount", intent["amount_received"]))
            return 200, refund(self.next_id("re"), intent["id"], amount)
        return 404, error(
            "invalid_request_error", "resource_missing", f"Unrecognized request URL ({seen.path})."
        )

    def _capture(self, intent: dict[str, Any], form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if intent["status"] != "requires_capture":
            return 400, error(
                "invalid_request_error",
                "payment_intent_unexpected_state",
                f"This PaymentIntent could not be captured because it has a status of {intent['status']}.",
            )
        amount = int(form.get("amount_to_capture", intent["amount_capturable"]))
        if amount > intent["amount_capturable"]:
            return 400, error(
                "invalid_request_error",
                "amount_too_large",
                "The amount to capture is more than is capturable.",
            )
        final = form.get("final_capture", "true") != "false"
        charge = self.charges.get(intent.get("latest_charge") or "", {})
        multicapture = charge.get("payment_method_details", {}).get("card", {}).get("multicapture", {})
        if not final and multicapture.get("status") != "available":
            return 400, error(
                "invalid_request_error",
                "payment_intent_invalid_parameter",
                "final_capture=false is only for PaymentIntents with multicapture available.",
            )
        intent["amount_received"] += amount
        intent["amount_capturable"] = 0 if final else intent["amount_capturable"] - amount
        intent["status"] = "succeeded" if final else "requires_capture"
        return 200, intent

    def _new_method(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        number = form.get("card[number]", "")
        if len(number) < 13:
            return 402, error(
                "card_error", "incorrect_number", "Your card number is incorrect.", param="number"
            )
        method = payment_method(
            self.next_id("pm"), number, int(form["card[exp_month]"]), int(form["card[exp_year]"])
        )
        method["_number"] = number  # kept server-side to decide outcomes; stripped from answers
        self.methods[method["id"]] = method
        return 200, {k: v for k, v in method.items() if not k.startswith("_")}

    def _new_intent(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        method = self.methods.get(form.get("payment_method", ""))
        if method is None:
            return 400, error("invalid_request_error", "resource_missing", "No such PaymentMethod.")
        if method["customer"] is None and method.get("_used"):
            return 400, error("invalid_request_error", "", SINGLE_USE)
        if method["customer"] is not None and form.get("customer") != method["customer"]:
            return 400, error("invalid_request_error", "", BELONGS_TO_CUSTOMER)
        method["_used"] = True  # Stripe: a PaymentMethod with no Customer serves one PaymentIntent
        intent = payment_intent(self.next_id("pi"), int(form["amount"]), form["currency"], method["id"])
        intent["customer"] = form.get("customer")
        self.intents[intent["id"]] = intent
        number = method["_number"]
        if number in DECLINES:
            code, decline_code, message = DECLINES[number]
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = {"type": "card_error", "code": code, "message": message}
            return 402, error("card_error", code, message, decline_code=decline_code, payment_intent=intent)
        if number == AUTHENTICATION_REQUIRED:
            intent["status"] = "requires_payment_method"
            message = "Your card was declined. This transaction requires authentication."
            return 402, error(
                "card_error",
                "card_declined",
                message,
                decline_code="authentication_required",
                payment_intent=intent,
            )
        if number == REQUIRES_3DS:
            intent["status"] = "requires_action"
            intent["next_action"] = {"type": "use_stripe_sdk", "use_stripe_sdk": {}}
            return 200, intent
        intent["status"] = "requires_capture"
        intent["amount_capturable"] = intent["amount"]
        asked = form.get("payment_method_options[card][request_multicapture]") == "if_available"
        status = "available" if asked and self.multicapture else "unavailable"
        charge = {
            "id": self.next_id("ch"),
            "object": "charge",
            "payment_intent": intent["id"],
            "amount": intent["amount"],
            "captured": False,
            "payment_method_details": {"type": "card", "card": {"multicapture": {"status": status}}},
        }
        self.charges[charge["id"]] = charge
        intent["latest_charge"] = charge["id"]
        return 200, intent

    # -- the server ---------------------------------------------------------------------------

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                path, _, query = self.path.partition("?")
                form = dict(urllib.parse.parse_qsl(raw or query, keep_blank_values=True))
                seen = Seen(self.command, path, {k.lower(): v for k, v in self.headers.items()}, form)
                with fake._lock:
                    fake.requests.append(seen)
                    fault = fake.faults.pop(0) if fake.faults else ""
                if fault == "hang":
                    fake.release.wait(10)  # longer than any client timeout in the tests
                    return
                if fault == "429":
                    status, body = 429, error("rate_limit_error", "rate_limit", "Too many requests.")
                elif fault == "500":
                    status, body = 500, error("api_error", "", "Something went wrong on Stripe's end.")
                elif fault == "401":
                    status, body = 401, error("invalid_request_error", "", "Invalid API Key provided.")
                else:
                    status, body = fake.handle(seen)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_fake")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _any  # noqa: N815

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}"


@contextmanager
def running_fake_stripe() -> Iterator[FakeStripe]:
    """A fake Stripe serving on 127.0.0.1 (its ``url``) until the block ends."""
    fake = FakeStripe()
    server, fake.url = fake.serve()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()


# -- Stripe's documented object shapes (the fields the adapter reads, and their neighbours) -------


def payment_method(pm_id: str, number: str, exp_month: int, exp_year: int) -> dict[str, Any]:
    brand = {"4": "visa", "5": "mastercard", "3": "amex"}.get(number[:1], "unknown")
    return {
        "id": pm_id,
        "object": "payment_method",
        "type": "card",
        "customer": None,
        "livemode": False,
        "created": 1234567890,
        "metadata": {},
        "billing_details": {"address": None, "email": None, "name": None, "phone": None},
        "card": {
            "brand": brand,
            "country": "US",
            "exp_month": exp_month,
            "exp_year": exp_year,
            "funding": "credit",
            "last4": number[-4:],
            "checks": {"cvc_check": "pass", "address_line1_check": None, "address_postal_code_check": None},
            "three_d_secure_usage": {"supported": True},
        },
    }


def payment_intent(pi_id: str, amount: int, currency: str, method: str) -> dict[str, Any]:
    return {
        "id": pi_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_received": 0,
        "capture_method": "manual",
        "confirmation_method": "automatic",
        "client_secret": f"{pi_id}_secret_fake",
        "created": 1234567890,
        "currency": currency,
        "customer": None,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": {},
        "next_action": None,
        "payment_method": method,
        "payment_method_options": {"card": {"moto": True}},
        "payment_method_types": ["card"],
        "status": "requires_confirmation",
        "cancellation_reason": None,
    }


def customer(cus_id: str, description: str | None) -> dict[str, Any]:
    return {
        "id": cus_id,
        "object": "customer",
        "created": 1234567890,
        "description": description,
        "email": None,
        "livemode": False,
        "metadata": {},
        "invoice_settings": {"default_payment_method": None},
    }


def refund(re_id: str, intent_id: str, amount: int) -> dict[str, Any]:
    return {
        "id": re_id,
        "object": "refund",
        "amount": amount,
        "currency": "usd",
        "payment_intent": intent_id,
        "reason": None,
        "status": "succeeded",
        "created": 1234567890,
        "metadata": {},
    }


def balance(livemode: bool) -> dict[str, Any]:
    return {
        "object": "balance",
        "livemode": livemode,
        "available": [{"amount": 0, "currency": "usd", "source_types": {"card": 0}}],
        "pending": [{"amount": 0, "currency": "usd", "source_types": {"card": 0}}],
    }


def error(
    kind: str,
    code: str,
    message: str,
    *,
    decline_code: str = "",
    param: str = "",
    payment_intent: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": kind, "message": message}
    if code:
        body["code"] = code
        body["doc_url"] = f"https://docs.stripe.com/error-codes/{code}"
    if decline_code:
        body["decline_code"] = decline_code
    if param:
        body["param"] = param
    if payment_intent is not None:
        body["payment_intent"] = payment_intent
    return {"error": body}
