"""Small helpers shared by the benchmark scripts."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def median(values: Sequence[float]) -> float:
    """The median."""
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def report(name: str, figure: float, floor: float, unit: str, floor_name: str) -> None:
    """Print a figure beside its floor and the ratio."""
    ratio = figure / floor if floor else float("inf")
    print(f"{name}: {figure:.3f} {unit}  |  floor ({floor_name}): {floor:.3f} {unit}  |  ratio {ratio:.2f}x")
