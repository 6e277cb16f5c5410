"""The ``oms`` subcommands, one small module each.

A command module has one function, ``register(subparsers)``, which adds its parser (and any nested
subparsers) and sets ``handler`` on it with ``set_defaults``. A handler takes the parsed arguments and
the :class:`CommandContext` and returns the exit status. To add a command, write its module and add it
to :data:`COMMAND_MODULES`: one line.
"""

from __future__ import annotations

import argparse
from types import ModuleType

from oms_tui.cli import (
    batches,
    changes,
    config,
    db,
    demo,
    documents,
    export,
    fulfilment,
    gateway,
    imports,
    mail,
    operator,
    payments,
    returns,
    seed,
)

COMMAND_MODULES: tuple[ModuleType, ...] = (
    demo,
    seed,
    db,
    export,
    documents,
    fulfilment,
    changes,
    returns,
    mail,
    operator,
    batches,
    imports,
    config,
    gateway,
    payments,
)
"""Every subcommand module, in the order ``oms --help`` lists them. Add yours here."""


def register_all(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Let every command module add its parser."""
    for module in COMMAND_MODULES:
        module.register(subparsers)
