"""A deterministic gateway for demos and tests: documented card numbers approve or decline.

Test card numbers (any future expiry, any 3-4 digit code):

=====================  ==========================================
``4111 1111 1111 1111``  Visa, approves
``5555 5555 5555 4444``  Mastercard, approves
``3782 822463 10005``    Amex, approves
``4000 0000 0000 0002``  Visa, declines: "Card declined (do not honor)"
``4000 0000 0000 9995``  Visa, declines: "Insufficient funds"
``4000 0000 0000 0119``  Visa, the gateway is unreachable (network error)
=====================  ==========================================

Any other number that passes the Luhn check approves. Tokens carry a marker of the outcome, so a
card kept on file behaves the same way every time it is charged; seeded cards on file use
``tok_test_...`` tokens that approve, and ``tok_decline_...`` tokens that decline.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from decimal import Decimal

from oms_core.domain.errors import PaymentUnavailable, ValidationError
from oms_core.domain.payments import CardEntry, CardToken, card_brand, card_digits, card_problems
from oms_core.ports import Authorization, PaymentGateway

DECLINE_NUMBERS = {
    "4000000000000002": "Card declined (do not honor)",
    "4000000000009995": "Insufficient funds",
}
NETWORK_ERROR_NUMBER = "4000000000000119"
_DECLINE_REASON = {"decline": "Card declined (do not honor)", "nsf": "Insufficient funds"}


class TestGateway(PaymentGateway):
    """An in-process gateway with fixed, documented outcomes. Keeps no card data."""

    __test__ = False  # not a pytest test class, whatever its name says

    def __init__(self, today: datetime | None = None) -> None:
        self._today = today
        self._answers: dict[str, Authorization] = {}
        self.voided: list[str] = []

    def tokenize(self, card: CardEntry) -> CardToken:
        """Check the card and return a token whose prefix encodes the test outcome."""
        problems = card_problems(card, (self._today or datetime.now()).date())
        if problems:
            field_name, message = problems[0]
            raise ValidationError(message, field=field_name)
        digits = card_digits(card.number)
        if digits == NETWORK_ERROR_NUMBER:
            marker = "neterr"
        elif digits == "4000000000009995":
            marker = "nsf"
        elif digits in DECLINE_NUMBERS:
            marker = "decline"
        else:
            marker = "test"
        # Random suffix: a token must not be a function of the card number alone.
        token = f"tok_{marker}_{digits[-4:]}_{secrets.token_hex(8)}"
        return CardToken(
            token=token,
            brand=card_brand(digits),
            last4=digits[-4:],
            exp_month=card.exp_month,
            exp_year=card.exp_year,
        )

    def authorize(self, token: str, amount: Decimal, idempotency_key: str) -> Authorization:
        """Approve, decline or fail by the token's marker; repeat keys get the first answer."""
        if idempotency_key in self._answers:
            return self._answers[idempotency_key]
        marker = token.split("_")[1] if token.startswith("tok_") and "_" in token[4:] else ""
        if marker == "neterr":
            raise PaymentUnavailable("the payment gateway did not answer; nothing was charged")
        if marker in _DECLINE_REASON:
            answer = Authorization(approved=False, reason=_DECLINE_REASON[marker])
        elif marker == "test":
            digest = hashlib.sha256(f"{idempotency_key}:{amount}".encode()).hexdigest()[:12]
            answer = Authorization(approved=True, reference=f"auth_{digest}")
        else:
            answer = Authorization(approved=False, reason="Unknown card token")
        self._answers[idempotency_key] = answer
        return answer

    def void(self, reference: str) -> None:
        """Record the void (there is no money to release in a test gateway)."""
        self.voided.append(reference)
