"""Run a teacher on tasks in process and write a results dir, as a grid run would."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ptp.results import RESULTS_FILE, EvalRecord, append_records, git_commit
from ptp.trace import recorder
from ptp.trace._jsonable import to_jsonable


def record_runs(
    family: str, teacher: str, tasks: Iterable[Any], out: str | Path, *, solver: str = "L3",
    axis: str = "level", suite: str = "teacher",
) -> Path:  # fmt: skip
    """Solve ``tasks`` with ``teacher`` (a model spec; an expert policy is bound to each task)
    and the family's ``solver`` (a level; for knapsack a regime, with ``axis="regime"``);
    append one row and one trace per task to the results dir ``out`` (``results.jsonl``,
    ``traces/``, ``runs.jsonl``) that ``ptp data export`` and ``ptp distill`` read. Returns
    ``out``."""
    from ptp.models import get_model
    from ptp.tasks import get_family

    fam, out = get_family(family), Path(out)
    started = time.time()
    for task in tasks:
        model: Any = get_model(teacher)
        if hasattr(model, "for_task"):
            model = model.for_task(task)
        with recorder(task_id=task.task_id) as trace:
            result = fam.solvers[solver](task, model)
        verdict = fam.score(result.answer, task)
        case = f"{solver}-{teacher.replace(':', '-')}-{task.task_id}"
        totals = trace.totals()
        relative = f"traces/{suite}/{case}.json"
        trace.save(out / relative)
        row = EvalRecord(
            case_id=case, suite=suite, family=family, task_id=task.task_id, model=teacher,
            axes={axis: solver}, answer=to_jsonable(verdict.answer),
            expected=to_jsonable(verdict.expected), score=verdict.value, correct=verdict.correct,
            prompt_tokens=totals.prompt_tokens, completion_tokens=totals.completion_tokens,
            llm_calls=totals.llm_calls, steps=totals.steps, tool_calls=totals.tool_calls,
            wall_s=trace.wall_s, trace=relative,
        )  # fmt: skip
        append_records(out / RESULTS_FILE, [row])
    run = {"started_at": started, "finished_at": time.time(), "git_commit": git_commit(Path.cwd()),
           "models_used": [teacher], "solver": solver, "family": family}  # fmt: skip
    with (out / "runs.jsonl").open("a", encoding="utf-8") as runs:
        runs.write(json.dumps(run) + "\n")
    return out
