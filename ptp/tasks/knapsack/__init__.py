"""Opaque Knapsack: a partially observable 0/1 knapsack behind an inspect budget.

task = generate(seed=3, difficulty="easy")
env = KnapsackEnv(task); agent_solve(task.nl, env.tools()); print(score(env).score)
"""

from ._config import DifficultyConfig, difficulties, load_config
from ._env import KnapsackEnv
from ._episode import Episode, play_codeact
from ._fixtures import KnapsackDataError, read_fixtures, write_fixtures
from ._generator import generate, generate_tasks, inspect_budget
from ._score import KnapsackScore, score
from ._solver import solve_knapsack
from ._task import TOOL_NAMES, Item, KnapsackTask, Private, Public, Reference

__all__ = [
    "TOOL_NAMES",
    "DifficultyConfig",
    "Episode",
    "Item",
    "KnapsackDataError",
    "KnapsackEnv",
    "KnapsackScore",
    "KnapsackTask",
    "Private",
    "Public",
    "Reference",
    "difficulties",
    "generate",
    "generate_tasks",
    "inspect_budget",
    "load_config",
    "play_codeact",
    "read_fixtures",
    "score",
    "solve_knapsack",
    "write_fixtures",
]
