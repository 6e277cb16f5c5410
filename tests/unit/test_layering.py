"""The layering rules of ARCHITECTURE.md, checked on the real import graph."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
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


def test_the_command_line_loads_no_textual() -> None:
    """``oms db upgrade``, ``oms import`` and the rest start without Textual; only the screens need it."""
    loaded = _frameworks_loaded_by("oms_tui.cli")
    assert "textual" not in loaded


def _contracts() -> list[dict[str, object]]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["tool"]["importlinter"]["contracts"]


def test_the_contracts_have_no_blanket_exceptions() -> None:
    """Every exception is an explicit, matched ``ignore_imports`` entry; both roots are layered."""
    for contract in _contracts():
        assert not contract.get("allow_indirect_imports"), contract["name"]
        if contract.get("ignore_imports"):
            assert contract.get("unmatched_ignore_imports_alerting") == "error", contract["name"]
    exhaustive_layers = {
        container
        for contract in _contracts()
        if contract["type"] == "layers" and contract.get("exhaustive")
        for container in contract.get("containers", [])
    }
    assert exhaustive_layers == {"oms_core", "oms_tui"}


def test_import_linter_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("package", ["oms_tui", "oms_core"])
def test_no_import_cycles(package: str) -> None:
    """No module imports, even through others, a module that imports it back.

    The screens and the app once formed one 24-module cycle (for a styles path and ``open_*``).
    """
    graph = grimp.build_graph(package)
    cycles = sorted(
        f"{importer} -> {imported}"
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if importer in graph.find_upstream_modules(imported)
    )
    assert cycles == []


@pytest.mark.parametrize("package", ["oms_tui.screens", "oms_tui.widgets", "oms_tui.palette"])
def test_screens_widgets_and_palette_never_import_the_app(package: str) -> None:
    """They reach the running app through ``oms_tui.shell``, which the app implements."""
    graph = grimp.build_graph("oms_tui")
    chains = graph.find_shortest_chains(importer=package, imported="oms_tui.app", as_packages=True)
    assert chains == set()
