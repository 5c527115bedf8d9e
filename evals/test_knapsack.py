"""Opaque Knapsack played by CodeAct: interpreter regime x model x difficulty, on cassettes.

Fixtures: fixtures/knapsack/ (see fixtures/README.md for the commands that wrote them).
Re-record against another model: see README.md, "Re-recording a grid".
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from ptp.models import Model
from ptp.pytest_plugin import EvalCase, EvalRun
from ptp.tasks.knapsack import KnapsackTask, play_codeact, read_fixtures

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "knapsack"
BASE_MODEL = "local:gemma-3-270m"
REGIMES = ["persistent", "reset"]

# The per-regime statistics table each suite prints (row fields or keys of the row's extra).
STATS = [
    "solved", "optimality", "capacity_utilization", "items_inspected", "steps", "tool_calls",
    "tokens", "name_errors", "replies_without_code", "block_errors", "timeouts",
]  # fmt: skip

# Cross-evaluation: students fine-tuned on traces of one regime, each run in both regimes.
# "none" is the untrained base model; add e.g. "persistent": "vllm:ptp-knapsack-persistent"
# when the training issue produces students, then record their cassettes.
STUDENTS = {"none": BASE_MODEL}


@cache
def tasks(difficulty: str) -> tuple[KnapsackTask, ...]:
    return tuple(read_fixtures(FIXTURES / f"knapsack-{difficulty}.jsonl"))


def _play(ptp_case: EvalCase, ptp_eval: EvalRun, model: Model) -> None:
    task: KnapsackTask = ptp_case.task
    with ptp_eval.recording() as trace:
        episode = play_codeact(task, model, ptp_case["regime"])
    outcome, totals = episode.outcome, trace.totals()
    ptp_eval.score(
        answer=outcome.value,
        expected=outcome.optimum,
        score=outcome.score,
        correct=outcome.solved,
        family="knapsack",
        stop_reason=episode.stop_reason,
        optimality=outcome.score,
        solved=outcome.solved,
        capacity_utilization=outcome.capacity_utilization,
        items_inspected=outcome.items_inspected,
        items_taken=outcome.items_taken,
        violations=outcome.violations,
        tokens=totals.prompt_tokens + totals.completion_tokens,
        model_spec=model.spec.spec,
        # the row's own tool_calls (counted from the trace's tool events) is the statistic
        **{k: v for k, v in episode.stats.items() if k != "tool_calls"},
    )


@pytest.mark.baseline
@pytest.mark.ptp_grid(
    suite="knapsack",
    axes={"regime": REGIMES, "difficulty": ["easy", "medium"]},
    tasks=lambda cell: tasks(cell["difficulty"])[:4],
    models=[BASE_MODEL],
    compare=[("regime", "persistent", "reset")],
    stats=STATS,
)
def test_knapsack(ptp_case, ptp_eval):
    _play(ptp_case, ptp_eval, ptp_eval.model)


@pytest.mark.baseline
@pytest.mark.ptp_grid(
    suite="knapsack-cross",
    axes={"trained_on": list(STUDENTS), "regime": REGIMES},
    tasks=lambda cell: tasks("easy")[4:],
    compare=[("regime", "persistent", "reset")],
    stats=STATS,
)
def test_knapsack_cross(ptp_case, ptp_model, ptp_eval):
    _play(ptp_case, ptp_eval, ptp_model(STUDENTS[ptp_case["trained_on"]]))
