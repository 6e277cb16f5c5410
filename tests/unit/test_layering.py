"""The layering rules of ARCHITECTURE.md, checked on the real import graph."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Import each headless package in a clean interpreter and report which frameworks got loaded.
_PROBE = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    if ".migrations" in info.name:
        continue
    importlib.import_module(info.name)
print(json.dumps(sorted(m for m in ("sqlalchemy", "textual", "openpyxl", "alembic", "psycopg")
                        if m in sys.modules)))
"""


def _frameworks_loaded_by(package: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, package], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("package", ["oms_core.domain", "oms_core.services"])
def test_domain_and_services_load_no_framework(package: str) -> None:
    assert _frameworks_loaded_by(package) == set()


def test_the_tui_does_not_load_sqlalchemy_until_bootstrap_builds_the_app() -> None:
    loaded = _frameworks_loaded_by("oms_tui")
    assert "sqlalchemy" not in loaded
    assert "textual" in loaded


def test_import_linter_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
