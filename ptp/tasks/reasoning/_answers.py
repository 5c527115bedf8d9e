"""Reading a reply's answer and judging it against the gold answer, by answer kind.

>>> task = ReasoningTask(dataset="gsm8k", id="1", question="...", gold_answer="1200")
>>> check_answer("She saves $1,200 a year. The answer is $1,200.", task)
Check(answer='1200', correct=True, method='number')
>>> check_answer("I cannot tell.", task).answer is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import lru_cache
from typing import Any

from ptp.results import Score

from ._extract import MAX_REPLY, final_answer_text
from ._labels import read_choice, read_nli, read_yes_no
from ._mathcheck import DEFAULT_TIMEOUT_S, math_equal, normalize_latex
from ._numbers import Number, numbers_equal, parse_number
from ._schema import AnswerKind, ReasoningTask

__all__ = ["Check", "answer_text", "check_answer", "extract_answer", "score"]

_INLINE_MATH = re.compile(r"\$([^$]{1,200})\$")
SHORT_REPLY = 60
"""A math reply this short with no marked answer is taken as the answer itself."""


@dataclass(frozen=True)
class Check:
    """One answer judged: ``answer`` as read (None: no answer could be read), ``correct``,
    and ``method`` (how it was decided: ``number``, ``label``, ``string``, ``sympy``,
    ``timeout``, ``refused``, ``error``, ``no_answer``)."""

    answer: str | None
    correct: bool
    method: str


def answer_text(answer: Any) -> str | None:
    """What a solver returned as text: a string as is, a mapping's ``answer`` value, a
    number written out, booleans as yes/no; None for None or anything else."""
    if isinstance(answer, dict):
        answer = answer.get("answer")
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    if isinstance(answer, int | float | Fraction):
        return str(answer)
    return answer if isinstance(answer, str) else None


def _number_text(number: Number) -> str:
    value = number.value
    if value.denominator == 1:
        text = str(value.numerator)
    elif all(p in (2, 5) for p in _small_factors(value.denominator)):
        with localcontext() as ctx:  # exact: the denominator divides a power of ten
            ctx.prec = 200
            text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    else:
        text = f"{value.numerator}/{value.denominator}"
    return text + ("%" if number.percent else "")


def _small_factors(n: int) -> set[int]:
    factors = set()
    for p in (2, 3, 5, 7):
        while n % p == 0:
            factors.add(p)
            n //= p
    return factors if n == 1 else {*factors, n}


@lru_cache(maxsize=4096)
def _gold_number(gold: str) -> Number | None:
    return parse_number(gold)


def _read_number(text: str) -> Number | None:
    marked = final_answer_text(text)
    found = parse_number(marked) if marked else None
    return found if found is not None else parse_number(text)


def _read_math(text: str) -> str | None:
    marked = final_answer_text(text)
    if marked:
        return normalize_latex(marked) or None
    if len(text.strip()) <= SHORT_REPLY:
        return normalize_latex(text) or None
    inline = _INLINE_MATH.findall(text[-MAX_REPLY:])
    if inline:
        return normalize_latex(inline[-1]) or None
    number = parse_number(text)
    return _number_text(number) if number is not None else None


def extract_answer(reply: Any, task: ReasoningTask) -> str | None:
    """The answer ``reply`` gives to ``task``, in the kind's canonical form (a number's
    digits, normalized LaTeX, an option label, ``yes``/``no``, an NLI label); None when none
    can be read. Never raises."""
    text = answer_text(reply)
    if text is None or not text.strip():
        return None
    kind: AnswerKind = task.kind
    if kind == "number":
        number = _read_number(text)
        return _number_text(number) if number is not None else None
    if kind == "math":
        return _read_math(text)
    if kind == "choice":
        assert task.choices is not None  # kind "choice" means choices are given
        return read_choice(text, task.choices.label, task.choices.text)
    if kind == "yes_no":
        return read_yes_no(text)
    return read_nli(text)


def check_answer(
    reply: Any, task: ReasoningTask, timeout_s: float | None = DEFAULT_TIMEOUT_S
) -> Check:
    """Read the answer of ``reply`` (:func:`extract_answer`) and compare it with the gold
    answer: numbers by value (thousands separators, fractions, percentages), math by
    :func:`ptp.tasks.reasoning._mathcheck.math_equal` (SymPy within ``timeout_s``), labels
    exactly. Never raises: an unreadable reply is ``Check(None, False, "no_answer")``."""
    kind = task.kind
    if kind == "number":
        text = answer_text(reply)
        number = _read_number(text) if text and text.strip() else None
        if number is None:
            return Check(None, False, "no_answer")
        equal = numbers_equal(number, _gold_number(task.gold_answer))
        return Check(_number_text(number), equal, "number")
    answer = extract_answer(reply, task)
    if answer is None:
        return Check(None, False, "no_answer")
    if kind == "math":
        verdict = math_equal(answer, task.gold_answer, timeout_s)
        return Check(answer, verdict.equal, verdict.method)
    return Check(answer, answer == task.gold_answer, "label")


def score(answer: Any, task: ReasoningTask) -> Score:
    """The family's scorer: 1 when ``answer`` (a reply, a final answer, a number, a mapping
    with ``answer``) is the gold answer; metadata says whether an answer could be read and
    how it was compared."""
    check = check_answer(answer, task)
    return Score(
        value=1.0 if check.correct else 0.0,
        correct=check.correct,
        answer=check.answer,
        expected=task.gold_answer,
        metadata={"no_answer": check.answer is None, "check": check.method},
    )
