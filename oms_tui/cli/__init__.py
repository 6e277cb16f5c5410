"""The ``oms`` command: the TUI by default, and the subcommands in the modules beside this one.

Global options come before the subcommand: ``oms --db URL export customers``. Every failure is one
line on stderr (``oms: error: ...``) and a non-zero exit status; set ``OMS_DEBUG=1`` to see the
traceback of an unexpected error instead.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from oms_core import bootstrap
from oms_core.config import CONFIG_ENV, DEFAULT_CONFIG_PATH, load_config, mask_url_password
from oms_core.domain.errors import OmsError
from oms_core.logs import LOGGER_NAME, setup_logging
from oms_tui.cli.context import CommandContext
from oms_tui.cli.tui import tui_command

PROG = "oms"
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
DEBUG_ENV = "OMS_DEBUG"

log = logging.getLogger("oms.cli")


class UsageError(Exception):
    """A command line argparse could not make sense of; the message is argparse's."""


class _Parser(argparse.ArgumentParser):
    """An argument parser that raises instead of printing usage and exiting, so that a usage error
    is one line like every other error.
    """

    def error(self, message: str) -> NoReturn:
        """Raise :class:`UsageError` naming the command that was being parsed."""
        if "unrecognized arguments: --db" in message:
            message += "; global options go before the command: oms --db URL COMMAND"
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("oms")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _database_url_argument(text: str) -> str:
    """``--db``'s value: an empty one is a mistake (a variable that was not set), not "the default"."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "an empty URL: give sqlite:///path/oms.db or postgresql://user@host/dbname, or leave --db out"
        )
    return text


def _global_parser(add_help: bool = True) -> _Parser:
    """The options that come before any subcommand; without one, they start the TUI."""
    parser = _Parser(
        prog=PROG,
        description="Keyboard-first order management for phone-order operators. Without a command, "
        "opens the TUI on the configured database (upgrading its schema first).",
        epilog=f"The database is --db URL, else ${bootstrap.DATABASE_URL_ENV}, else the office configuration "
        f"file ({DEFAULT_CONFIG_PATH} or ${CONFIG_ENV}), else a SQLite file in your data folder. "
        "`oms config show` prints every setting in force and where it came from.",
        add_help=add_help,
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        type=_database_url_argument,
        help="database URL: sqlite:///path/oms.db or postgresql://user@host/dbname",
    )
    parser.add_argument(
        "--version",
        action="store_true",
        help="print the version, and the schema revision of the configured database if there is one",
    )
    parser.set_defaults(handler=tui_command, command=None)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: global options, then one subcommand (or none, for the TUI)."""
    from oms_tui.cli.registry import register_all  # every command module: only when one may be named

    parser = _global_parser()
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    register_all(subparsers)
    return parser


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse ``argv`` (the process arguments by default).

    A command line of global options only (``oms``, ``oms --db URL``, ``oms --version``: an
    operator logging in) is parsed without importing the fifteen command modules and building
    their parsers, which the TUI would wait for; anything else (a command, ``--help``, a mistake)
    goes to the whole parser, so its help and its errors are the same as ever.

    Raises:
        UsageError: what argparse could not make sense of.
        SystemExit: ``--help`` printed the help.
    """
    words = sys.argv[1:] if argv is None else list(argv)
    try:
        args, rest = _global_parser(add_help=False).parse_known_args(words)
    except UsageError:
        rest = words  # let the whole parser say what is wrong, as it always has
    if not rest:
        return args
    return build_parser().parse_args(words)


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run ``oms`` with ``argv`` (the process arguments by default) and return the exit status.

    Args:
        argv: the arguments after the program name.
        stdout: where results go (``sys.stdout`` by default).
        stderr: where errors and progress go (``sys.stderr`` by default).
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    _quiet_until_logging_starts()
    try:
        # --help and --version print to sys.stdout; send them where the caller asked.
        with contextlib.redirect_stdout(out):
            args = parse_arguments(argv)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=err)
        return EXIT_USAGE
    except SystemExit as exc:  # --help prints and exits 0
        return int(exc.code or 0)
    try:
        if args.version:  # the version first, whatever is wrong with the configuration
            print(f"{PROG} {_version()}", file=out, flush=True)
        context = CommandContext(config=load_config(args.db), db_given=bool(args.db), stdout=out, stderr=err)
        if args.version:
            return _print_schema(context)
        _start_log(context, argv)
        status = int(args.handler(args, context))
        log.info("exit %d", status)
        return status
    except KeyboardInterrupt:
        log.info("interrupted")
        print(f"{PROG}: interrupted", file=err)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`oms export customers | head`): stop quietly, and point stdout at
        # nothing so the interpreter's final flush does not complain either.
        _silence(out)
        return EXIT_ERROR
    except OmsError as exc:
        return _fail(err, str(exc))
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        return _fail(err, f"{exc.strerror or exc}{where}")
    except Exception as exc:
        message = bootstrap.database_error_message(exc)
        log.error("failed: %s", message or type(exc).__name__, exc_info=exc)  # the traceback goes to the log
        if message is None:
            if os.environ.get(DEBUG_ENV):
                raise
            message = f"unexpected {type(exc).__name__}: {exc} (set {DEBUG_ENV}=1 to see where)"
        return _fail(err, message)


def run() -> NoReturn:
    """The ``oms`` console script: :func:`main` on the process arguments, then the process ends
    with its status.

    Before it ends, the garbage collector is told to leave every object alive now alone
    (``gc.freeze``): the interpreter's last collections would otherwise walk all the objects the
    screens, SQLAlchemy and the services made, only for the operating system to take the memory
    back a moment later (a fifth of the CPU time of a TUI session that opens and quits at once).
    Objects are still released as ever when their last reference goes, and the log's exit hook
    still flushes and closes it.
    """
    status = main()
    gc.freeze()
    sys.exit(status)


def _print_schema(ctx: CommandContext) -> int:
    """The rest of ``oms --version``: the configured database's schema revision when a database was
    named (``--db``, the environment or the file). Without one, no database library is loaded.
    """
    if ctx.config.database_configured:
        print(bootstrap.schema_status(ctx.database_url), file=ctx.stdout)
    return 0


def _quiet_until_logging_starts() -> None:
    """Give oms's loggers a place to go before the log file is opened (a broken configuration is
    reported before it can be): without one, Python prints their warnings on stderr, and every
    error would show twice, once bare and once as the ``oms: error:`` line.
    """
    logger = logging.getLogger(LOGGER_NAME)
    if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
        logger.addHandler(logging.NullHandler())


def _fail(err: TextIO, message: str) -> int:
    first_line = message.strip().splitlines()[0] if message.strip() else "failed"
    log.warning("error: %s", first_line)
    print(f"{PROG}: error: {first_line}", file=err)
    return EXIT_ERROR


def _start_log(ctx: CommandContext, argv: Sequence[str] | None) -> None:
    """Open the log (``[log]`` in the configuration, else the user's log folder) and note who runs
    what: the command line with any URL's password hidden.
    """
    settings = ctx.config.log
    setup_logging(bootstrap.session_label(), settings.file, settings.max_bytes, settings.backups)
    words = sys.argv[1:] if argv is None else list(argv)
    log.info("oms %s", " ".join(mask_url_password(word) for word in words) or "(the screens)")


def _silence(stream: TextIO) -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError):  # not a real file (tests): nothing to silence
        pass
