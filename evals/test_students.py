"""Students (marker ``baseline``): the airline extraction student
(``local:smollm2-135m+airline-extract``, SmolLM2-135M-Instruct with a LoRA adapter trained by
``python -m training.airline_student`` on expert-policy L1 traces, i.e. the generator's facts
as written) against its base model's few-shot L1, paired by task, on held-out tasks: the
grid's paraphrases (generator seed 2026; the student trained on seed 101) and the real
RuleArena level-0 prompts.

The base model's cells replay the airline grid's own cassettes (same case ids); the student's
cells have theirs in cassettes/test_students/. Record them (the adapter must be in
ptp/models/adapters/) with
``pytest evals/test_students.py --record-mode=once -n 0 -k airline-extract``.
``test_gemma_student`` is the same grid for Gemma 3 270M and its student
(``local:gemma-3-270m+airline-extract``, ``--base local:gemma-3-270m``).

The distilled workflow's student (``local:smollm2-135m+airline-distilled``, trained by
``python -m training.distilled_student`` on workflows/airline_expert.py's own ptool calls,
answered with the expert teacher's readings) runs that workflow's ptools; suite
``airline-distilled-student`` pairs it, task by task, with its base model's L1, L3 and
distilled cells, which replay those grids' cassettes. Record the student's cells with
``pytest evals/test_students.py --record-mode=once -n 0 -k distilled-student``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from test_airline import STATS, TASKS_PER_CELL, problems
from test_distilled import workflow

from ptp.tasks import get_family

AIRLINE = get_family("airline")
BASE, STUDENT = "local:smollm2-135m", "local:smollm2-135m+airline-extract"
GEMMA, GEMMA_STUDENT = "local:gemma-3-270m", "local:gemma-3-270m+airline-extract"
BASES = (BASE, GEMMA)  # their L1 cells replay the airline grid's cassettes
DISTILLED_STUDENT = "local:smollm2-135m+airline-distilled"
# Who runs each solver of the distilled-student grid: the base model, except the student's.
SOLVERS = {"L1": BASE, "L3": BASE, "distilled": BASE, "distilled-student": DISTILLED_STUDENT}
STYLES = ["paraphrase", "rulearena"]
# The student cells recorded so far (cassettes/README.md); a style not listed collects nothing.
RECORDED: tuple[str, ...] = ("paraphrase", "rulearena")
GEMMA_RECORDED: tuple[str, ...] = ("paraphrase", "rulearena")
DISTILLED_RECORDED: tuple[str, ...] = ("template", "paraphrase")


def recorded_tasks(recorded: tuple[str, ...]) -> Callable[[dict[str, str]], tuple]:
    """The grid's tasks: the held-out level-0 problems of the recorded styles."""

    def cell_tasks(cell: dict[str, str]) -> tuple:
        if cell["style"] not in recorded:
            return ()
        return problems("0", cell["style"])[: TASKS_PER_CELL["0"]]

    return cell_tasks


def _case(request):
    callspec = getattr(request.node, "callspec", None)
    return callspec.params.get("ptp_case") if callspec else None


def _base_cell(case) -> str | None:
    """The grid whose cassettes a base-model case replays (test_airline, test_distilled)."""
    if case is None or case.model not in BASES:
        return None
    level = case.axes.get("solver", case.axes.get("level"))
    return "test_distilled" if level == "distilled" else "test_airline"


@pytest.fixture
def vcr_cassette_dir(request) -> str:
    """The base model's cases replay the airline and distilled grids' cassettes."""
    return str(Path(request.config.rootpath) / "cassettes" /
               (_base_cell(_case(request)) or "test_students"))  # fmt: skip


@pytest.fixture
def default_cassette_name(request) -> str:
    """A base-model case of the distilled-student grid replays the cassette its own grid
    recorded (that grid's case id names the model; this grid's does not)."""
    case = _case(request)
    if case is None or "solver" not in case.axes or _base_cell(case) is None:
        return request.node.get_closest_marker("default_cassette").args[0]
    model = BASE.removeprefix("local:")
    return f"{case['solver']}-{case['complexity']}-{case['style']}-{model}-{case.task_id}.yaml"


def student_grid(suite: str, base: str, student: str, recorded: tuple[str, ...]):
    """The grid of one extraction student against its base model's few-shot L1."""
    return pytest.mark.ptp_grid(
        suite=suite,
        axes={"level": ["L1"], "complexity": ["0"], "style": STYLES},
        tasks=recorded_tasks(recorded),
        models=[base, student],
        compare=[("model", base, student)],
        stats=STATS,
        caps={"level=L1": AIRLINE.caps["L1"]},
    )


def run_l1(ptp_case, ptp_eval) -> None:
    problem = ptp_case.task
    with ptp_eval.recording():
        result = AIRLINE.solvers["L1"](problem, ptp_eval.model)
    verdict = AIRLINE.score(result.answer, problem)
    ptp_eval.score(verdict, family=AIRLINE.name, **result.row_extra())


@pytest.mark.baseline
@student_grid("airline-student", BASE, STUDENT, RECORDED)
def test_students(ptp_case, ptp_eval):
    run_l1(ptp_case, ptp_eval)


@pytest.mark.baseline
@student_grid("airline-student-gemma", GEMMA, GEMMA_STUDENT, GEMMA_RECORDED)
def test_gemma_student(ptp_case, ptp_eval):
    run_l1(ptp_case, ptp_eval)


@pytest.mark.baseline
@pytest.mark.distill
@pytest.mark.ptp_grid(
    suite="airline-distilled-student",
    axes={"solver": list(SOLVERS), "complexity": ["0"], "style": ["template", "paraphrase"]},
    tasks=recorded_tasks(DISTILLED_RECORDED),
    models=lambda cell: SOLVERS[cell["solver"]],
    compare=[
        ("solver", "L3", "distilled-student"),
        ("solver", "L1", "distilled-student"),
        ("solver", "distilled", "distilled-student"),
    ],
    stats=[*STATS, "fallback_needed"],
    caps={
        "solver=distilled-student": "workflows/airline_expert.py, its ptools run by the "
        "student; 1 header call + 1 call per item, re-asked once, 128 tokens a reply; no "
        "fallback to the teacher",
        **{f"solver={lv}": AIRLINE.caps[lv] for lv in ("L1", "L3")},
    },
)
def test_distilled_student(ptp_case, ptp_eval):
    problem, solver = ptp_case.task, ptp_case["solver"]
    with ptp_eval.recording():
        if solver.startswith("distilled"):
            result = workflow().WORKFLOW.solve(problem, ptp_eval.model)
        else:
            result = AIRLINE.solvers[solver](problem, ptp_eval.model)
    verdict = AIRLINE.score(result.answer, problem)
    ptp_eval.score(verdict, family=AIRLINE.name, workflow="expert:airline", **result.row_extra())
