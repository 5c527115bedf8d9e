"""``ptp_eval``: what an eval case uses to run its solver and report its score."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ptp.models import Model
from ptp.pytest_plugin._grid import EvalCase
from ptp.results import EvalRecord
from ptp.trace import Trace, recorder, to_jsonable

_COMMON_AXES = ("level", "model", "regime", "difficulty")


class EvalRun:
    """One eval case in progress.

    def test_x(ptp_case, ptp_eval):
        with ptp_eval.recording():
            answer = solve(ptp_case.task, ptp_eval.model)
        ptp_eval.score(answer=answer, expected=..., score=1.0, correct=True)
    """

    def __init__(self, case: EvalCase, model: Model | None, results_dir: Path, module: str) -> None:
        self.case = case
        self.model = model
        self.trace: Trace | None = None
        self.results_dir = results_dir
        self.trace_ref = f"traces/{module}/{case.case_id}.json"  # relative to results_dir
        self.family = ""
        self.answer: Any = None
        self.expected: Any = None
        self.value: float | None = None
        self.correct = False
        self.extra: dict[str, Any] = {}
        self.started = time.perf_counter()

    @contextmanager
    def recording(self, **meta: Any) -> Iterator[Trace]:
        """Record the solver's trace; it is saved beside the results and summed into the row."""
        with recorder(case=self.case.case_id, **self.case.axes, **meta) as trace:
            self.trace = trace
            yield trace

    def score(
        self,
        *,
        answer: Any,
        expected: Any,
        score: float,
        correct: bool,
        family: str = "",
        **extra: Any,
    ) -> None:
        """Report the outcome. A wrong answer is a score, never a failed test."""
        if not 0.0 <= score <= 1.0:
            raise ValueError(f"score must be in [0, 1], got {score!r}")
        shadowed = sorted(set(extra) & set(EvalRecord.model_fields))
        if shadowed:
            raise ValueError(
                f"ptp_eval.score(): {shadowed} are fields of the result row itself (the row's "
                "value would win in reports); pass them under another name"
            )
        self.answer, self.expected = to_jsonable(answer), to_jsonable(expected)
        self.value, self.correct, self.family = float(score), bool(correct), family
        self.extra.update(to_jsonable(extra))

    def to_record(self, error: str | None) -> EvalRecord:
        """The row for this case; ``error`` is the harness error, if any."""
        if error is None and self.value is None:
            error = "the eval never called ptp_eval.score(...)"
        totals = self.trace.totals() if self.trace is not None else None
        trace_ref = None
        if self.trace is not None:
            self.trace.save(self.results_dir / self.trace_ref)
            trace_ref = self.trace_ref
        axes = dict(self.case.axes)
        return EvalRecord(
            case_id=self.case.case_id,
            suite=self.case.suite,
            family=self.family,
            task_id=self.case.task_id,
            axes=axes,
            epoch=self.case.epoch,
            seed=self.case.seed,
            answer=self.answer,
            expected=self.expected,
            score=0.0 if error is not None else self.value or 0.0,
            correct=self.correct and error is None,
            prompt_tokens=totals.prompt_tokens if totals else 0,
            completion_tokens=totals.completion_tokens if totals else 0,
            cost_usd=totals.cost_usd if totals else None,
            latency_s=time.perf_counter() - self.started,
            llm_calls=totals.llm_calls if totals else 0,
            steps=totals.steps if totals else 0,
            tool_calls=totals.tool_calls if totals else 0,
            error=error,
            trace=trace_ref,
            extra=self.extra,
            **{k: axes[k] for k in _COMMON_AXES if k in axes},
        )
