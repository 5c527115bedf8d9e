"""Loading the source system's JSON-lines datasets from a file or a folder.

    tasks = load_dataset("gsm8k", "data/gsm8k", split="test")   # data/gsm8k/test.jsonl
    tasks = load_dataset("anli", "data/anli_dev.jsonl")          # one file

A line is ``{"id", "question", "gold_answer"}`` plus ``choices: {label, text}`` (multiple
choice), ``premise``/``hypothesis`` (anli) or ``table`` (table_mwp); other keys are ignored.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from ptp.errors import ConfigError
from ptp.tasks._fixtures import iter_jsonl

from ._numbers import parse_number
from ._schema import DATASETS, KINDS, NLI_LABELS, Choices, ReasoningDataError, ReasoningTask

__all__ = ["FIELD_FIXES", "SPLITS", "dataset_file", "load_dataset", "normalize_gold"]

SPLITS: dict[str, tuple[str, ...]] = {
    "train": ("train",),
    "dev": ("dev", "validation", "val"),
    "test": ("test",),
}
"""Split name -> the file stems accepted for it (HF-style ``validation`` counts as dev)."""

FIELD_FIXES = {
    "id": "give every line a unique id (a string or a whole number)",
    "question": "write the question as a JSON string",
    "gold_answer": "write the final answer as a string or a number",
    "choices": 'write {"label": ["A", "B", ...], "text": ["...", "...", ...]}',
    "label": "list the option labels as strings",
    "text": "list the option texts as strings",
    "premise": "write the premise as a JSON string",
    "hypothesis": "write the hypothesis as a JSON string",
    "table": "write the table as text (rows of cells separated by |) or as {column: [cells]}",
}

_NLI_ALIASES = {
    **{label: label for label in NLI_LABELS},
    "e": "entailment",
    "n": "neutral",
    "c": "contradiction",
    "0": "entailment",  # the Hugging Face ANLI label ids
    "1": "neutral",
    "2": "contradiction",
}
_YES_NO = {"yes": "yes", "no": "no", "true": "yes", "false": "no"}
_BOXED = re.compile(r"\\boxed\s*\{")


def _scalar_text(value: Any) -> Any:
    """Numbers and booleans as text (``7``, ``2.5``, ``yes``/``no``); others unchanged (a
    list or an object then fails as "not a string", at the field's own name)."""
    return _text(value) if isinstance(value, bool | int | float) else value


_Text = Annotated[str, BeforeValidator(_scalar_text)]


class _ChoicesLine(BaseModel):
    model_config = ConfigDict(extra="ignore")

    label: list[_Text]
    text: list[_Text]


class _SourceLine(BaseModel):
    """One line as the source writes it (numbers accepted as text; unknown keys ignored)."""

    model_config = ConfigDict(extra="ignore")

    id: _Text
    question: str | None = None
    gold_answer: _Text
    choices: _ChoicesLine | None = None
    premise: str | None = None
    hypothesis: str | None = None
    table: str | dict[str, list[Any]] | None = None


def dataset_file(dataset: str, source: Path | str, split: str | None = None) -> Path:
    """The file of ``dataset``'s ``split`` under ``source``.

    ``source`` may be the file itself, or a folder holding (first match wins)
    ``<split>.jsonl``, ``<dataset>/<split>.jsonl``, ``<dataset>_<split>.jsonl`` or
    ``<dataset>-<split>.jsonl``; with ``split=None`` a flat ``<dataset>.jsonl`` comes first,
    then the ``test`` split.

    Raises:
        ReasoningDataError: no such file; the message lists the places looked at.
    """
    _check_dataset(dataset)
    source = Path(source)
    if split is not None and split not in SPLITS:
        raise ReasoningDataError(
            source, None, None, f"unknown split {split!r}", f"use one of {', '.join(SPLITS)}"
        )
    if source.is_file():
        return source
    candidates = [source / f"{dataset}.jsonl"] if split is None else []
    for stem in SPLITS[split or "test"]:
        candidates += [
            source / f"{stem}.jsonl",
            source / dataset / f"{stem}.jsonl",
            source / f"{dataset}_{stem}.jsonl",
            source / f"{dataset}-{stem}.jsonl",
        ]
    for path in candidates:
        if path.is_file():
            return path
    looked = ", ".join(str(p.relative_to(source)) for p in candidates)
    what = f"{dataset} {split or 'test'} file"
    problem = f"no {what}" if source.is_dir() else "no such file or folder"
    raise ReasoningDataError(source, None, None, problem, f"put the {what} at one of: {looked}")


def load_dataset(dataset: str, source: Path | str, split: str | None = None) -> list[ReasoningTask]:
    """Every question of ``dataset`` in ``source`` (a file, or a folder: :func:`dataset_file`).

    Args:
        dataset: one of :data:`DATASETS` (it decides which fields a line needs).
        source: a JSON-lines file or a folder (``train/dev/test`` or flat files).
        split: ``train``, ``dev`` or ``test``; None: a flat ``<dataset>.jsonl``, else test.

    Returns:
        The questions in file order, gold answers normalized (:func:`normalize_gold`).

    Raises:
        ReasoningDataError: a missing file, a line that is not JSON, a missing or ill-typed
            field, a gold answer that is not one of the question's options, a repeated id;
            the message names the file, the line, the field and the fix.
    """
    path = dataset_file(dataset, source, split)
    tasks: list[ReasoningTask] = []
    seen: dict[str, int] = {}
    lines = iter_jsonl(path, _SourceLine, error=ReasoningDataError, field_fixes=FIELD_FIXES)
    for number, line in lines:
        task = _to_task(dataset, line, path, number)
        if task.id in seen:
            raise ReasoningDataError(
                path,
                number,
                "id",
                f"id {task.id!r} repeats line {seen[task.id]}",
                FIELD_FIXES["id"],
            )
        seen[task.id] = number
        tasks.append(task)
    return tasks


def _check_dataset(dataset: str) -> None:
    if dataset not in KINDS:
        raise ConfigError(
            f"unknown reasoning dataset {dataset!r}; use one of {', '.join(DATASETS)}"
        )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _render_table(table: str | dict[str, list[Any]]) -> str:
    if isinstance(table, str):
        return table.strip()
    columns = list(table)
    rows = zip(*(table[c] for c in columns), strict=False)
    lines = [" | ".join(columns), *(" | ".join(_text(v) for v in row) for row in rows)]
    return "\n".join(lines)


def _to_task(dataset: str, line: _SourceLine, path: Path, number: int) -> ReasoningTask:
    def bad(field: str, problem: str, fix: str) -> ReasoningDataError:
        return ReasoningDataError(path, number, field, problem, fix)

    choices = None
    if line.choices is not None:
        labels = tuple(_text(x) for x in line.choices.label)
        texts = tuple(_text(x) for x in line.choices.text)
        if len(labels) != len(texts) or len(labels) < 2:
            raise bad(
                "choices",
                f"{len(labels)} labels and {len(texts)} texts",
                "give at least two options, one label per text",
            )
        if len(set(labels)) != len(labels) or not all(labels):
            raise bad(
                "choices.label", f"labels {list(labels)} repeat or are empty", "use A, B, ..."
            )
        choices = Choices(label=labels, text=texts)
    kind = "choice" if choices is not None else KINDS[dataset]
    if kind == "choice" and dataset != "table_mwp" and choices is None:
        raise bad("choices", "missing (this dataset is multiple choice)", "add the field 'choices'")
    question = (line.question or "").strip()
    premise = line.premise.strip() if line.premise else None
    hypothesis = line.hypothesis.strip() if line.hypothesis else None
    if dataset == "anli":
        for name, value in (("premise", premise), ("hypothesis", hypothesis)):
            if not value:
                raise bad(
                    name,
                    "missing or empty (anli needs premise and hypothesis)",
                    f"add the field {name!r}",
                )
    elif not question:
        raise bad("question", "missing or empty", "add the question text")
    table = None
    if dataset == "table_mwp":
        if not line.table:
            raise bad("table", "missing or empty (table_mwp needs the table)", FIELD_FIXES["table"])
        table = _render_table(line.table)
    try:
        gold = normalize_gold(dataset, line.gold_answer, choices)
    except ValueError as err:
        raise bad("gold_answer", str(err).split(";")[0], str(err).split("; ", 1)[-1]) from None
    return ReasoningTask(
        dataset=dataset,  # type: ignore[arg-type]  # checked against KINDS above
        id=_text(line.id),
        question=question,
        gold_answer=gold,
        choices=choices,
        premise=premise,
        hypothesis=hypothesis,
        table=table,
    )


def normalize_gold(dataset: str, gold: Any, choices: Choices | None = None) -> str:
    """The gold answer in the form the scorer compares against.

    Multiple choice: the option's label (given as the label, ``(B)``, or the option's text);
    yes/no: ``yes``/``no`` (also from true/false); anli: an NLI label (also ``e``/``n``/``c``
    or the ids 0/1/2); gsm8k and table_mwp: the number (after ``####`` when a rationale
    precedes it); math: the LaTeX answer (the inside of ``\\boxed{}`` when boxed).

    Raises:
        ValueError: ``"<problem>; <fix>"``.
    """
    text = _text(gold)
    if choices is not None:
        return _gold_label(text, choices)
    kind = KINDS[dataset]
    if kind == "yes_no":
        if text.lower() not in _YES_NO:
            raise ValueError(f"{text!r} is not yes or no; write yes or no")
        return _YES_NO[text.lower()]
    if kind == "nli":
        if text.lower() not in _NLI_ALIASES:
            raise ValueError(f"{text!r} is not an NLI label; write one of {', '.join(NLI_LABELS)}")
        return _NLI_ALIASES[text.lower()]
    if "####" in text:
        text = text.rsplit("####", 1)[1].strip()
    if kind == "math":
        from ._extract import last_boxed

        boxed = last_boxed(text) if _BOXED.search(text) else None
        text = (boxed if boxed is not None else text).strip()
        if not text:
            raise ValueError("empty; write the final answer, e.g. \\frac{3}{4}")
        return text
    if parse_number(text) is None:
        raise ValueError(f"{text!r} is not a number; write the final number, e.g. 42 or 3.5")
    return text


def _gold_label(text: str, choices: Choices) -> str:
    bare = text.strip().strip("()").strip()
    for label in choices.label:
        if bare.lower() == label.lower():
            return label
    for label, option in zip(choices.label, choices.text, strict=True):
        if text.lower() == option.lower():
            return label
    labels = ", ".join(choices.label)
    raise ValueError(f"{text!r} is neither a label nor an option text; write one of {labels}")
