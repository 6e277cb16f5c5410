"""A deterministic gateway for demos and tests: documented card numbers approve or decline.

Test card numbers (any future expiry, any 3-4 digit code):

=========================  ===========================================================
``4111 1111 1111 1111``    Visa, approves
``5555 5555 5555 4444``    Mastercard, approves
``3782 822463 10005``      Amex, approves
``4000 0000 0000 0002``    Visa, declines: "Card declined (do not honor)" [do_not_honor]
``4000 0000 0000 9995``    Visa, declines: "Insufficient funds" [insufficient_funds]
``4000 0027 6000 3184``    Visa, the issuer requires 3-D Secure: refused for phone orders
``4000 0000 0000 0119``    Visa, the gateway does not answer (nothing is charged)
=========================  ===========================================================

Any other number that passes the Luhn check approves. Tokens carry a marker of the outcome, so a
card kept on file behaves the same way every time it is charged; seeded cards on file use
``tok_test_...`` tokens that approve, and ``tok_decline_...`` tokens that decline.

References are derived from the idempotency key and the amount, so the same request repeated
(even by another process after a crash) gets the same reference: like a real gateway's
idempotency, and what reconciliation relies on. A reference also carries the amount authorised,
so another process (another operator's oms, the demo's seeder, yesterday's session) can capture,
void or refund it: what happened to it before this process is the database's record, and oms only
asks for what that record allows. Within one process the gateway keeps the whole story and refuses
what a real gateway would (capturing twice, refunding more than was captured).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from decimal import Decimal

from oms_core.clock import SystemClock
from oms_core.domain.errors import ValidationError
from oms_core.domain.payments import CardEntry, CardToken, card_brand, card_digits, card_problems
from oms_core.ports import Clock, GatewayAnswer, GatewayCheck, PaymentGateway

DECLINE_NUMBERS = {
    "4000000000000002": "Card declined (do not honor)",
    "4000000000009995": "Insufficient funds",
}
THREE_D_SECURE_NUMBER = "4000002760003184"
NETWORK_ERROR_NUMBER = "4000000000000119"
_MARKERS = {
    "4000000000000002": "decline",
    "4000000000009995": "nsf",
    THREE_D_SECURE_NUMBER: "3ds",
    NETWORK_ERROR_NUMBER: "neterr",
}
_DECLINES = {
    "decline": GatewayAnswer.decline("Card declined (do not honor)", "do_not_honor"),
    "nsf": GatewayAnswer.decline("Insufficient funds", "insufficient_funds"),
    "3ds": GatewayAnswer.decline(
        "the card's issuer requires 3-D Secure, which cannot be done on a phone order; ask for another card",
        "authentication_required",
    ),
}
UNREACHABLE_REASON = "the payment gateway did not answer; nothing was charged"


@dataclass(slots=True)
class _Held:
    """An authorisation the test gateway made, and what has happened to it since."""

    amount: Decimal
    captured: Decimal = Decimal("0.00")
    refunded: Decimal = Decimal("0.00")
    voided: bool = False
    closed: bool = False  # a final capture was made: nothing more can be captured


class TestGateway(PaymentGateway):
    """An in-process gateway with fixed, documented outcomes. Keeps no card data.

    Attributes:
        voided: references voided, in order (tests read it).
        captured: (reference, amount) captured, in order.
        refunded: (reference, amount) refunded, in order.
    """

    __test__ = False  # not a pytest test class, whatever its name says
    name = "test"

    def __init__(self, clock: Clock | None = None) -> None:
        """A gateway that judges a card's expiry by ``clock``: the application's, so a card the
        services accept by their date is accepted here (default: the system clock). The date is
        UTC's, as the services' is: on the evening of a month's last day in America a card
        expiring that month is already refused.
        """
        self._clock = clock or SystemClock()
        self._lock = threading.Lock()  # batch placing calls from several threads
        self._answers: dict[str, GatewayAnswer] = {}
        self._held: dict[str, _Held] = {}
        self.voided: list[str] = []
        self.captured: list[tuple[str, Decimal]] = []
        self.refunded: list[tuple[str, Decimal]] = []

    def tokenize(self, card: CardEntry) -> CardToken:
        """Check the card and return a token whose prefix encodes the test outcome."""
        problems = card_problems(card, self._clock.now().date())
        if problems:
            field_name, message = problems[0]
            raise ValidationError(message, field=field_name)
        digits = card_digits(card.number)
        marker = _MARKERS.get(digits, "test")
        # Random suffix: a token must not be a function of the card number alone.
        token = f"tok_{marker}_{digits[-4:]}_{secrets.token_hex(8)}"
        return CardToken(
            token=token,
            brand=card_brand(digits),
            last4=digits[-4:],
            exp_month=card.exp_month,
            exp_year=card.exp_year,
        )

    def authorize(self, token: str, amount: Decimal, idempotency_key: str) -> GatewayAnswer:
        """Approve, decline or fail by the token's marker; repeat keys get the first answer."""
        with self._lock:
            if idempotency_key in self._answers:
                return self._answers[idempotency_key]
            marker = _marker(token)
            if marker == "neterr":
                # Nothing remembered: a repeat after the outage asks again, as with a real gateway.
                return GatewayAnswer.no_answer(UNREACHABLE_REASON)
            if marker in _DECLINES:
                answer = _DECLINES[marker]
            elif marker == "test":
                cents = int((amount * 100).to_integral_value())
                reference = f"auth_{_digest(f'{idempotency_key}:{amount}')}_{cents}"
                answer = GatewayAnswer.approve(reference)
                self._held.setdefault(reference, _Held(amount))
            else:
                answer = GatewayAnswer.decline("Unknown card token", "invalid_token")
            self._answers[idempotency_key] = answer
            return answer

    def capture(
        self, reference: str, amount: Decimal | None, idempotency_key: str, final: bool = True
    ) -> GatewayAnswer:
        """Capture all or part of an authorisation this gateway made; several times until a final one."""
        with self._lock:
            if idempotency_key in self._answers:
                return self._answers[idempotency_key]
            held = self._known(reference, captured=False)
            left = held.amount - held.captured if held is not None else Decimal("0.00")
            if held is None or held.voided:
                answer = GatewayAnswer.decline("no such authorisation to capture", "resource_missing")
            elif held.closed:
                answer = GatewayAnswer.decline("the authorisation was already captured", "already_captured")
            elif amount is not None and amount > left:
                answer = GatewayAnswer.decline("cannot capture more than was authorised", "amount_too_large")
            else:
                taken = left if amount is None else amount
                held.captured += taken
                held.closed = final
                self.captured.append((reference, taken))
                answer = GatewayAnswer.approve(reference)
            self._answers[idempotency_key] = answer
            return answer

    def void(self, reference: str, idempotency_key: str = "") -> GatewayAnswer:
        """Release an uncaptured authorisation (voiding twice is harmless)."""
        with self._lock:
            held = self._held.get(reference)
            if held is not None and held.captured:
                return GatewayAnswer.decline("a captured payment is refunded, not voided", "already_captured")
            if held is not None:
                held.voided = True
            self.voided.append(reference)
            return GatewayAnswer.approve(reference)

    def refund(self, reference: str, amount: Decimal | None, idempotency_key: str) -> GatewayAnswer:
        """Give back all or part of what was captured."""
        with self._lock:
            if idempotency_key in self._answers:
                return self._answers[idempotency_key]
            held = self._known(reference, captured=True)
            left = (held.captured - held.refunded) if held is not None else Decimal("0.00")
            wanted = left if amount is None else amount
            if held is None or not held.captured:
                answer = GatewayAnswer.decline("nothing was captured to refund", "charge_not_captured")
            elif wanted > left or wanted <= 0:
                answer = GatewayAnswer.decline(f"only {left} can still be refunded", "amount_too_large")
            else:
                held.refunded += wanted
                self.refunded.append((reference, wanted))
                answer = GatewayAnswer.approve("re_" + _digest(idempotency_key))
            self._answers[idempotency_key] = answer
            return answer

    def _known(self, reference: str, captured: bool) -> _Held | None:
        """The authorisation behind ``reference``; one made by another process is taken from the
        amount in its reference, uncaptured for a capture and captured whole for a refund (oms asks
        either only when its own record says so). ``None`` for a reference no test gateway made.
        """
        held = self._held.get(reference)
        if held is None:
            amount = _authorised_amount(reference)
            if amount is not None:
                held = self._held[reference] = _Held(amount, captured=amount if captured else Decimal("0.00"))
        return held

    def save_card(self, card: CardToken, customer_label: str, idempotency_key: str) -> GatewayAnswer:
        """Keep the card: the saved token keeps the test marker, so it behaves as the card did."""
        marker = _marker(card.token) or "test"
        if marker == "neterr":
            return GatewayAnswer.no_answer(UNREACHABLE_REASON)
        return GatewayAnswer.approve(f"tok_{marker}_{card.last4}_saved_{_digest(idempotency_key)}")

    def charge_saved(self, saved_token: str, amount: Decimal, idempotency_key: str) -> GatewayAnswer:
        """Authorise on a saved card, exactly as :meth:`authorize`."""
        return self.authorize(saved_token, amount, idempotency_key)

    def check(self) -> GatewayCheck:
        """The test gateway always works, and never moves real money."""
        return GatewayCheck(True, "test", "the built-in test gateway answers (no real money moves)")


def _marker(token: str) -> str:
    return token.split("_")[1] if token.startswith("tok_") and "_" in token[4:] else ""


def _authorised_amount(reference: str) -> Decimal | None:
    """The amount a test gateway's ``auth_<digest>_<cents>`` reference was made for."""
    parts = reference.split("_")
    if len(parts) != 3 or parts[0] != "auth" or not parts[2].isdigit():
        return None
    return Decimal(parts[2]) / 100


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]
