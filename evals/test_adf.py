"""Agentic dataset generation (ptp.adf) on cassettes: scenario x teacher x reviewer.

Each case is one scenario item through the whole flow (teacher run, the environment's own
judgement, validators, the reviewer's typed rubric verdict, at most one refinement round); the
row is accepted or not, with the environment's success, the rubric score, the rounds and
whether the reviewer agreed with the environment. The teachers are a family's expert policy
(``expert:<family>``: labelled, not a model) and the embedded SmolLM2; the reviewer is SmolLM2
with schema-constrained output. Fixtures: fixtures/scenarios/ (fixtures/README.md).

Re-record (the local server starts itself):

    PTP_TIMEOUT_S=600 pytest evals/test_adf.py -m baseline --record-mode=once -n 0
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from ptp.adf import AdfConfig, Flow, ModelPool, process_item
from ptp.tasks import get_family
from ptp.tasks.scenarios import templates_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"
FAMILIES = ["terminal", "telecom", "booking"]
SCENARIOS = [f"{f}/{s}" for f in FAMILIES for s in templates_of(get_family(f))]
STUDENT = "local:smollm2-135m"
TEACHERS = {"expert": "expert:{family}", "smollm2": STUDENT}
REVIEWERS = [STUDENT]
TASKS_PER_CELL = 2
FLOW = {"threshold": 0.75, "max_rounds": 1}
STATS = [
    "env_success", "first_round_success", "rubric", "rounds", "refined_accept",
    "reviewer_pass", "reviewer_agrees", "failovers",
]  # fmt: skip


@cache
def tasks(scenario: str) -> tuple:
    family, name = scenario.split("/")
    path = FIXTURES / f"{family}-{name}.jsonl"
    return tuple(get_family(family).read_fixtures(path)[:TASKS_PER_CELL])


def _model(cell: dict[str, str]) -> str:
    return TEACHERS[cell["teacher"]].replace("{family}", cell["scenario"].split("/")[0])


@pytest.mark.baseline
@pytest.mark.ptp_grid(
    suite="adf",
    axes={"scenario": SCENARIOS, "teacher": list(TEACHERS), "reviewer": REVIEWERS},
    tasks=lambda cell: tasks(cell["scenario"]),
    models=_model,
    compare=[("teacher", "expert", "smollm2")],
    stats=STATS,
    caps={"teacher=smollm2": f"at most {FLOW['max_rounds']} refinement round; L3 step limit 12"},
)
def test_adf(ptp_case, ptp_eval, ptp_model):
    task, reviewer_spec = ptp_case.task, ptp_case["reviewer"]
    reviewer = ptp_model(reviewer_spec)
    config = AdfConfig.model_validate({
        "teacher_pool": {"endpoints": [{"spec": ptp_eval.model.spec.spec}]},
        "reviewer_pool": {"endpoints": [{"spec": reviewer_spec}]},
        "review_flow": FLOW,
        "prompts": {"language": {"primary": "en", "recap": "zh"}},
        "scenarios": [{"family": task.family, "scenario": task.scenario, "n": 1}],
    })  # fmt: skip
    flow = Flow(
        config,
        ModelPool(config.teacher_pool, "teacher", lambda spec, _: ptp_eval.model),
        ModelPool(config.reviewer_pool, "reviewer", lambda spec, _: reviewer),
    )
    ptp_eval.also_calls(reviewer_spec)
    with ptp_eval.recording():
        row, _ = process_item(flow, task)
    first, last = row.rounds[0], row.rounds[-1]
    passed = last.review is not None and last.review.score >= FLOW["threshold"]
    ptp_eval.score(
        family=task.family,
        answer=row.reason or "accepted",
        expected="accepted",
        score=float(row.status == "accepted"),
        correct=row.status == "accepted",
        env_success=last.success,
        first_round_success=first.success,
        rubric=last.review.score if last.review else 0.0,
        rounds=len(row.rounds),
        refined_accept=row.status == "accepted" and len(row.rounds) > 1,
        reviewer_pass=passed,
        reviewer_agrees=passed == last.success if last.review else False,
        failovers=sum(not a["ok"] for r in row.rounds for a in r.attempts),
        discard=row.reason.split(":")[0] if row.reason else "",
    )
