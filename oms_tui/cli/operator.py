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
        "override prices beyond the limit, cancel placed orders and change a customer's type, tax "
        "exemption, status or payment terms; admins may do everything, and only admins change roles. "
        "The account that creates the database is its first admin; root always is one.",
    )
    actions = parser.add_subparsers(dest="operator_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="add an operator, or change one's role (admins only)",
        description="Add an operator, or change the role (and name) of one already there. Needs an admin.",
    )
    add.add_argument("username", metavar="USER", help="the OS user name")
    add.add_argument("--role", choices=ROLES, required=True, help="what the operator may do")
    add.add_argument("--name", default="", help="the person's name, for screens and the audit trail")
    add.set_defaults(handler=add_command)
    listing = actions.add_parser("list", help="list operators and their roles", description="List operators.")
    listing.set_defaults(handler=list_command)


def add_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Save the operator, as an admin (creating the schema first on a new install, which makes
    whoever runs this its first admin).
    """
    bootstrap.check_database_url(ctx.database_url)
    account = bootstrap.os_account()
    if bootstrap.upgrade_database(ctx.database_url, first_admin=account):
        print(bootstrap.first_admin_line(account), file=ctx.stderr)
    application = bootstrap.build(bootstrap.Config(ctx.database_url, office=ctx.config))
    try:
        operator = application.services.operators.save(args.username, args.role, args.name)
    finally:
        application.close()
    name = f" ({operator.name})" if operator.name else ""
    print(f"{operator.username}{name} is {operator.role.value}", file=ctx.stdout)
    return 0


def list_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Print one operator per line: user name, role, name."""
    application = ctx.open_application()
    try:
        operators = application.services.operators.list()
    finally:
        application.close()
    if not operators:
        print("no operators yet: add one with `oms operator add USER --role admin`", file=ctx.stderr)
        return 0
    width = max(len(op.username) for op in operators)
    for op in operators:
        print(f"{op.username:<{width}}  {op.role.value:<10}  {op.name}".rstrip(), file=ctx.stdout)
    return 0
