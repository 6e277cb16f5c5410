"""What an operator's `oms` loads on the way to its first screen and to an open database: each
module left out is start-up time saved (bench/bench_startup.py), and these keep it left out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from oms_core.storage.schema import upgrade_schema

ROOT = Path(__file__).resolve().parents[2]


def _probe(code: str) -> object:
    """What ``code``, run in a fresh interpreter, printed as JSON on its last line."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_console_script_exits_with_mains_status_leaving_the_last_objects_to_the_system(monkeypatch):
    import gc

    import oms_tui.cli

    frozen = []
    monkeypatch.setattr(oms_tui.cli, "main", lambda: 3)
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    with pytest.raises(SystemExit) as exited:
        oms_tui.cli.run()
    assert (exited.value.code, frozen) == (3, [True])


def test_the_tuis_command_line_is_parsed_without_importing_the_command_modules():
    # `oms` and `oms --db URL` start the screens: the fifteen subcommands' modules and parsers
    # would only delay the first screen.
    probe = (
        "import json, sys; from oms_tui.cli import parse_arguments; "
        "args = parse_arguments(['--db', 'sqlite:///x.db']); "
        "print(json.dumps([args.db, args.command, args.handler.__name__, "
        "sorted(m for m in sys.modules if m.startswith('oms_tui.cli.') "
        "and m not in ('oms_tui.cli.context', 'oms_tui.cli.tui'))]))"
    )
    assert _probe(probe) == ["sqlite:///x.db", None, "tui_command", []]


def test_the_first_screen_loads_no_command_module_read_model_or_business_rule():
    # What the TUI imports before it draws the Customers screen; the read models, the domain's
    # rules, the services and the storage load behind it, with the database.
    probe = (
        "import json, sys; import oms_tui.cli, oms_tui.app, oms_tui.screens.customers; "
        "print(json.dumps(sorted(m for m in sys.modules if m in ("
        "'oms_tui.cli.registry', 'oms_tui.cli.export', 'oms_core.read_models', 'oms_core.domain.customers', "
        "'oms_core.domain.orders', 'oms_core.domain.pricing', 'oms_core.domain.returns', "
        "'oms_core.services', 'oms_core.storage', 'sqlalchemy'))))"
    )
    assert _probe(probe) == []


def test_opening_a_sqlite_database_loads_no_postgresql_dialect_nor_storage_it_does_not_use(tmp_path):
    # What the TUI does behind its first screen: open the database, finish interrupted payments,
    # look for the operator's drafts.
    url = f"sqlite:///{tmp_path / 'oms.db'}"
    upgrade_schema(url)
    probe = (
        "import json, sys; from oms_core import bootstrap; "
        f"app = bootstrap.build(bootstrap.Config({url!r})); "
        "app.services.payments.reconcile(); app.services.cart.my_drafts(); app.close(); "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('sqlalchemy.dialects.postgresql') "
        "or m in ('oms_core.storage.batches', 'oms_core.storage.imports', 'oms_core.storage.story', "
        "'oms_core.storage.returns', 'oms_core.storage.notes', 'oms_core.domain.batches', "
        "'oms_core.domain.imports', 'oms_core.mail.smtp', 'smtplib'))))"
    )
    assert _probe(probe) == []
