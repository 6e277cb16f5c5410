"""The one argparse type for numeric arguments: a whole number within bounds, or one clear line."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from oms_core.domain.errors import ValidationError
from oms_core.domain.numbers import LARGEST_ID, whole_number


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse ``type=``: a whole number from ``low`` to ``high`` (``1_000`` and ``1,000`` allowed).

    argparse names the argument in its message: ``argument BATCH: 99999999999999999999 is too large
    (at most 9,223,372,036,854,775,807)``.
    """

    def parse(text: str) -> int:
        try:
            return whole_number(text, low, high)
        except ValidationError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = "whole number"  # argparse's word for the type in its own messages
    return parse


def record_id() -> Callable[[str], int]:
    """An argparse ``type=`` for an id (of a batch, a shipment...): 1 up to the largest id stored."""
    return bounded_int(1, LARGEST_ID)
