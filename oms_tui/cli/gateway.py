"""``oms gateway check``: does the office's payment gateway take its key, and is it a test or live key."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from oms_core import bootstrap

if TYPE_CHECKING:
    from oms_tui.cli.context import CommandContext


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``gateway`` with ``check``."""
    parser = subparsers.add_parser(
        "gateway",
        help="check the payment gateway's configuration",
        description="The gateway is [gateway] kind in the office configuration, or OMS_GATEWAY (test, "
        "the default, or stripe); Stripe's secret key is read from the file named by [gateway] "
        "secret_key_file, which only its owner may read.",
    )
    actions = parser.add_subparsers(dest="gateway_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="make one harmless call: does the key work, is it a test or a live key",
        description="Reads the account's balance (moves no money) and says whether the key works and "
        "whether it is a test or a live key. Exit status 0 when it works, 1 when it does not.",
    )
    check.set_defaults(handler=check_command)


def check_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Print ``stripe (test key): the key works ...``; exit 1 when the key does not work."""
    name, result = bootstrap.check_gateway(ctx.config)
    line = f"{name} ({result.mode} key): {result.detail}"
    print(line, file=ctx.stdout if result.works else ctx.stderr)
    return 0 if result.works else 1
