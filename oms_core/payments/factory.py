"""Which gateway an office uses, from its configuration's ``[gateway]`` section.

``kind`` is ``test`` (the default: the deterministic test gateway, no network) or ``stripe``
(``OMS_GATEWAY`` overrides it). Stripe's secret key is never in the file, the environment or a
command line: ``secret_key_file`` names a file holding it, readable by its owner only.
"""

from __future__ import annotations

from oms_core.config import ConfigError, GatewaySection, read_secret
from oms_core.ports import Clock, PaymentGateway

KEY_FILE = "[gateway] secret_key_file"


def make_gateway(section: GatewaySection, clock: Clock | None = None) -> PaymentGateway:
    """Build the configured gateway; the test gateway judges card expiry by ``clock`` (the
    application's; the system clock if none).

    Raises:
        ConfigError: a key file that is missing, open to others, or does not hold a secret key.
    """
    if section.kind != "stripe":
        from oms_core.payments.test_gateway import TestGateway

        return TestGateway(clock)
    if section.secret_key_file is None:
        raise ConfigError(f"{KEY_FILE}: name the file that holds the Stripe secret key (kind is stripe)")
    from oms_core.payments.secret_key import SecretKey
    from oms_core.payments.stripe_gateway import StripeGateway

    text = read_secret(section.secret_key_file, KEY_FILE)
    try:
        key = SecretKey(text)
    except ValueError as error:
        raise ConfigError(f"{KEY_FILE}: {section.secret_key_file}: {error}") from None
    return StripeGateway(key, api_base=section.api_base or None, currency=section.currency)
