"""``ptp_eval``: what an eval case uses to run its solver and report its score."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ptp.models import Model
from ptp.pytest_plugin._grid import EvalCase
from ptp.results import EvalRecord, Score
from ptp.trace import Trace, recorder, to_jsonable


class EvalRun:
    """One eval case in progress.

    def test_x(ptp_case, ptp_eval):
        with ptp_eval.recording():
            answer = solve(ptp_case.task, ptp_eval.model)
        ptp_eval.score(family.score(answer, ptp_case.task), family="airline")
    """

    def __init__(self, case: EvalCase, model: Model | None, results_dir: Path, module: str) -> None:
        self.case = case
        self.model = model
        self.trace: Trace | None = None
        self.results_dir = results_dir
        self.trace_ref = f"traces/{module}/{case.case_id}.json"  # relative to results_dir
        self.family = ""
        self.verdict: Score | None = None
        self.extra: dict[str, Any] = {}
        self.helpers: set[str] = set()
        self.started = time.perf_counter()

    def also_calls(self, *specs: str) -> None:
        """Declare models the case calls besides its own (e.g. a reviewer): their calls count
        in the row's tokens and cost, and the row still names the case's model."""
        self.helpers.update(specs)

    @contextmanager
    def recording(self, **meta: Any) -> Iterator[Trace]:
        """Record the solver's trace; it is saved beside the results and summed into the row."""
        with recorder(case=self.case.case_id, **self.case.axes, **meta) as trace:
            self.trace = trace
            yield trace

    def score(
        self,
        verdict: Score | None = None,
        /,
        *,
        family: str = "",
        answer: Any = None,
        expected: Any = None,
        score: float | None = None,
        correct: bool | None = None,
        **extra: Any,
    ) -> None:
        """Report the outcome: a family's :class:`~ptp.results.Score`, or its parts as keywords
        (``answer=, expected=, score=, correct=``). ``extra`` keys become row statistics.

        A wrong answer is a score, never a failed test.
        """
        if verdict is None:
            if score is None or correct is None:
                raise TypeError("ptp_eval.score(): pass a Score, or score= and correct=")
            verdict = Score(value=score, correct=correct, answer=answer, expected=expected)
        elif score is not None or correct is not None:
            raise TypeError("ptp_eval.score(): pass a Score or score=/correct=, not both")
        called = [spec for spec in self.called_models() if spec not in self.helpers]
        if self.case.model and called and called != [self.case.model]:
            raise ValueError(
                f"the case is labelled model {self.case.model!r} but called {called}; call "
                "ptp_eval.model (or fix the grid's models=) so rows name the model that answered"
            )
        shadowed = sorted(set(extra) & set(EvalRecord.model_fields))
        if shadowed:
            raise ValueError(
                f"ptp_eval.score(): {shadowed} are fields of the result row itself (the row's "
                "value would win in reports); pass them under another name"
            )
        self.verdict = verdict.model_copy(
            update={
                "answer": to_jsonable(verdict.answer),
                "expected": to_jsonable(verdict.expected),
            }
        )
        self.family = family
        self.extra.update(to_jsonable(extra))

    def called_models(self) -> list[str]:
        """The model specs the case's trace called, in order of first call."""
        if self.trace is None:
            return []
        return list(dict.fromkeys(e.name for e in self.trace.find("llm")))

    def to_record(self, error: str | None) -> EvalRecord:
        """The row for this case; ``error`` is the harness error, if any."""
        called = self.called_models()
        if error is None and self.verdict is None:
            error = "the eval never called ptp_eval.score(...)"
        totals = self.trace.totals() if self.trace is not None else None
        trace_ref = None
        if self.trace is not None:
            self.trace.save(self.results_dir / self.trace_ref)
            trace_ref = self.trace_ref
        verdict = self.verdict
        return EvalRecord(
            case_id=self.case.case_id,
            suite=self.case.suite,
            family=self.family,
            task_id=self.case.task_id,
            model=self.case.model or ", ".join(called),
            axes=dict(self.case.axes),
            epoch=self.case.epoch,
            seed=self.case.seed,
            answer=verdict.answer if verdict else None,
            expected=verdict.expected if verdict else None,
            score=verdict.value if verdict and error is None else 0.0,
            correct=bool(verdict and verdict.correct) and error is None,
            prompt_tokens=totals.prompt_tokens if totals else 0,
            completion_tokens=totals.completion_tokens if totals else 0,
            cost_usd=totals.cost_usd if totals else None,
            latency_s=totals.latency_s if totals else None,
            wall_s=time.perf_counter() - self.started,
            llm_calls=totals.llm_calls if totals else 0,
            steps=totals.steps if totals else 0,
            tool_calls=totals.tool_calls if totals else 0,
            error=error,
            trace=trace_ref,
            extra={**(verdict.metadata if verdict else {}), **self.extra},
        )


def setup_error_record(case: EvalCase, error: str, wall_s: float = 0.0) -> EvalRecord:
    """The row of a case that failed before its solver ran (e.g. a broken cassette)."""
    return EvalRecord(
        case_id=case.case_id,
        suite=case.suite,
        task_id=case.task_id,
        model=case.model,
        axes=dict(case.axes),
        epoch=case.epoch,
        seed=case.seed,
        wall_s=wall_s,
        error=error,
    )
