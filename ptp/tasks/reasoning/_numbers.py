"""Numbers in answers: thousands separators, decimals, fractions (also ``\\frac{a}{b}``),
mixed numbers, percentages, currency and units around them, small number words.

>>> parse_number("$1,234.50 in total")
Number(value=Fraction(2469, 2), percent=False)
>>> numbers_equal(parse_number("50%"), parse_number("0.5"))
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["Number", "exact_number", "numbers_equal", "parse_number"]

# Only this much of an answer's end is searched: the last number is what counts, and a
# pathological reply must not cost more than a bounded scan.
MAX_SCAN = 4000
MAX_DIGITS = 60  # longer digit strings are not answers (and Fraction of them is slow)

_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
_TOKEN = re.compile(
    rf"(?:(?<![\w)])(?P<neg>-))?(?:(?P<mixed>\d+)\s+(?=\d+\s*/))?(?:(?P<num>{_DIGITS}(?:\.\d+)?|\.\d+)"
    rf"(?:\s*/\s*(?P<den>{_DIGITS}))?)(?P<pct>\s*(?:%|percent\b|per\s?cent\b))?",
    re.IGNORECASE,
)
_FRAC = re.compile(r"\\[dt]?frac\s*\{\s*([^{}]*)\}\s*\{\s*([^{}]*)\}|\\[dt]?frac\s*(\d)\s*(\d)")
_TEXT = re.compile(r"\\(?:text|textbf|mathrm|mbox|textnormal)\s*\{([^{}]*)\}")
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
_WORDS = {w: i for i, w in enumerate(_NUMBER_WORDS.split(" "))}
_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.IGNORECASE)
_CLEAN = [
    ("−", "-"),  # unicode minus
    ("–", "-"),
    ("{,}", ","),
    ("\\,", ""),
    ("\\!", ""),
    ("\\;", " "),
    ("\\ ", " "),
    ("\\%", "%"),
    ("\\$", ""),
    ("$", ""),
    ("\\left", ""),
    ("\\right", ""),
    ("^\\circ", ""),
    ("^{\\circ}", ""),
    ("°", ""),
]


@dataclass(frozen=True)
class Number:
    """An exact number read from text; ``percent`` when it was written as a percentage
    (``50%`` is ``Number(50, percent=True)``)."""

    value: Fraction
    percent: bool = False


_NEEDS_CLEAN = re.compile(r"[\\${}°−–^]")


def _clean(text: str) -> str:
    text = text[-MAX_SCAN:]
    if not _NEEDS_CLEAN.search(text):  # plain text: nothing to rewrite (the common case)
        return text
    for old, new in _CLEAN:
        text = text.replace(old, new)
    if "\\" not in text:
        return text
    text = _TEXT.sub(r" \1 ", text)
    return _FRAC.sub(lambda m: f"{m[1] or m[3]}/{m[2] or m[4]}", text)


def _digits_ok(*parts: str | None) -> bool:
    return all(p is None or len(p) <= MAX_DIGITS for p in parts)


def _to_number(m: re.Match[str]) -> Number | None:
    num, den, mixed = m["num"], m["den"], m["mixed"]
    if not _digits_ok(num, den, mixed):
        return None
    value = Fraction(num.replace(",", ""))
    if den is not None:
        d = Fraction(den.replace(",", ""))
        if d == 0:
            return None
        value /= d
    if mixed is not None:  # "2 1/2" (the pattern takes it only before a fraction)
        value += Fraction(mixed)
    if m["neg"]:
        value = -value
    return Number(value, percent=bool(m["pct"]))


def parse_number(text: str | int | float | None) -> Number | None:
    """The last number in ``text`` (an answer such as ``"$1,200"``, ``"3/4 cup"``,
    ``"\\frac{3}{4}"``, ``"2 1/2"``, ``"12.5%"``, ``"x = -3"``, ``"twelve"``), or None.

    Units and currency around the number are ignored; a number word counts only when the
    text has no digits. Never raises.
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        try:
            return Number(Fraction(text))
        except (ValueError, OverflowError):  # nan, inf
            return None
    if not isinstance(text, str):
        return None
    cleaned = _clean(text)
    last = None
    for m in _TOKEN.finditer(cleaned):
        last = m
    if last is not None:
        return _to_number(last)
    words = _WORD.findall(cleaned)
    return Number(Fraction(_WORDS[words[-1].lower()])) if words else None


_EXACT = re.compile(rf"\s*[-+]?\s*{_TOKEN.pattern}\s*", re.IGNORECASE)


def exact_number(text: str) -> Number | None:
    """``text`` read as a number only when it is nothing else (``"3/4"``, ``"\\frac{3}{4}"``,
    ``"1,000"``, ``"50\\%"``); None for ``"2\\sqrt{2}"`` or ``"x+1"``. Never raises."""
    if not isinstance(text, str) or len(text) > 200:
        return None
    cleaned = _clean(text).strip().rstrip(".").strip()
    if cleaned.startswith("+"):
        cleaned = cleaned[1:]
    m = _TOKEN.fullmatch(cleaned)
    return _to_number(m) if m else None


def numbers_equal(a: Number | None, b: Number | None, rel_tol: float = 1e-6) -> bool:
    """``a`` equals ``b`` exactly, or within ``rel_tol`` (relative, for rounded decimals);
    a percentage also equals its fraction (``50%`` == ``0.5``) and its bare number (``50``)."""
    if a is None or b is None:
        return False
    candidates = [(a.value, b.value)]
    if a.percent != b.percent:
        pa, pb = (a.value / 100, b.value) if a.percent else (a.value, b.value / 100)
        candidates.append((pa, pb))
    tol = Fraction(rel_tol)
    return any(x == y or abs(x - y) <= tol * max(1, abs(y)) for x, y in candidates)
