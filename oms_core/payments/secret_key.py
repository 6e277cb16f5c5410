"""A gateway's secret key, held so that no log line, traceback, repr or pickle can show it."""

from __future__ import annotations

from typing import NoReturn

_MODES = {
    "sk_test_": "test",
    "sk_live_": "live",
    "rk_test_": "restricted test",
    "rk_live_": "restricted live",
}


class SecretKey:
    """A Stripe-style secret key (``sk_test_``, ``sk_live_``, ``rk_test_``, ``rk_live_``).

    ``repr`` and ``str`` name only the kind of key; :meth:`reveal` hands the text to the one place
    that sends it (the HTTP client's Authorization header).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        text = value.strip()
        if not any(text.startswith(prefix) for prefix in _MODES) or len(text) <= 8:
            # Never echo the text: it may be a real key with a typo, or another secret entirely.
            raise ValueError("the gateway key does not look like a secret key (sk_test_, sk_live_ or rk_...)")
        self._value = text

    @property
    def mode(self) -> str:
        """``test``, ``live``, ``restricted test`` or ``restricted live``."""
        return next(mode for prefix, mode in _MODES.items() if self._value.startswith(prefix))

    @property
    def live(self) -> bool:
        """Whether the key moves real money."""
        return self.mode.endswith("live")

    def reveal(self) -> str:
        """The key's text, for the request header only."""
        return self._value

    def __repr__(self) -> str:
        return f"SecretKey({self.mode} key, hidden)"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("a secret key is not pickled")
