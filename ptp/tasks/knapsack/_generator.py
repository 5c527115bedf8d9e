"""Seeded generation of Opaque Knapsack instances, following the paper's generator.

The paper's code (``sample_knapsack_instance`` in Pythonformer's knapsack task) forces item 0
into an allowed class and sets the inspect budget from the configured ranges, not from the
drawn instance; both are reproduced here. Deliberate differences: everything (sizes, allowed
classes, items, capacity) is drawn from one ``numpy.random.Generator`` seeded with ``seed``
and a rejected draw advances it (the paper reseeds per attempt and draws the allowed classes
unseeded); item ids are ``i00, i01, ...`` and the allowed classes are listed sorted; the
budget is computed in exact fractions (the paper's floats make 1.1 * 50 = 55.00000000000001,
whose ceil is 56).
"""

from __future__ import annotations

import math
import statistics
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
MIN_P_ALLOWED = 0.01  # the paper's floor on the share of allowed classes


def inspect_budget(capacity: int, cfg: DifficultyConfig, n_items: int, n_optimal: int) -> int:
    """The paper's budget: ceil(max(stat, n_optimal * 1.1)) clamped to [5, n_items].

    ``stat = capacity / mean(cfg.weight) * 1.5 / max(cfg.n_allowed / cfg.n_classes, 0.01)``
    uses the configured weight range and the configured share of allowed classes, not the
    instance's items. Computed in floats with the paper's operations in the paper's order, so
    that the budget equals the paper's code's also where float rounding shows (capacity 40
    with a mean weight of 2.5 gives 24.000000000000004, so 25; exact arithmetic would give 24).

    Args:
        capacity: the knapsack capacity.
        cfg: the difficulty config the instance was drawn from.
        n_items: the number of items in the instance.
        n_optimal: the size of the optimal item set.

    Returns:
        The number of distinct items the agent may inspect.
    """
    avg_weight = statistics.mean(cfg.weight)
    prob_valid = cfg.n_allowed / cfg.n_classes
    stat = capacity / avg_weight * 1.5 / max(prob_valid, MIN_P_ALLOWED)
    floor = n_optimal * 1.1
    return max(MIN_BUDGET, min(math.ceil(max(stat, floor)), n_items))


def generate(seed: int, difficulty: str) -> KnapsackTask:
    """One instance, identical for identical arguments.

    Item 0's class is drawn from the allowed classes, every other item's from all classes, as
    in the paper. A draw is rejected (and the generator advanced) unless at least 5 items have
    an allowed class, the optimal set has at least 3 items and no item of it is worth more than
    40% of the optimal value. Capacity = round(ratio * total weight of the allowed items), as in
    the original; ``round`` is Python's (half to even). The inspect budget is
    :func:`inspect_budget`.

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
    allowed_idx = rng.choice(cfg.n_classes, cfg.n_allowed, replace=False)
    first = allowed_idx[rng.integers(cfg.n_allowed)]  # the paper forces item 0 to be allowed
    rest = rng.integers(0, cfg.n_classes, size=n - 1)
    classes = [cfg.classes[int(k)] for k in (first, *rest)]
    allowed = sorted(cfg.classes[int(k)] for k in allowed_idx)
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
        inspect_budget=inspect_budget(capacity, cfg, n, len(optimal)),
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
