"""The reasoning family: questions of eight datasets, one solver per reasoning style, no
tools; answers judged by the equivalence checker."""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path
from typing import Any

from ptp.tasks._family import Family, Param
from ptp.tools import Tool

from ._answers import score
from ._load import FIELD_FIXES, load_dataset
from ._prompts import core_prompt
from ._schema import DATASETS, ReasoningDataError, ReasoningTask
from ._solve import CAPS, SOLVERS

__all__ = ["FAMILY", "FIXTURES", "NoTools", "shipped_questions"]

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "reasoning"
"""The shipped questions (ptp's own, hand-written in each dataset's schema):
``fixtures/reasoning/<dataset>/<split>.jsonl`` in the source checkout."""
SHIPPED_SPLITS = ("test",)


class NoTools:
    """The reasoning environment: no tools; the answer is the outcome."""

    def tools(self) -> list[Tool]:
        return []

    def outcome(self, answer: Any) -> Any:
        return answer


@cache
def shipped_questions(dataset: str, split: str = "test") -> tuple[ReasoningTask, ...]:
    """The shipped questions of ``dataset`` (:data:`FIXTURES`), in file order."""
    return tuple(load_dataset(dataset, FIXTURES / dataset, split))


def _generate(n: int, seed: int, dataset: str, split: str) -> list[ReasoningTask]:
    questions = list(shipped_questions(dataset, split))
    if not 0 <= n <= len(questions):
        raise ValueError(
            f"{dataset} {split} has {len(questions)} shipped questions; ask for 0 to "
            f"{len(questions)} (or load a larger file with load_dataset)"
        )
    random.Random(seed).shuffle(questions)  # one order per seed: generate(n) prefixes n + k
    return questions[:n]


def _fixture_name(dataset: str, split: str) -> str:
    return f"reasoning-{dataset}-{split}.jsonl"


FAMILY: Family[ReasoningTask] = Family(
    name="reasoning",
    task_type=ReasoningTask,
    params=(
        Param("dataset", str, DATASETS, "gsm8k", help="reasoning: " + "/".join(DATASETS)),
        Param(
            "split",
            str,
            SHIPPED_SPLITS,
            "test",
            help="reasoning: the shipped split (" + "/".join(SHIPPED_SPLITS) + ")",
        ),
    ),
    generator=_generate,
    fixture_name=_fixture_name,
    solvers=SOLVERS,
    scorer=score,
    reference=lambda task: task.gold_answer,
    environment=lambda task: NoTools(),
    prompt=core_prompt,
    caps=CAPS,
    exact_solver="reference",
    sort_keys=True,
    data_error=ReasoningDataError,
    field_fixes=FIELD_FIXES,
)
"""The reasoning family (``ptp.tasks.get_family("reasoning")``)."""
