"""Scoring an episode against the exact optimum."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ._env import KnapsackEnv


class KnapsackScore(BaseModel):
    """How good the taken set is; ``score`` is value / optimum in [0, 1]."""

    model_config = ConfigDict(frozen=True)

    value: int
    optimum: int
    score: float
    solved: bool
    capacity_utilization: float
    items_inspected: int
    items_taken: int
    violations: int


def score(env: KnapsackEnv) -> KnapsackScore:
    """Score the current state of an episode (finished or not).

    Args:
        env: the environment the agent acted on.

    Returns:
        The score; ``solved`` means the taken value equals the optimum.
    """
    optimum = env.task.reference.optimal_value
    return KnapsackScore(
        value=env.total_value,
        optimum=optimum,
        score=env.total_value / optimum if optimum else 1.0,
        solved=env.total_value == optimum,
        capacity_utilization=env.total_weight / env.capacity if env.capacity else 0.0,
        items_inspected=len(env.inspected),
        items_taken=len(env.taken),
        violations=env.violations,
    )
