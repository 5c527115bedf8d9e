"""The knapsack family: seeded Opaque Knapsack instances played by CodeAct in two regimes."""

from __future__ import annotations

from pathlib import Path

from ptp.tasks._family import Family, Param
from ptp.tasks._fixtures import TaskFileError

from ._config import difficulties
from ._env import KnapsackEnv
from ._episode import CAPS, SOLVERS
from ._expert import knapsack_expert
from ._score import score
from ._task import KnapsackTask

__all__ = ["FAMILY", "KnapsackDataError", "read_fixtures", "write_fixtures"]


class KnapsackDataError(TaskFileError):
    """A bad knapsack fixture file; see :class:`TaskFileError`."""


_DIFFICULTY_HELP = "knapsack: " + " or ".join(difficulties()) + " (configs/<difficulty>.json)"


def _generate(n: int, seed: int, difficulty: str) -> list[KnapsackTask]:
    from ._generator import generate_tasks  # numpy: only when generating

    return generate_tasks(n, seed, difficulty)


def _fixture_name(difficulty: str) -> str:
    return f"knapsack-{difficulty}.jsonl"


FAMILY: Family[KnapsackTask] = Family(
    name="knapsack",
    task_type=KnapsackTask,
    params=(Param("difficulty", str, tuple(difficulties()), "easy", help=_DIFFICULTY_HELP),),
    generator=_generate,
    fixture_name=_fixture_name,
    solvers=SOLVERS,
    scorer=score,
    reference=lambda task: list(task.reference.optimal_ids),
    environment=KnapsackEnv,
    prompt=lambda task: task.nl,
    caps=CAPS,
    exact_solver=None,
    # model_dump_json() lines: the shipped fixtures were written so and must stay byte-identical
    sort_keys=False,
    data_error=KnapsackDataError,
    expert=knapsack_expert,
)
"""The knapsack family (``ptp.tasks.get_family("knapsack")``)."""


def write_fixtures(
    out_dir: Path | str, n: int, seed: int, difficulty: str, *, overwrite: bool = False
) -> Path:
    """Write ``generate_tasks(n, seed, difficulty)`` to ``out_dir/knapsack-{difficulty}.jsonl``
    (one ``model_dump_json()`` a line); see :meth:`Family.write_fixtures`."""
    return FAMILY.write_fixtures(out_dir, n, seed, overwrite=overwrite, difficulty=difficulty)


def read_fixtures(path: Path | str) -> list[KnapsackTask]:
    """Read a file written by :func:`write_fixtures` (blank lines are skipped).

    Raises:
        KnapsackDataError: naming the file, line, field and fix.
    """
    return FAMILY.read_fixtures(path)
