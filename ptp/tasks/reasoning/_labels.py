"""Answers that are labels: a multiple-choice option (by letter or by its text), yes/no,
an NLI label.

>>> read_choice("The answer is (B).", ("A", "B"), ("cat", "dog"))
'B'
>>> read_choice("I'd say a dog.", ("A", "B"), ("cat", "dog"))
'B'
>>> read_yes_no("No, because sloths are slow.")
'no'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ._extract import MAX_REPLY, final_answer_text
from ._schema import NLI_LABELS

__all__ = ["read_choice", "read_nli", "read_yes_no"]

_STRIP = " \t\n.:;,!*\"'`"
_PREFIX = re.compile(
    r"^(?:the\s+)?(?:answer|option|choice|correct answer)\s*(?:is\s*)?[:\-]?\s*", re.I
)
_NORM = re.compile(r"[^a-z0-9]+")


def _norm(text: str) -> str:
    return _NORM.sub(" ", text.lower()).strip()


def _label_at_start(text: str, labels: Sequence[str]) -> str | None:
    """``B``, ``(B)``, ``B)``, ``B.``, ``[B]``, ``B: dog``, ``Option B``: the label first."""
    text = _PREFIX.sub("", text.strip(_STRIP))
    m = re.match(r"^[(\[]?\s*([A-Za-z0-9]{1,3})\s*[)\]]?(?:$|[.:)\]\s-])", text)
    if not m:
        return None
    token = m.group(1)
    exact = [lab for lab in labels if lab == token]
    if exact:
        return exact[0]
    # lower-case letters only when the whole answer is the label ("b"), not an article ("a dog")
    if text.strip(_STRIP + "()[]").lower() == token.lower():
        folded = [lab for lab in labels if lab.lower() == token.lower()]
        return folded[0] if folded else None
    return None


@lru_cache(maxsize=4096)
def _option_patterns(texts: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str] | None], ...]:
    """Each option's normalized text and a whole-word pattern for it (built once per set of
    options: a dataset repeats them across styles)."""
    out = []
    for text in texts:
        opt = _norm(text)
        pattern = re.compile(rf"(?<![a-z0-9]){re.escape(opt)}(?![a-z0-9])") if opt else None
        out.append((opt, pattern))
    return tuple(out)


@lru_cache(maxsize=1024)
def _parens(labels: tuple[str, ...]) -> re.Pattern[str]:
    spelled = "|".join(re.escape(lab) for lab in labels)
    return re.compile(rf"\(\s*({spelled})\s*\)")


def _label_by_text(text: str, labels: Sequence[str], texts: Sequence[str]) -> str | None:
    said = _norm(text)
    if not said:
        return None
    options = _option_patterns(tuple(texts))
    exact = [lab for lab, (opt, _) in zip(labels, options, strict=True) if opt and said == opt]
    if exact:
        return exact[0]
    found = [
        (lab, opt)
        for lab, (opt, pattern) in zip(labels, options, strict=True)
        if pattern is not None and opt in said and pattern.search(said)
    ]
    # one option named (or the longest of nested names: "new york city" over "york")
    if len(found) == 1:
        return found[0][0]
    if found:
        longest = max(found, key=lambda pair: len(pair[1]))
        if all(opt in longest[1] for _, opt in found):
            return longest[0]
    return None


def read_choice(text: str | None, labels: Sequence[str], texts: Sequence[str]) -> str | None:
    """The option a reply chose, as its label; None when it names none or several.

    The reply's final answer (:func:`final_answer_text`) is read first: a label at its start
    (``B``, ``(B)``, ``Option B: dog``), else the one option whose text it contains. Without
    a marked answer: the whole reply the same way, then its last parenthesized label
    (``(C)``). Never raises.
    """
    if not isinstance(text, str) or not labels:
        return None
    text = text[-MAX_REPLY:]
    marked = final_answer_text(text)
    for candidate in (marked, text):
        if not candidate:
            continue
        found = _label_at_start(candidate, labels) or _label_by_text(candidate, labels, texts)
        if found:
            return found
    parens = _parens(tuple(labels)).findall(text)
    return parens[-1] if parens else None


_YES = re.compile(r"\b(yes|no|true|false)\b", re.I)
_YES_MAP = {"yes": "yes", "true": "yes", "no": "no", "false": "no"}


def read_yes_no(text: str | None) -> str | None:
    """``yes`` or ``no``: the first yes/no/true/false word of the marked answer, else the
    reply's first word when it is one, else its last such word; None when there is none."""
    if not isinstance(text, str):
        return None
    text = text[-MAX_REPLY:]
    marked = final_answer_text(text)
    if marked:
        found = _YES.search(marked)
        if found:
            return _YES_MAP[found.group(1).lower()]
    first = _YES.match(text.strip(_STRIP))
    if first:
        return _YES_MAP[first.group(1).lower()]
    words = _YES.findall(text)
    return _YES_MAP[words[-1].lower()] if words else None


_NLI = re.compile(r"\b(entail\w*|neutral\w*|contradict\w*|neither|undetermined)\b", re.I)
_NLI_EXACT = {"true": "entailment", "false": "contradiction", "unknown": "neutral"}
_NLI_LETTER = dict(zip(("e", "n", "c"), NLI_LABELS, strict=True))


def _nli_word(word: str) -> str:
    word = word.lower()
    if word.startswith("entail"):
        return "entailment"
    if word.startswith("contradict"):
        return "contradiction"
    return "neutral"  # neutral, neither, undetermined


def read_nli(text: str | None) -> str | None:
    """``entailment``, ``neutral`` or ``contradiction``: from the marked answer (also
    ``true``/``false``/``unknown`` and ``e``/``n``/``c`` when that is all it says), else the
    reply's last label word; None when there is none."""
    if not isinstance(text, str):
        return None
    text = text[-MAX_REPLY:]
    marked = final_answer_text(text)
    if marked:
        bare = marked.strip(_STRIP + "()[]").lower()
        if bare in _NLI_EXACT:
            return _NLI_EXACT[bare]
        if bare in _NLI_LETTER:
            return _NLI_LETTER[bare]
        found = _NLI.search(marked)
        if found:
            return _nli_word(found.group(1))
    bare = text.strip(_STRIP + "()[]").lower()
    if bare in _NLI_EXACT:
        return _NLI_EXACT[bare]
    words = _NLI.findall(text)
    return _nli_word(words[-1]) if words else None
