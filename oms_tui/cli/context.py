"""What every ``oms`` subcommand's handler gets besides its parsed arguments."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True, slots=True)
class CommandContext:
    """What every handler gets besides its arguments.

    Attributes:
        database_url: ``--db``, else ``OMS_DATABASE_URL``, else the default SQLite file.
        db_given: whether the URL came from ``--db`` (``oms demo`` uses its own file otherwise).
        stdout: where results go (exports without ``--out``).
        stderr: where progress goes.
    """

    database_url: str
    db_given: bool
    stdout: TextIO
    stderr: TextIO


Handler = Callable[[argparse.Namespace, CommandContext], int]
