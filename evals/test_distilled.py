"""Distilled workflows (marker ``distill``): a teacher's L3 traces -> an L1 workflow module
(workflows/), its source snapshot-tested, its logic checked with exact ptools on training and
held-out tasks, and a grid that pairs it with L1 and L3 on the airline grid's tasks.

The L1 and L3 cells replay the airline grid's own cassettes (same case ids); the distilled
cells have theirs in cassettes/test_distilled/. Record them with
``pytest evals/test_distilled.py --record-mode=once -n 0 -k "test_distilled and distilled-0"``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from test_airline import MODELS, RECORDED, STATS, TASKS_PER_CELL, problems

from ptp.distill import check_exact, load_workflow, run_teacher
from ptp.distill._validate import leaks, worked_example_texts
from ptp.tasks import get_family
from ptp.tasks.airline._expert import trip_route
from workflows.shipped import HERE, SHIPPED, distilled, episodes

AIRLINE = get_family("airline")
ROOT = Path(__file__).resolve().parents[1]
SHIPPED_AIRLINE = "airline_expert.py"
# The distilled cells recorded so far, complexity -> styles (cassettes/README.md).
RECORDED_DISTILLED: dict[str, tuple[str, ...]] = {"0": ("template", "paraphrase")}
# Tasks per distilled cell: the first N of the airline grid's fixture (L1 and L3 are paired on
# the same N).
DISTILLED_TASKS = {("0", style): TASKS_PER_CELL["0"] for style in ("template", "paraphrase")}
HELD_OUT = [(c, s) for c in ("0", "1", "2") for s in ("template", "paraphrase")] + [
    ("0", "rulearena")
]


@cache
def workflow():
    return load_workflow(HERE / SHIPPED_AIRLINE)


@pytest.mark.distill
@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_workflow_is_what_its_corpus_distills_to(name, snapshot):
    source = distilled(name).source
    assert source == snapshot
    assert (HERE / name).read_text(encoding="utf-8") == source, (
        f"workflows/{name} is stale: regenerate it with python -m workflows.shipped"
    )


@pytest.mark.distill
def test_exact_ptools_reproduce_every_on_path_training_answer():
    result = distilled(SHIPPED_AIRLINE)
    tasks = SHIPPED[SHIPPED_AIRLINE].tasks()
    check = check_exact(workflow(), result.plan, AIRLINE, tasks, list(episodes(SHIPPED_AIRLINE)))
    on_path = set(result.plan.on_path)
    assert not {t: m for t, m in check.misses.items() if t in on_path}
    # off the path: the teacher moved bags to cheaper positions, which the path cannot express
    assert set(check.misses) <= set(result.plan.off_path)
    assert set(result.plan.off_path) == set(check.off_path)


@cache
def held_out_check(complexity: str, style: str):
    tasks = list(problems(complexity, style))
    teacher = run_teacher("airline", "expert:airline", tasks)
    plan = distilled(SHIPPED_AIRLINE).plan
    return tasks, check_exact(workflow(), plan, AIRLINE, tasks, teacher)


@pytest.mark.distill
@pytest.mark.parametrize(("complexity", "style"), HELD_OUT)
def test_exact_ptools_on_held_out_tasks(complexity, style, snapshot):
    """The mined logic on tasks the miner never saw (the eval fixtures, seed 2026, and the
    benchmark's own comp_0 prompts), with perfect reading: what it gets right is kept as a
    snapshot, so a change to mining shows here."""
    _, check = held_out_check(complexity, style)
    # every miss is a task where the teacher itself left the path (it moved bags to cheaper
    # positions, a rule the mined path cannot express)
    assert set(check.misses) <= set(check.off_path), check.misses
    assert {"n": check.n, "correct": check.correct, "off_path": len(check.off_path)} == snapshot


@pytest.mark.distill
def test_workflow_embeds_no_task_literal():
    """A public distillation of this benchmark reached 100% by embedding ground truth: no
    held-out answer, ticket price or city of any held-out task is written in the workflow."""
    source = (HERE / SHIPPED_AIRLINE).read_text(encoding="utf-8")
    literals: set[str] = set()
    for complexity, style in HELD_OUT:
        for task in problems(complexity, style):
            literals |= {str(task.answer), str(task.info.base_price), *(trip_route(task) or ())}
    assert not leaks(source, literals)


@pytest.mark.distill
def test_worked_examples_are_training_text_only():
    """The generated ptools' worked examples (left out of the literal scan above) are parts
    of training tasks as the segmenter cuts them, and of no held-out task."""

    def parts(tasks) -> set[str]:
        return {p for task in tasks for p in _flat(AIRLINE.segment(task.prompt))}

    texts = worked_example_texts((HERE / SHIPPED_AIRLINE).read_text(encoding="utf-8"))
    assert texts
    training = parts(SHIPPED[SHIPPED_AIRLINE].tasks())
    held_out = parts(task for c, s in HELD_OUT for task in problems(c, s))
    for text in texts:
        assert text in training and text not in held_out, text


def _flat(segmented: tuple[str, list[str]]) -> list[str]:
    header, items = segmented
    return [header, *items]


# -- the grid ----------------------------------------------------------------------------------
def cell_tasks(cell: dict[str, str]) -> tuple:
    level, complexity, style = cell["level"], cell["complexity"], cell["style"]
    if level == "distilled":
        recorded = RECORDED_DISTILLED.get(complexity, ())
    else:
        recorded = RECORDED.get((level, complexity), ())
    both = RECORDED_DISTILLED.get(complexity, ())  # pair only where the workflow ran
    if style not in recorded or style not in both:
        return ()
    return problems(complexity, style)[: DISTILLED_TASKS.get((complexity, style), 0)]


@pytest.fixture
def vcr_cassette_dir(request) -> str:
    """The L1 and L3 cases replay the airline grid's cassettes (their case ids are the same)."""
    callspec = getattr(request.node, "callspec", None)
    case = callspec.params.get("ptp_case") if callspec else None
    own = "test_airline" if case is not None and case["level"] != "distilled" else "test_distilled"
    return str(Path(request.config.rootpath) / "cassettes" / own)


@pytest.mark.distill
@pytest.mark.baseline
@pytest.mark.ptp_grid(
    suite="airline-distilled",
    axes={
        "level": ["L1", "L3", "distilled"],
        "complexity": ["0", "1", "2"],
        "style": ["template", "paraphrase", "rulearena"],
    },
    tasks=cell_tasks,
    models=MODELS,
    compare=[("level", "L3", "distilled"), ("level", "L1", "distilled")],
    stats=[*STATS, "fallback_needed"],
    caps={
        "level=distilled": (
            "workflows/airline_expert.py (distilled from expert:airline L3 traces), its "
            "ptools run by the row's model; 1 header call + 1 call per item, re-asked once, "
            "128 tokens a reply; no fallback to the teacher (fallback_needed counts the cases "
            "that would have used it)"
        ),
        **{f"level={lv}": cap for lv, cap in AIRLINE.caps.items() if lv in ("L1", "L3")},
    },
)
def test_distilled(ptp_case, ptp_eval, snapshot):
    problem, level = ptp_case.task, ptp_case["level"]
    with ptp_eval.recording():
        if level == "distilled":
            result = workflow().WORKFLOW.solve(problem, ptp_eval.model)
        else:
            result = AIRLINE.solvers[level](problem, ptp_eval.model)
    verdict = AIRLINE.score(result.answer, problem)
    ptp_eval.score(verdict, family=AIRLINE.name, workflow="expert:airline", **result.row_extra())
    if level == "distilled":
        assert {"answer": result.answer, "stop_reason": result.stop_reason} == snapshot
