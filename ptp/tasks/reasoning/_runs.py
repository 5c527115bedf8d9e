"""Multi-style runs: every style on every question, each answer checked; written as
enriched logs (one line per question and style) and correct-only logs (one line per question
that at least one style got right, with the per-style flags and the right solutions).

    files = run_questions(tasks, model, "out/gsm8k")            # every style
    files.enriched, files.correct_only                           # JSON-lines paths

The two logs are JSON-lines files, each written to a temporary file and renamed into place;
each line carries ``messages``, the chat the model saw plus its reply. ``dataset=`` also writes
the kept solutions as training examples with ``ptp.data``'s writer (JSONL or Parquet shards,
exact and near de-duplication, manifest): :func:`write_dataset`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ptp.data import ChatExample, DatasetWriter, ExampleMeta, Manifest
from ptp.models import Model

from ._answers import Check, check_answer
from ._judge import Verdict, review
from ._schema import ReasoningTask
from ._solve import StyleReply, ask_style
from ._styles import STYLES

__all__ = [
    "CORRECT_ONLY_FILE",
    "ENRICHED_FILE",
    "QuestionRun",
    "RunFiles",
    "correct_only_record",
    "enriched_records",
    "run_question",
    "run_questions",
    "write_dataset",
    "write_jsonl_atomic",
]

ENRICHED_FILE = "enriched.jsonl"
CORRECT_ONLY_FILE = "correct_only.jsonl"


@dataclass
class QuestionRun:
    """One question asked in several styles: replies, checks and (optional) verdicts by
    style, in the order asked."""

    task: ReasoningTask
    model: str
    replies: dict[str, StyleReply] = field(default_factory=dict)
    checks: dict[str, Check] = field(default_factory=dict)
    verdicts: dict[str, Verdict | None] = field(default_factory=dict)

    @property
    def flags(self) -> dict[str, bool]:
        """Style -> whether its answer was right."""
        return {style: check.correct for style, check in self.checks.items()}

    def kept(self, style: str) -> bool:
        """Right, and judged valid when a judge reviewed it (no verdict: not kept)."""
        if not self.checks[style].correct:
            return False
        return style not in self.verdicts or bool(
            self.verdicts[style] and self.verdicts[style].valid  # type: ignore[union-attr]
        )


def _spec(model: Any) -> str:
    spec = getattr(model, "spec", None)
    return str(getattr(spec, "spec", spec or type(model).__name__))


def run_question(
    task: ReasoningTask,
    model: Model,
    styles: Sequence[str] = tuple(STYLES),
    judge: Model | None = None,
) -> QuestionRun:
    """Ask ``task`` in each of ``styles`` and check every answer; with ``judge``, its
    reviewer (:func:`review`) rates each right solution's reasoning.

    Raises:
        KeyError: an unknown style.
    """
    unknown = [s for s in styles if s not in STYLES]
    if unknown:
        raise KeyError(f"unknown style {unknown[0]!r}; the styles are {', '.join(STYLES)}")
    run = QuestionRun(task, _spec(model))
    for style in styles:
        reply = ask_style(task, style, model)
        run.replies[style] = reply
        run.checks[style] = check_answer(reply.answer, task)
        if judge is not None and run.checks[style].correct:
            run.verdicts[style] = review(
                task, reply.reasoning or reply.response, reply.answer, judge
            )
    return run


def _question_fields(task: ReasoningTask) -> dict[str, Any]:
    data = task.model_dump(mode="json", exclude_none=True)
    return {"task_id": task.task_id, **data}


def _messages(reply: StyleReply) -> list[dict[str, str]]:
    if reply.response is None:
        return list(reply.messages)
    return [*reply.messages, {"role": "assistant", "content": reply.response}]


def enriched_records(run: QuestionRun) -> list[dict[str, Any]]:
    """One record per style: the question, the chat (``messages``: prompt and reply), the
    raw ``response``, ``reasoning``, the answer as read, ``correct``, ``no_answer``, how it
    was checked, ``structured``, ``finish_reason``, tokens, ``error`` and the judge's
    ``verdict`` (None when not judged)."""
    records = []
    for style, reply in run.replies.items():
        check = run.checks[style]
        verdict = run.verdicts.get(style)
        records.append(
            {
                **_question_fields(run.task),
                "model": run.model,
                "style": style,
                "messages": _messages(reply),
                "response": reply.response,
                "reasoning": reply.reasoning,
                "answer": check.answer,
                "correct": check.correct,
                "no_answer": check.answer is None,
                "check": check.method,
                "structured": reply.structured,
                "finish_reason": reply.finish_reason,
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": reply.completion_tokens,
                "error": reply.error,
                "verdict": verdict.model_dump() if verdict is not None else None,
                "judged": style in run.verdicts,
            }
        )
    return records


def correct_only_record(run: QuestionRun) -> dict[str, Any] | None:
    """The question with ``flags`` (style -> right), ``kept`` (right and, when judged, valid)
    and ``solutions`` (style -> messages, reasoning, answer) of the kept styles; None when
    no style is kept."""
    kept = [style for style in run.replies if run.kept(style)]
    if not kept:
        return None
    return {
        **_question_fields(run.task),
        "model": run.model,
        "flags": run.flags,
        "kept": kept,
        "n_correct": sum(run.flags.values()),
        "solutions": {
            style: {
                "messages": _messages(run.replies[style]),
                "reasoning": run.replies[style].reasoning,
                "answer": run.checks[style].answer,
            }
            for style in kept
        },
    }


def write_jsonl_atomic(path: Path | str, records: Iterable[Mapping[str, Any]]) -> Path:
    """Write ``records`` one JSON object a line (sorted keys, UTF-8), all or nothing: to a
    temporary file beside ``path``, then renamed over it."""
    path = Path(path)
    text = "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in records)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


@dataclass(frozen=True)
class RunFiles:
    """What :func:`run_questions` wrote: the two files and the counts."""

    enriched: Path
    correct_only: Path
    questions: int
    kept_questions: int
    runs: tuple[QuestionRun, ...] = field(repr=False, default=())


def run_questions(
    tasks: Iterable[ReasoningTask],
    model: Model,
    out_dir: Path | str,
    styles: Sequence[str] = tuple(STYLES),
    judge: Model | None = None,
    on_question: Callable[[QuestionRun], None] | None = None,
    dataset: Path | str | None = None,
) -> RunFiles:
    """Run every style on every task (:func:`run_question`) and write ``out_dir/``
    :data:`ENRICHED_FILE` and :data:`CORRECT_ONLY_FILE` (replacing earlier ones).

    Args:
        tasks: the questions.
        model: the model asked.
        out_dir: the folder (created if missing).
        styles: the styles, in order (default: all of :data:`STYLES`).
        judge: optional reviewer model: right solutions it does not rate valid are left
            out of the correct-only log (the enriched log keeps every verdict).
        on_question: called after each question (progress).
        dataset: also append the kept solutions to this dataset folder (:func:`write_dataset`).

    Returns:
        :class:`RunFiles`.
    """
    runs = []
    for task in tasks:
        run = run_question(task, model, styles, judge)
        runs.append(run)
        if on_question is not None:
            on_question(run)
    out = Path(out_dir)
    enriched = write_jsonl_atomic(
        out / ENRICHED_FILE, (r for run in runs for r in enriched_records(run))
    )
    kept = [rec for run in runs if (rec := correct_only_record(run)) is not None]
    correct = write_jsonl_atomic(out / CORRECT_ONLY_FILE, kept)
    if dataset is not None:
        write_dataset(runs, dataset)
    return RunFiles(enriched, correct, len(runs), len(kept), tuple(runs))


def write_dataset(
    runs: Iterable[QuestionRun], folder: Path | str, fmt: Literal["jsonl", "parquet"] = "jsonl"
) -> Manifest:
    """Append every kept solution (right, and valid when judged) to a dataset folder as one
    chat example: the messages the model saw, its reply with ``weight: 1``; metadata family
    ``reasoning``, the question's id, the model as teacher and the ``style``. The styles of one
    question share a trace id, so they are never near duplicates of each other.
    """
    with DatasetWriter(folder, fmt=fmt) as out:
        for run in runs:
            for style, reply in run.replies.items():
                if not run.kept(style) or reply.response is None:
                    continue
                messages = [*reply.messages, {"role": "assistant", "content": reply.response,
                                              "weight": 1}]  # fmt: skip
                meta = ExampleMeta(family="reasoning", task_id=run.task.task_id,
                                   teacher=run.model, style=style, trace=run.task.task_id,
                                   score=1.0)  # fmt: skip
                out.add(ChatExample(messages=messages, metadata=meta))
    return out.manifest
