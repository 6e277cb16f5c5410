"""What every ``oms`` subcommand's handler gets besides its parsed arguments."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from oms_core.config import OfficeConfig

if TYPE_CHECKING:
    from oms_core.bootstrap import Application


@dataclass(frozen=True, slots=True)
class CommandContext:
    """What every handler gets besides its arguments.

    Attributes:
        config: the office configuration in force (file, then environment, then ``--db``).
        db_given: whether the URL came from ``--db`` (``oms demo`` uses its own file otherwise).
        stdout: where results go (exports without ``--out``).
        stderr: where progress goes.
    """

    config: OfficeConfig
    db_given: bool
    stdout: TextIO
    stderr: TextIO

    def open_application(self) -> Application:
        """The services on the configured database, which must already exist (a command that only
        reads never creates an empty SQLite file). The caller closes it.
        """
        from oms_core import bootstrap

        bootstrap.check_database_url(self.database_url)
        bootstrap.require_database(self.database_url)
        return bootstrap.build(bootstrap.Config(self.database_url, office=self.config))

    @property
    def database_url(self) -> str:
        """``--db``, else ``OMS_DATABASE_URL``, else the file's ``[database] url``, else the default file."""
        return self.config.database_url


Handler = Callable[[argparse.Namespace, CommandContext], int]
