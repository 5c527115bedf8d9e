"""One scenario item through the flow: teacher run (pool, failover) -> environment judgement
-> validators -> reviewer (pool) -> refinement rounds -> accepted or discarded, with reasons."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from ptp.data import ChatExample, examples_from_trace
from ptp.ptool import PToolError
from ptp.tasks import get_family
from ptp.tasks.scenarios import ScenarioEnv, ScenarioTask, run_episode
from ptp.trace import Trace

from ._config import AdfConfig
from ._pool import ModelPool, PoolExhaustedError, Refusal, is_refusal
from ._prompt import build_context
from ._review import Review, run_review
from ._trace import ScenarioTrace, normalize, render_transcript
from ._validate import validate

__all__ = ["Flow", "ItemRow", "RoundRecord", "example_of", "process_item"]


class RoundRecord(BaseModel):
    """One teacher run and its judgements."""

    round: int
    kind: str  # "first", "refine" (reviewer feedback), "reflect" (the teacher's own review)
    teacher: str = ""
    attempts: list[dict[str, Any]] = Field(default_factory=list)
    error: str = ""
    stop_reason: str = ""
    steps: int = 0
    tokens: int = 0
    cost_usd: float | None = 0.0
    success: bool = False
    checks: dict[str, bool] = Field(default_factory=dict)
    problems: dict[str, list[str]] = Field(default_factory=dict)
    reviewer: str = ""
    review: Review | None = None
    self_review: Review | None = None
    review_error: str = ""
    review_tokens: int = 0
    review_cost_usd: float | None = 0.0
    trace: ScenarioTrace | None = None

    @property
    def passed_validators(self) -> bool:
        return not any(self.problems.values())


class ItemRow(BaseModel):
    """What happened to one item: every round, and accepted or why not."""

    task_id: str
    family: str
    scenario: str
    difficulty: str
    capabilities: list[str]
    status: str  # "accepted" | "discarded"
    reason: str = ""
    rounds: list[RoundRecord]
    accepted_round: int | None = None
    teacher: str = ""
    trace_file: str = ""
    wall_s: float = 0.0

    @property
    def tokens(self) -> int:
        return sum(r.tokens + r.review_tokens for r in self.rounds)


@dataclass
class Flow:
    """What every item of a run shares: the configuration and the two pools."""

    config: AdfConfig
    teachers: ModelPool[Any]
    reviewers: ModelPool[Any]


def _tokens(trace: Trace) -> tuple[int, float | None]:
    totals = trace.totals()
    return totals.prompt_tokens + totals.completion_tokens, totals.cost_usd


def _teacher_run(
    flow: Flow, task: ScenarioTask, number: int, kind: str, feedback: str | None
) -> tuple[RoundRecord, Trace | None, ScenarioEnv | None]:
    family = get_family(task.family)
    record = RoundRecord(round=number, kind=kind)
    holder: dict[str, Any] = {}

    def work(model: Any) -> Any:
        env = family.environment(task)
        context = build_context(env, flow.config.prompts, feedback)
        result = run_episode(env, model, instructions=context.system, user=context.user)
        if result.stop_reason == "model_error":
            raise Refusal(f"the run ended on a model error: {result.error}")
        refused = isinstance(result.answer, str) and is_refusal(result.answer)
        if refused and not env.outcome(result.answer).correct:  # declining can be the task
            raise Refusal(f"the teacher refused: {result.answer[:120]!r}")
        holder["env"] = env
        return result

    try:
        spec, result, trace, attempts = flow.teachers.run(
            f"{task.task_id}#{number}", task, task.family, work
        )
    except PoolExhaustedError as err:
        record.error = str(err)[:500]
        record.attempts = [vars(a) for a in err.attempts]
        record.tokens = sum(a.tokens for a in err.attempts)
        return record, None, None
    env: ScenarioEnv = holder["env"]
    outcome = env.outcome(result.answer)
    normalized = normalize(result.messages, result.answer, result.stop_reason)
    record.teacher, record.attempts = spec, [vars(a) for a in attempts]
    record.stop_reason, record.steps = result.stop_reason, result.steps
    costs = [a.cost_usd for a in attempts]  # failed attempts spent tokens too
    record.tokens = sum(a.tokens for a in attempts)
    record.cost_usd = None if None in costs else sum(c or 0.0 for c in costs)
    record.success = outcome.correct
    record.checks = {k[6:]: v for k, v in outcome.metadata.items() if k.startswith("check_")}
    template = env.template
    record.problems = validate(
        normalized, env.tools(), task.expected.get("secrets", []), flow.config.prompts.language,
        allowed=[template.goal, *template.assumptions],
    )  # fmt: skip
    record.trace = normalized
    return record, trace, env


def _review(
    flow: Flow, pool: ModelPool[Any], task: ScenarioTask, env: ScenarioEnv, record: RoundRecord
) -> None:
    assert record.trace is not None
    transcript = render_transcript(record.trace)

    def work(model: Any) -> Review:
        try:
            return run_review(env.template, transcript, model)
        except PToolError as err:  # a reply that never matched the verdict: next reviewer
            raise Refusal(f"no usable verdict: {err}") from err

    try:
        spec, review, trace, _ = pool.run(f"{task.task_id}#{record.round}", task, task.family, work)
    except PoolExhaustedError as err:
        record.review_error = str(err)[:500]
        return
    record.reviewer, record.review = spec, review
    tokens, cost = _tokens(trace)
    record.review_tokens += tokens
    if record.review_cost_usd is not None:
        record.review_cost_usd = None if cost is None else record.review_cost_usd + cost


def _feedback(record: RoundRecord, review: Review | None) -> str:
    """What the next round is told: the review's feedback and the validators' problems."""
    parts = [review.feedback] if review and review.feedback else []
    unmet = [n for n, met in (review.criteria if review else {}).items() if not met]
    if unmet:
        parts.append("Criteria not met: " + ", ".join(unmet) + ".")
    for name in ("schema", "tool_calls", "language", "leakage"):
        parts += [f"{name}: {p}" for p in record.problems.get(name, [])]
    return " ".join(parts) or "The run did not complete the request."


def _verdict(flow: Flow, record: RoundRecord) -> str:
    """Why a round is not accepted ("" when it is)."""
    if record.error:
        return f"teacher: {record.error}"
    for name, problems in record.problems.items():
        if problems:
            return f"{name}: {problems[0]}"
    failed = [name for name, ok in record.checks.items() if not ok]
    if not record.success:
        return "environment: check failed: " + ", ".join(failed or ["(no checks)"])
    if record.review is None:
        return f"reviewer: no verdict ({record.review_error or 'no reviewer answered'})"
    threshold = flow.config.review_flow.threshold
    if record.review.score < threshold:
        return f"reviewer: score {record.review.score:.2f} < threshold {threshold:.2f}"
    return ""


def process_item(flow: Flow, task: ScenarioTask) -> tuple[ItemRow, Trace | None]:
    """Run one item to acceptance or discard. Returns its row and, when accepted, the trace of
    the accepted teacher run (its LLM calls become the training example)."""
    started = time.perf_counter()
    template = get_family(task.family).environment(task).template
    rounds: list[RoundRecord] = []
    feedback: str | None = None
    kind, reason, accepted = "first", "", None
    review_flow = flow.config.review_flow
    for number in range(1, review_flow.max_rounds + 2):
        record, trace, env = _teacher_run(flow, task, number, kind, feedback)
        rounds.append(record)
        if env is not None and review_flow.self_reflection and kind == "first":
            _review(flow, flow.teachers, task, env, record)  # the teacher reviews itself
            own, record.review = record.review, None
            record.self_review, record.review_error = own, ""
            if own and own.score < review_flow.threshold and number <= review_flow.max_rounds:
                kind, feedback = "reflect", _feedback(record, own)
                continue
        if env is not None:
            _review(flow, flow.reviewers, task, env, record)
        reason = _verdict(flow, record)
        if not reason:
            accepted = trace
            break
        if record.error:  # every teacher failed: a refinement would fail the same way
            break
        kind, feedback = "refine", _feedback(record, record.review)
    row = ItemRow(
        task_id=task.task_id, family=task.family, scenario=task.scenario,
        difficulty=task.difficulty, capabilities=list(template.capabilities),
        status="accepted" if accepted is not None else "discarded", reason=reason,
        rounds=rounds, accepted_round=rounds[-1].round if accepted is not None else None,
        teacher=rounds[-1].teacher, wall_s=time.perf_counter() - started,
    )  # fmt: skip
    return row, accepted


def example_of(row: ItemRow, trace: Trace, meta: dict[str, Any]) -> ChatExample | None:
    """The accepted teacher conversation as a training example (None when the trace holds
    no chat call, which an accepted run always has)."""
    examples, _ = examples_from_trace(
        trace.model_dump(mode="json"),
        {"family": row.family, "task_id": row.task_id, "teacher": row.teacher, "level": "L3",
         "scenario": row.scenario, "trace": row.trace_file, "score": 1.0, **meta},
    )  # fmt: skip
    return examples[0] if examples else None
