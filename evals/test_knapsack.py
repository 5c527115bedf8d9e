"""Opaque Knapsack played by CodeAct: interpreter regime x model x difficulty, on cassettes.

Fixtures: fixtures/knapsack/ (see fixtures/README.md for the commands that wrote them).
Re-record against another model: see README.md, "Re-recording a grid".
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

from ptp.tasks import get_family

KNAPSACK = get_family("knapsack")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "knapsack"
# The models whose episodes are recorded (cassettes/README.md); PTP_KNAPSACK_MODELS adds
# others (comma-separated specs) for recording them (scripts/record_grids.sh).
MODELS = [
    "local:gemma-3-270m",
    "local:smollm2-135m",
    *filter(None, os.environ.get("PTP_KNAPSACK_MODELS", "").split(",")),
]
REGIMES = list(KNAPSACK.solvers)  # "persistent", "reset"
CAPS = {f"regime={regime}": cap for regime, cap in KNAPSACK.caps.items()}

# The per-regime statistics table each suite prints (row fields or keys of the row's extra).
STATS = [
    "solved", "optimality", "capacity_utilization", "items_inspected", "steps", "tool_calls",
    "tokens", "name_errors", "replies_without_code", "block_errors", "timeouts",
]  # fmt: skip

# Cross-evaluation: students fine-tuned on expert episodes of one interpreter regime
# (training/knapsack_student.py), each run in both regimes; "none" is their untrained base,
# "routed" both students behind their router (training/knapsack_router.py), which picks one
# per episode from the prompt.
STUDENT_BASE = "local:smollm2-135m"
STUDENTS = {
    "none": STUDENT_BASE,
    **{regime: f"{STUDENT_BASE}+knapsack-{regime}" for regime in REGIMES},
    "routed": f"{STUDENT_BASE}+knapsack-routed",
}


# The first N tasks of each fixture file (medium's holds 5); the cross grid uses easy 4-11.
TASKS_PER_CELL = 8


@cache
def tasks(difficulty: str) -> tuple:
    return tuple(KNAPSACK.read_fixtures(FIXTURES / KNAPSACK.fixture_name(difficulty=difficulty)))


def _play(ptp_case, ptp_eval) -> None:
    task = ptp_case.task
    with ptp_eval.recording() as trace:
        result = KNAPSACK.solvers[ptp_case["regime"]](task, ptp_eval.model)
    totals = trace.totals()
    verdict = KNAPSACK.score(result.answer, task)  # its metadata (optimality, ...) joins the row
    extra = result.row_extra()
    # the row's own tool_calls (counted from the trace's tool events) is the statistic
    extra.pop("tool_calls", None)
    ptp_eval.score(
        verdict,
        family=KNAPSACK.name,
        tokens=totals.prompt_tokens + totals.completion_tokens,
        model_spec=ptp_eval.model.spec.spec,
        **extra,
    )


@pytest.mark.baseline
@pytest.mark.ptp_grid(
    suite="knapsack",
    axes={"regime": REGIMES, "difficulty": ["easy", "medium"]},
    tasks=lambda cell: tasks(cell["difficulty"])[:TASKS_PER_CELL],
    models=MODELS,
    compare=[("regime", "persistent", "reset")],
    stats=STATS,
    caps=CAPS,
)
def test_knapsack(ptp_case, ptp_eval):
    _play(ptp_case, ptp_eval)


@pytest.mark.baseline
@pytest.mark.ptp_grid(
    suite="knapsack-cross",
    axes={"trained_on": list(STUDENTS), "regime": REGIMES},
    tasks=lambda cell: tasks("easy")[4:12],
    # the grid fixes each cell's model (the student trained on that regime): --ptp-model
    # does not override it, and ptp_eval.model is that student
    models=lambda cell: STUDENTS[cell["trained_on"]],
    compare=[
        ("regime", "persistent", "reset"),
        ("trained_on", "persistent", "reset"),
        ("trained_on", "routed", "persistent"),
        ("trained_on", "routed", "reset"),
    ],
    stats=STATS,
    caps=CAPS,
)
def test_knapsack_cross(ptp_case, ptp_eval):
    _play(ptp_case, ptp_eval)
