"""The office's default approval limits: the deepest price cut and the largest refund an operator
makes alone, before a supervisor must approve. The office file overrides both (``[orders]``).

Kept apart from the pricing and returns rules that apply them so that reading the configuration,
which every ``oms`` start does before its first screen, needs nothing else of the domain.
"""

from __future__ import annotations

from decimal import Decimal

DEFAULT_PRICE_CUT_LIMIT_PERCENT = Decimal("10")
"""A price cut deeper than this many percent needs a supervisor, unless the office sets its own limit."""

DEFAULT_REFUND_LIMIT = Decimal("100.00")
"""A refund above this needs a supervisor unless the office sets ``[orders] refund_limit``."""
