"""``oms mail send|status``: deliver the queued mail (for cron) and see what is waiting or failed."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from oms_tui.text import safe

if TYPE_CHECKING:
    from oms_tui.cli.context import CommandContext

MAX_SEND = 100_000


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``mail``."""
    mail = subparsers.add_parser(
        "mail",
        help="send the queued mail; show what waits or failed",
        description="Order confirmations, shipping notices, cancellations, refunds and declined-card "
        "notices are queued with the event and sent after it by every running oms and by `oms mail send` "
        "(run it from cron every few minutes). A mail server that is down only delays them.",
    )
    actions = mail.add_subparsers(dest="mail_command", metavar="ACTION", required=True)
    send = actions.add_parser("send", help="send what is due now", description="Send the mail that is due.")
    send.add_argument("--limit", type=_limit, default=1_000, help="send at most this many (default 1000)")
    send.set_defaults(handler=mail_send_command)
    status = actions.add_parser(
        "status", help="count what waits, went out, failed", description="Mail counts."
    )
    status.set_defaults(handler=mail_status_command)


def mail_send_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Send; exit 1 (one line) when the server could not be reached, so cron tells someone."""
    application = ctx.open_application()
    try:
        report = application.services.mail.send_due(args.limit)
    finally:
        application.close()
    print(f"sent {report.sent:,}, to retry {report.retrying:,}, failed {report.failed:,}", file=ctx.stderr)
    if report.retrying and report.problem:
        print(f"oms: error: {safe(report.problem)} (the rest wait for the next run)", file=ctx.stderr)
        return 1
    return 0


def mail_status_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """One line per status."""
    application = ctx.open_application()
    try:
        counts = application.services.mail.counts()
    finally:
        application.close()
    for status, count in counts.items():
        print(f"{status:<8} {count:>8,}", file=ctx.stdout)
    return 0


def _limit(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_SEND:
        raise argparse.ArgumentTypeError(f"--limit must be a whole number from 1 to {MAX_SEND:,}")
    return int(text)
