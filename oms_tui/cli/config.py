"""``oms config show``: every setting in force and where it came from, secrets masked."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from oms_core.config import CONFIG_ENV, DEFAULT_CONFIG_PATH, config_path, describe, secret_file_problems

if TYPE_CHECKING:
    from oms_tui.cli.context import CommandContext


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``config`` and its ``show`` subcommand."""
    parser = subparsers.add_parser(
        "config", help="the office configuration", description="The office configuration."
    )
    actions = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show",
        help="print every setting in force and where it came from",
        description=f"Print every setting in force (section.key = value) and where it came from: the "
        f"file ({DEFAULT_CONFIG_PATH}, or the one ${CONFIG_ENV} names), an environment variable, "
        "the --db flag, or the default. Passwords in URLs are masked; secrets themselves are never in "
        "the file, only the names of the files that hold them.",
    )
    show.set_defaults(handler=show_command)


def show_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Print the file that was read, one line per setting, then a warning for each secret file that
    cannot be used (missing, or open to group or others). Exits 0 either way: it shows, it does not judge.
    """
    config = ctx.config
    if config.path is not None:
        print(f"# configuration file: {config.path}", file=ctx.stdout)
    else:
        wanted, _ = config_path({})
        print(f"# no configuration file ({wanted} does not exist): defaults", file=ctx.stdout)
    shown = describe(config)
    width = max(len(item.key) for item in shown)
    value_width = min(48, max(len(item.value) for item in shown))
    for item in shown:
        print(f"{item.key:<{width}} = {item.value:<{value_width}}  # {item.source}", file=ctx.stdout)
    problems = secret_file_problems(config)
    for problem in problems:
        print(f"# warning: {problem}", file=ctx.stdout)
    return 0
