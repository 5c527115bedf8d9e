"""Math answers compared by value: string, exact-number and plain-arithmetic fast paths, then
SymPy through ``math-verify`` (Hugging Face's checker: LaTeX parsed by latex2sympy2 on
antlr4) under a time limit.

>>> math_equal(r"\\dfrac{1}{2}", "0.5").equal
True
>>> math_equal(r"(x+1)^2", "x^2+2x+1").equal
True
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from ._latexnum import in_subset, numeric_equal
from ._numbers import exact_number, numbers_equal
from ._timeout import CheckTimeout, time_limit

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "MAX_SYMPY_CHARS",
    "MathVerdict",
    "math_equal",
    "normalize_latex",
    "warm_up",
]

DEFAULT_TIMEOUT_S = 2.0
"""Wall-clock limit of one SymPy comparison (parsing both sides and checking)."""
MAX_SYMPY_CHARS = 300
"""Longer answers are not handed to SymPy (a final answer is short; a long one is a reply
that was not cut to its answer)."""

# Input SymPy may spend minutes or gigabytes on: huge powers, power towers, big factorials,
# calculus operators. Refused before parsing (also where no time limit can be set).
_REFUSED = re.compile(
    r"\^\s*\{?\s*[\d.]{4,}"  # 2^{10000}
    r"|\^\s*\{[^{}]*\^|\^\s*\w\s*\^"  # towers: 9^{9^9}, 9^9^9
    r"|\*\*\s*\(?\s*[\d.]{4,}|\d{4,}\s*!"  # 2**10000, 1000!
    r"|\\(?:int|iint|sum|prod|lim)\b"
)
# "10\text{ cm}", "10 cm", "45 degrees": a number and unit words; not "4x" or "2 pi"
_UNITS_AFTER_NUMBER = re.compile(
    r"^([-+\d.,/\s]*\d)\s*(?:\\(?:text|mbox|mathrm)\{[^{}]*\}|\s(?!pi\b)[A-Za-z]{2,}[A-Za-z ]*)$"
)
_SPACES = re.compile(r"\s+")
_REPLACE = [
    ("\\left", ""),
    ("\\right", ""),
    ("\\dfrac", "\\frac"),
    ("\\tfrac", "\\frac"),
    ("\\!", ""),
    ("\\,", ""),
    ("\\;", ""),
    ("\\ ", ""),
    ("^\\circ", ""),
    ("^{\\circ}", ""),
    ("\\displaystyle", ""),
]

Method = Literal["string", "number", "numeric", "sympy", "timeout", "refused", "error", "no_answer"]


@dataclass(frozen=True)
class MathVerdict:
    """Whether two math answers are equal, and how it was decided (``method``: ``string``,
    ``number``, ``numeric`` (:func:`numeric_equal`), ``sympy``; ``timeout``, ``refused``,
    ``error`` and ``no_answer`` are never equal)."""

    equal: bool
    method: Method


@lru_cache(maxsize=8192)
def normalize_latex(text: str) -> str:
    """``text`` without math delimiters, ``\\left``/``\\right``, thin spaces, degree signs,
    a trailing period, unit words after a number, and whitespace; ``\\dfrac`` -> ``\\frac``."""
    text = text.strip()
    for old, new in (("\\[", ""), ("\\]", ""), ("\\(", ""), ("\\)", "")):
        text = text.replace(old, new)
    text = text.strip().strip("$").strip()
    for old, new in _REPLACE:
        text = text.replace(old, new)
    text = text.rstrip(".").strip()
    units = _UNITS_AFTER_NUMBER.match(text)
    if units:
        text = units.group(1)
    return _SPACES.sub("", text)


_COLLECTION = re.compile(r"^(?:\\\{|[(\[{]).*,.*(?:\\\}|[)\]}])$")


def _scalar_vs_collection(a: str, b: str) -> bool:
    return any(in_subset(x) and bool(_COLLECTION.match(y)) for x, y in ((a, b), (b, a)))


@lru_cache(maxsize=8192)
def _parse(latex: str) -> tuple[Any, ...]:
    from math_verify import parse

    return tuple(parse(f"${latex}$", parsing_timeout=None))  # type: ignore[arg-type]


class _OwnTimeoutNotice(logging.Filter):
    """Drops math-verify's one-time warning that its own timeout is off: ours
    (:func:`time_limit`) is on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Timeout is disabled")


@lru_cache(maxsize=1)
def warm_up() -> None:
    """Import math-verify and run one comparison, outside any time limit: the first SymPy
    simplification in a process costs about a second of one-time set-up (measured here),
    which must not count against the first answer's limit."""
    from math_verify import verify

    for name in ("math_verify.grader", "math_verify.parser"):
        logging.getLogger(name).addFilter(_OwnTimeoutNotice())
    verify(list(_parse("(x+1)^2")), list(_parse("x^2+2x+1")), timeout_seconds=None)


def _sympy_equal(pred: str, gold: str) -> bool:
    from math_verify import verify

    gold_parsed, pred_parsed = _parse(gold), _parse(pred)
    if not gold_parsed or not pred_parsed:
        return False
    return bool(verify(list(gold_parsed), list(pred_parsed), timeout_seconds=None))


def math_equal(
    pred: str | None, gold: str, timeout_s: float | None = DEFAULT_TIMEOUT_S
) -> MathVerdict:
    """Is the answer ``pred`` the same value as ``gold`` (both LaTeX or plain text)?

    Equal strings after :func:`normalize_latex`, then exact numbers (fractions, decimals,
    percentages: :func:`ptp.tasks.reasoning._numbers.numbers_equal`), then values of the
    plain-arithmetic LaTeX subset (:func:`ptp.tasks.reasoning._latexnum.numeric_equal`:
    radicals, pi, polynomials; no SymPy), then SymPy equivalence (``math_verify.verify``:
    numbers to 6 decimals, expressions, sets, intervals, equations) within ``timeout_s``
    seconds (:func:`time_limit`). Never raises: an answer SymPy cannot read, a refused or
    too long one, a timeout are "not equal".
    """
    if not isinstance(pred, str) or not pred.strip():
        return MathVerdict(False, "no_answer")
    p, g = normalize_latex(pred), normalize_latex(gold)
    if not p:
        return MathVerdict(False, "no_answer")
    if p == g:
        return MathVerdict(True, "string")
    a, b = exact_number(p), exact_number(g)
    if a is not None and b is not None:
        return MathVerdict(numbers_equal(a, b), "number")
    numeric = numeric_equal(p, g)
    if numeric is not None:
        return MathVerdict(numeric, "numeric")
    if _scalar_vs_collection(p, g):  # a number is never a tuple, set or interval
        return MathVerdict(False, "numeric")
    if len(p) > MAX_SYMPY_CHARS or _REFUSED.search(p):
        return MathVerdict(False, "refused")
    warm_up()
    try:
        with time_limit(timeout_s):
            return MathVerdict(_sympy_equal(p, g), "sympy")
    except CheckTimeout:
        return MathVerdict(False, "timeout")
    except Exception:  # SymPy and the LaTeX parser raise many kinds on odd input (deep
        return MathVerdict(False, "error")  # nesting: RecursionError, also an Exception)
