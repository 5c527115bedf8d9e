"""The distiller's input: episodes (one solved task each) read from ptp results or imported.

An :class:`Episode` is what mining needs of a trace: the task text, the teacher, the score and
the answer, and the tool calls in the order they ran. Two sources:

- a ptp results dir (``results.jsonl`` rows with ``trace`` paths, as ``pytest evals`` writes);
- imported traces, a JSON Lines file, one episode a line, in this documented format::

    {"task_id": "t1", "text": "<the task as the agent read it>", "teacher": "openai:gpt-4o",
     "score": 1.0, "answer": 415,
     "calls": [{"tool": "region_of", "arguments": {"city": "Paris"}, "output": "Europe"}]}

  (``error`` on a call marks a failed call; such calls are skipped like failed tool events.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from ptp.distill._errors import DistillError
from ptp.results import read_results
from ptp.trace import Event, Trace

__all__ = ["Call", "Episode", "episode_from_trace", "load_episodes", "read_imported", "run_teacher"]


class Call(BaseModel):
    """One tool call: its name, keyword arguments, output (None with ``error``)."""

    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    output: Any = None
    error: str | None = None


class Episode(BaseModel):
    """One task solved by a source solver."""

    task_id: str
    text: str
    teacher: str
    score: float = Field(ge=0.0, le=1.0)
    answer: Any = None
    calls: list[Call] = Field(default_factory=list)
    source: str = ""

    def ok_calls(self) -> list[Call]:
        """The calls that did not fail, in order."""
        return [c for c in self.calls if c.error is None]


def _task_text(trace: Trace) -> str | None:
    for event in trace.walk():
        if event.kind == "agent" and isinstance(event.inputs.get("task"), str):
            return event.inputs["task"]
    return None


def _call(event: Event) -> Call:
    arguments = dict(event.inputs)
    if "args" in arguments:  # positional arguments have no names to mine
        arguments = {f"arg{i}": v for i, v in enumerate(arguments.pop("args"))} | arguments
    return Call(tool=event.name, arguments=arguments, output=event.output, error=event.error)


def episode_from_trace(
    trace: Trace, *, task_id: str, teacher: str, score: float, answer: Any, source: str = ""
) -> Episode:
    """An episode from a recorded agent trace (a ReAct or CodeAct run).

    Raises:
        DistillError: the trace holds no agent event with the task text.
    """
    text = _task_text(trace)
    if text is None:
        raise DistillError(
            f"{source or task_id}: the trace has no agent event with the task text; "
            "distill traces of an agent (L3 ReAct or CodeAct), not of L0/L1 workflows"
        )
    calls = [_call(e) for e in trace.find("tool")]
    return Episode(task_id=task_id, text=text, teacher=teacher, score=score, answer=answer,
                   calls=calls, source=source)  # fmt: skip


def _from_results(results_dir: Path) -> Iterable[Episode]:
    for row in read_results(results_dir):
        if row.trace is None:
            continue
        path = results_dir / row.trace
        if not path.exists():
            raise DistillError(
                f"{results_dir / 'results.jsonl'}: case {row.case_id} names trace {row.trace}, "
                "which is missing; copy the whole results dir, traces/ included"
            )
        trace = Trace.load(path)
        if _task_text(trace) is None:
            continue  # a workflow's trace (L0/L1): nothing for the miner
        yield episode_from_trace(trace, task_id=row.task_id, teacher=row.model,
                                 score=row.score, answer=row.answer, source=str(path))  # fmt: skip


def read_imported(path: str | Path) -> list[Episode]:
    """Episodes from an imported JSON Lines file (the format in this module's docstring).

    Raises:
        DistillError: naming the file, the line and the field that is wrong.
    """
    path = Path(path)
    episodes = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise DistillError(f"{path}:{number}: not a JSON object; one episode a line")
            episodes.append(Episode.model_validate({**data, "source": f"{path}:{number}"}))
        except json.JSONDecodeError as err:
            raise DistillError(
                f"{path}:{number}: not JSON ({err.msg}); one episode a line"
            ) from err
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(line)"
            raise DistillError(
                f"{path}:{number}: field {where}: {first['msg']}; see ptp.distill._corpus for "
                "the format"
            ) from err
    return episodes


def load_episodes(source: str | Path, *, teacher: str | None = None) -> list[Episode]:
    """Episodes from a results dir or an imported ``.jsonl`` file; ``teacher`` keeps only that
    teacher's episodes (a results dir may hold several models).

    Raises:
        DistillError: the source does not exist or holds no agent episodes.
    """
    source = Path(source)
    if not source.exists():
        raise DistillError(f"{source}: no such results dir or traces file")
    episodes = list(_from_results(source)) if source.is_dir() else read_imported(source)
    if teacher is not None:
        episodes = [e for e in episodes if e.teacher == teacher]
    if not episodes:
        who = f" of teacher {teacher}" if teacher else ""
        raise DistillError(
            f"{source}: no agent episodes{who}; record an agent's (L3 or CodeAct) runs on "
            "training tasks first: ptp.distill.run_teacher, or a grid run with --ptp-results"
        )
    return episodes


def run_teacher(
    family: str, teacher: str, tasks: Iterable[Any], level: str = "L3"
) -> list[Episode]:
    """Episodes of ``teacher`` (a model spec; an expert is bound to each task) solving
    ``tasks`` with the family's ``level`` solver, in process (an LLM teacher's calls go out
    live or through the active cassette)."""
    from ptp.models import get_model
    from ptp.tasks import get_family
    from ptp.trace import recorder

    fam = get_family(family)
    episodes = []
    for task in tasks:
        model: Any = get_model(teacher)
        if hasattr(model, "for_task"):
            model = model.for_task(task)
        with recorder() as trace:
            result = fam.solvers[level](task, model)
        score = fam.score(result.answer, task).value
        episodes.append(episode_from_trace(trace, task_id=task.task_id, teacher=teacher,
                                           score=score, answer=result.answer))  # fmt: skip
    return episodes
