"""Scoring the final state of an episode against the exact optimum."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from typing import Any

from ptp.results import Score
from ptp.tools import ToolError

from ._env import KnapsackEnv
from ._task import KnapsackTask

__all__ = ["score"]


def _state(answer: Any, task: KnapsackTask) -> KnapsackEnv:
    if isinstance(answer, KnapsackEnv):
        if answer.task.task_id != task.task_id:
            raise ValueError(
                f"the episode played {answer.task.task_id}, not {task.task_id}; score each "
                "episode against its own task"
            )
        return answer
    # item ids (or a finish() summary): replay the takes on a fresh episode, so a refused
    # take counts as a violation exactly as it would have in play
    taken = answer.get("taken", []) if isinstance(answer, Mapping) else answer or []
    env = KnapsackEnv(task)
    for item_id in taken:
        with suppress(ToolError):
            env.take_item(item_id)
    return env


def score(answer: Any, task: KnapsackTask) -> Score:
    """How good the taken set is: value / optimum in [0, 1]; right when it is optimal.

    Args:
        answer: the episode's final state (a :class:`KnapsackEnv`, finished or not), or the
            ids of the items taken (a list, or ``finish()``'s summary with ``"taken"``).
        task: the task; its reference holds the optimum.

    Returns:
        ``Score`` with ``answer`` the value taken, ``expected`` the optimum and ``metadata``
        optimality, solved, capacity_utilization, items_inspected, items_taken, violations.
    """
    env = _state(answer, task)
    optimum = task.reference.optimal_value
    value = env.total_value / optimum if optimum else 1.0
    solved = env.total_value == optimum
    return Score(
        value=value,
        correct=solved,
        answer=env.total_value,
        expected=optimum,
        metadata={
            "optimality": value,
            "solved": solved,
            "capacity_utilization": env.total_weight / env.capacity if env.capacity else 0.0,
            "items_inspected": len(env.inspected),
            "items_taken": len(env.taken),
            "violations": env.violations,
        },
    )
