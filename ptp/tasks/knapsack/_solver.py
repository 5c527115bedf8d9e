"""Exact 0/1 knapsack by dynamic programming, vectorized over capacity with numpy."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def solve_knapsack(
    weights: Sequence[int], values: Sequence[int], capacity: int
) -> tuple[int, list[int]]:
    """The best total value within ``capacity`` and one item set reaching it.

    Args:
        weights: positive integer weights.
        values: non-negative integer values, one per weight.
        capacity: the weight limit (>= 0).

    Returns:
        (optimal value, sorted indices of one optimal item set).
    """
    if len(weights) != len(values):
        raise ValueError(f"{len(weights)} weights but {len(values)} values")
    if capacity < 0 or any(w <= 0 for w in weights):
        raise ValueError("capacity must be >= 0 and every weight > 0")
    best = np.zeros(capacity + 1, dtype=np.int64)  # best[c]: optimum of the items so far at c
    took = np.zeros((len(weights), capacity + 1), dtype=bool)
    for i, (w, v) in enumerate(zip(weights, values, strict=True)):
        if w > capacity:
            continue
        with_item = best[: capacity + 1 - w] + v  # a new array: reads the previous row only
        better = with_item > best[w:]
        took[i, w:] = better
        best[w:] = np.where(better, with_item, best[w:])
    chosen, c = [], capacity
    for i in range(len(weights) - 1, -1, -1):
        if took[i, c]:
            chosen.append(i)
            c -= weights[i]
    return int(best[capacity]), sorted(chosen)
