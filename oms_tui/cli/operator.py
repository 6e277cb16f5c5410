"""``oms operator add|list``: who may do what (operator, supervisor, admin)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from oms_core import bootstrap

if TYPE_CHECKING:
    from oms_tui.cli.context import CommandContext

ROLES = ("operator", "supervisor", "admin")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``operator`` with ``add`` and ``list``."""
    parser = subparsers.add_parser(
        "operator",
        help="add operators or change their roles; list them",
        description="Operators are OS user names (over SSH, whoever logged in). Supervisors may "
        "override prices beyond the limit and cancel placed orders; admins may do everything.",
    )
    actions = parser.add_subparsers(dest="operator_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="add an operator, or change one's role",
        description="Add an operator, or change the role (and name) of one already there.",
    )
    add.add_argument("username", metavar="USER", help="the OS user name")
    add.add_argument("--role", choices=ROLES, required=True, help="what the operator may do")
    add.add_argument("--name", default="", help="the person's name, for screens and the audit trail")
    add.set_defaults(handler=add_command)
    listing = actions.add_parser("list", help="list operators and their roles", description="List operators.")
    listing.set_defaults(handler=list_command)


def add_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Save the operator (creating or upgrading the schema first, so this works on a new install)."""
    bootstrap.check_database_url(ctx.database_url)
    bootstrap.upgrade_database(ctx.database_url)
    operator = bootstrap.save_operator(ctx.database_url, args.username, args.role, args.name)
    name = f" ({operator.name})" if operator.name else ""
    print(f"{operator.username}{name} is {operator.role.value}", file=ctx.stdout)
    return 0


def list_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Print one operator per line: user name, role, name."""
    bootstrap.check_database_url(ctx.database_url)
    bootstrap.require_database(ctx.database_url)
    operators = bootstrap.list_operators(ctx.database_url)
    if not operators:
        print("no operators yet: add one with `oms operator add USER --role admin`", file=ctx.stderr)
        return 0
    width = max(len(op.username) for op in operators)
    for op in operators:
        print(f"{op.username:<{width}}  {op.role.value:<10}  {op.name}".rstrip(), file=ctx.stdout)
    return 0
