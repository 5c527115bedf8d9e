"""Seeded generation of Opaque Knapsack instances.

Everything (sizes, items, classes, allowed classes, capacity) is drawn from one
``numpy.random.Generator`` seeded with ``seed``; a rejected draw advances the same generator,
so a seed always yields the same instance. (The original drew the allowed classes unseeded.)
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ._config import DifficultyConfig, load_config
from ._solver import solve_knapsack
from ._task import TOOL_NAMES, Item, KnapsackTask, Private, Public, Reference, statement

MAX_ATTEMPTS = 1000
MIN_ALLOWED_ITEMS = 5
MIN_OPTIMAL_ITEMS = 3
MAX_ITEM_SHARE = Fraction(2, 5)  # of the optimal value, for any item of the optimal set
MIN_BUDGET = 5


def inspect_budget(capacity: int, weights: list[int], n_allowed_items: int, n_optimal: int) -> int:
    """ceil(max(1.5 * capacity / mean_weight / p_valid, 1.1 * n_optimal)) in [5, n_items].

    ``mean_weight`` is the mean weight of all items, ``p_valid`` the fraction of items whose
    class is allowed. Computed in exact fractions so that 1.1 * 50 is 55, not float's
    55.00000000000001.

    Args:
        capacity: the knapsack capacity.
        weights: the weights of all items.
        n_allowed_items: how many items have an allowed class.
        n_optimal: the size of the optimal item set.

    Returns:
        The number of distinct items the agent may inspect.
    """
    n = len(weights)
    mean_weight = Fraction(sum(weights), n)
    p_valid = Fraction(n_allowed_items, n)
    raw = max(Fraction(3, 2) * capacity / mean_weight / p_valid, Fraction(11, 10) * n_optimal)
    return max(MIN_BUDGET, min(math.ceil(raw), n))


def generate(seed: int, difficulty: str) -> KnapsackTask:
    """One instance, identical for identical arguments.

    A draw is rejected (and the generator advanced) unless at least 5 items have an allowed
    class, the optimal set has at least 3 items and no item of it is worth more than 40% of
    the optimal value. Capacity = round(ratio * total weight of the allowed items), as in the
    original; ``round`` is Python's (half to even).

    Args:
        seed: a non-negative integer.
        difficulty: a config name ("easy", "medium").

    Returns:
        The task with public, private and reference parts and its statement.
    """
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    cfg = load_config(difficulty)
    rng = np.random.default_rng(seed)
    for _ in range(MAX_ATTEMPTS):
        task = _draw(rng, cfg, seed, difficulty)
        if task is not None:
            return task
    raise RuntimeError(
        f"no acceptable knapsack instance for seed={seed}, difficulty={difficulty!r} in "
        f"{MAX_ATTEMPTS} draws; widen the ranges in configs/{difficulty}.json"
    )


def _draw(
    rng: np.random.Generator, cfg: DifficultyConfig, seed: int, difficulty: str
) -> KnapsackTask | None:
    n = int(rng.integers(cfg.n_items[0], cfg.n_items[1], endpoint=True))
    weights = [int(x) for x in rng.integers(*cfg.weight, size=n, endpoint=True)]
    values = [int(x) for x in rng.integers(*cfg.value, size=n, endpoint=True)]
    classes = [cfg.classes[int(k)] for k in rng.integers(0, cfg.n_classes, size=n)]
    allowed = sorted(cfg.classes[int(k)] for k in rng.choice(cfg.n_classes, cfg.n_allowed, False))
    ratio = float(rng.uniform(*cfg.capacity_ratio))
    pool = [i for i in range(n) if classes[i] in allowed]
    if len(pool) < MIN_ALLOWED_ITEMS:
        return None
    capacity = round(ratio * sum(weights[i] for i in pool))
    best, picked = solve_knapsack([weights[i] for i in pool], [values[i] for i in pool], capacity)
    optimal = [pool[j] for j in picked]
    if len(optimal) < MIN_OPTIMAL_ITEMS:
        return None
    if max(values[i] for i in optimal) > MAX_ITEM_SHARE * best:
        return None
    width = max(2, len(str(n - 1)))
    ids = [f"i{i:0{width}d}" for i in range(n)]
    public = Public(
        n_items=n,
        capacity=capacity,
        allowed_classes=allowed,
        inspect_budget=inspect_budget(capacity, weights, len(pool), len(optimal)),
        item_ids=ids,
    )
    items = [Item(id=ids[i], weight=weights[i], value=values[i], cls=classes[i]) for i in range(n)]
    return KnapsackTask(
        task_id=f"knap-{difficulty}-s{seed}",
        seed=seed,
        difficulty=difficulty,
        tools=list(TOOL_NAMES),
        public=public,
        private=Private(items=items),
        reference=Reference(
            optimal_value=best,
            optimal_weight=sum(weights[i] for i in optimal),
            optimal_ids=sorted(ids[i] for i in optimal),
        ),
        nl=statement(public),
    )


def generate_tasks(n: int, seed: int, difficulty: str) -> list[KnapsackTask]:
    """``n`` instances with seeds ``seed * 1000 + i`` (i < n <= 1000, so they never repeat).

    Args:
        n: how many instances (at most 1000).
        seed: the base seed (>= 0).
        difficulty: a config name.

    Returns:
        The tasks, in seed order.
    """
    if not 0 <= n <= 1000:
        raise ValueError(f"n must be in [0, 1000] so that derived seeds stay distinct, got {n}")
    return [generate(seed * 1000 + i, difficulty) for i in range(n)]
