"""The screens ask the read models and the domain; they hold no copy of a business rule.

Read by the code's syntax tree: a comparison of a status with a literal string (or with a tuple of
them), or a hand-written list of an enum's statuses, is a rule that will drift from the domain's.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from oms_core.domain.batches import BatchStatus, MemberStatus
from oms_core.domain.customers import CustomerStatus
from oms_core.domain.orders import OrderStatus

TUI = Path(__file__).resolve().parents[2] / "oms_tui"
SCREENS_AND_WIDGETS = sorted([*TUI.glob("screens/*.py"), *TUI.glob("widgets/*.py"), TUI / "palette.py"])
STATUS_ENUMS = (OrderStatus, CustomerStatus, BatchStatus, MemberStatus)


def _strings(node: ast.AST) -> list[str]:
    """The string constants of a literal tuple/list/set (pairs included), else []."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [text for element in node.elts for text in _strings(element)]
    return []


def _mentions_status(node: ast.AST) -> bool:
    return any(
        (isinstance(part, ast.Attribute) and "status" in part.attr)
        or (isinstance(part, ast.Name) and "status" in part.id.lower())
        for part in ast.walk(node)
    )


def _module_literals(tree: ast.Module) -> dict[str, list[str]]:
    """Module-level names bound to literal tuples of strings."""
    literals: dict[str, list[str]] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name) and (strings := _strings(statement.value)):
                literals[target.id] = strings
    return literals


@pytest.mark.parametrize("path", SCREENS_AND_WIDGETS, ids=lambda path: path.name)
def test_no_status_is_compared_with_a_string(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    literals = _module_literals(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare) or not _mentions_status(node.left):
            continue
        for other in node.comparators:
            if _strings(other) or (isinstance(other, ast.Name) and other.id in literals):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    assert found == [], "ask the read model (can_cancel, may_order, never_run...) instead"


@pytest.mark.parametrize("path", SCREENS_AND_WIDGETS, ids=lambda path: path.name)
def test_no_list_of_statuses_is_written_by_hand(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        strings = set(_strings(node)) if isinstance(node, ast.Tuple | ast.List | ast.Set) else set()
        for enum in STATUS_ENUMS:
            copied = strings & {status.value for status in enum}
            if len(copied) >= 2:
                found.append(f"line {node.lineno}: {enum.__name__} {sorted(copied)}")
    assert found == [], "build it from the domain's enum"
