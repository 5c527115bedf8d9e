"""One reasoning question, in the source system's JSON-lines schema plus the dataset's name."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ptp.tasks._fixtures import TaskFileError

__all__ = [
    "DATASETS",
    "KINDS",
    "NLI_LABELS",
    "AnswerKind",
    "Choices",
    "DatasetName",
    "ReasoningDataError",
    "ReasoningTask",
    "answer_kind",
]

DatasetName = Literal[
    "gsm8k", "math", "arc_challenge", "commonsense_qa", "date", "anli", "strategy_qa", "table_mwp"
]
AnswerKind = Literal["number", "math", "choice", "yes_no", "nli"]

# Single source of truth for how each dataset's answers are read and compared; table_mwp
# questions that list choices are read as "choice" (see answer_kind).
KINDS: dict[str, AnswerKind] = {
    "gsm8k": "number",
    "math": "math",
    "arc_challenge": "choice",
    "commonsense_qa": "choice",
    "date": "choice",
    "anli": "nli",
    "strategy_qa": "yes_no",
    "table_mwp": "number",
}
DATASETS: tuple[str, ...] = tuple(KINDS)

NLI_LABELS = ("entailment", "neutral", "contradiction")


class ReasoningDataError(TaskFileError):
    """A bad reasoning dataset file; see :class:`TaskFileError`."""


class Choices(BaseModel):
    """Multiple-choice options as the source writes them: parallel ``label`` and ``text``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: tuple[str, ...] = Field(min_length=2)
    text: tuple[str, ...] = Field(min_length=2)


class ReasoningTask(BaseModel):
    """One question: the source line's fields (``id``, ``question``, ``gold_answer`` and, by
    dataset, ``choices``, ``premise``/``hypothesis`` or ``table``) plus ``dataset``.

    ``gold_answer`` is normalized on load: a choice label for multiple choice, ``yes``/``no``,
    an NLI label, else the final answer text (numbers and LaTeX as written).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    dataset: DatasetName
    id: str
    question: str = ""
    gold_answer: str
    choices: Choices | None = None
    premise: str | None = None
    hypothesis: str | None = None
    table: str | None = None

    @property
    def task_id(self) -> str:
        """``<dataset>-<id>``: unique across datasets (grids and results key on it)."""
        return f"{self.dataset}-{self.id}"

    @property
    def kind(self) -> AnswerKind:
        """How this question's answers are read (:func:`answer_kind`)."""
        return answer_kind(self)


def answer_kind(task: ReasoningTask) -> AnswerKind:
    """The answer kind of ``task``: its dataset's, except that a question with ``choices``
    is always multiple choice (table_mwp mixes free answers and choices)."""
    if task.choices is not None:
        return "choice"
    return KINDS[task.dataset]
