"""Each dataset's core prompt (the question as the model reads it) and the answer rule of
its answer kind; the styles (:mod:`._styles`) wrap these."""

from __future__ import annotations

from ._schema import AnswerKind, ReasoningTask

__all__ = ["ANSWER_RULES", "core_prompt"]

ANSWER_RULES: dict[AnswerKind, str] = {
    "number": (
        "The answer is a number: write only the number in `answer` (digits, no units, no "
        "thousands separators)."
    ),
    "math": (
        "Write only the final answer in `answer`, in simplest form, as LaTeX without dollar "
        "signs (for example \\frac{3}{4}, 2\\sqrt{3} or (1, 2))."
    ),
    "choice": "Write only the label of the correct option in `answer` (for example B).",
    "yes_no": "Write only yes or no in `answer`.",
    "nli": (
        "Decide whether the premise entails the hypothesis, contradicts it, or neither "
        "(neutral). Write only entailment, neutral or contradiction in `answer`."
    ),
}
"""Answer kind -> how the final answer is written; one sentence, shared by every style."""


def _options(task: ReasoningTask) -> str:
    if task.choices is None:
        return ""
    lines = (
        f"({lab}) {text}" for lab, text in zip(task.choices.label, task.choices.text, strict=True)
    )
    return "\nOptions:\n" + "\n".join(lines)


def core_prompt(task: ReasoningTask) -> str:
    """The question as the model reads it, before any style: the question (math: "Problem"),
    its options, the table (table_mwp), or premise and hypothesis (anli)."""
    if task.dataset == "anli":
        text = f"Premise: {task.premise}\nHypothesis: {task.hypothesis}"
        return text + (f"\nQuestion: {task.question}" if task.question else "")
    head = f"Table:\n{task.table}\n\n" if task.table else ""
    label = "Problem" if task.kind == "math" else "Question"
    return f"{head}{label}: {task.question}{_options(task)}"
