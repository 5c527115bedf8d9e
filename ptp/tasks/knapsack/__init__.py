"""Opaque Knapsack: a partially observable 0/1 knapsack behind an inspect budget.

task = generate(seed=3, difficulty="easy")
env = KnapsackEnv(task); agent_solve(task.nl, env.tools()); print(score(env, task).value)

The family protocol (``FAMILY``, also ``ptp.tasks.get_family("knapsack")``) is what evals use:
``FAMILY.solvers["reset"](task, model)`` then ``FAMILY.score(result.answer, task)``.
"""

from typing import Any

from ._config import DifficultyConfig, difficulties, load_config
from ._env import KnapsackEnv
from ._episode import BLOCK_TIMEOUT_S, CAPS, MAX_STEPS, PARAMS, SOLVERS, Episode, play_codeact
from ._expert import knapsack_expert
from ._family import FAMILY, KnapsackDataError, read_fixtures, write_fixtures
from ._score import score
from ._task import TOOL_NAMES, Item, KnapsackTask, Private, Public, Reference

# Generation and the exact solver need numpy; importing them on first use keeps evals that
# only read fixtures from paying for it in every worker.
_LAZY = {
    "generate": "._generator",
    "generate_tasks": "._generator",
    "inspect_budget": "._generator",
    "solve_knapsack": "._solver",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BLOCK_TIMEOUT_S",
    "CAPS",
    "FAMILY",
    "MAX_STEPS",
    "PARAMS",
    "SOLVERS",
    "TOOL_NAMES",
    "DifficultyConfig",
    "Episode",
    "Item",
    "KnapsackDataError",
    "KnapsackEnv",
    "KnapsackTask",
    "Private",
    "Public",
    "Reference",
    "difficulties",
    "generate",
    "generate_tasks",
    "inspect_budget",
    "knapsack_expert",
    "load_config",
    "play_codeact",
    "read_fixtures",
    "score",
    "solve_knapsack",
    "write_fixtures",
]
