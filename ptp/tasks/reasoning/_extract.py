"""Finding the final answer inside a reply: a JSON ``answer`` field, ``\\boxed{}``, ``####``,
or an "answer is ..." sentence (the last one wins: replies end with their answer).

>>> final_answer_text("... so she pays $14. The answer is $14.")
'$14'
>>> last_boxed(r"thus \\boxed{\\frac{1}{2}}.")
'\\\\frac{1}{2}'
"""

from __future__ import annotations

import json
import re

__all__ = ["MAX_REPLY", "final_answer_text", "json_answer", "last_boxed", "marked_answer"]

MAX_REPLY = 20_000
"""Replies are read from their last ``MAX_REPLY`` characters (answers come at the end;
this bounds the cost of a reply that never stopped)."""

_BOXED = re.compile(r"\\(?:boxed|fbox)\s*")
_JSON_ANSWER = re.compile(
    r'"(?:final_answer|answer)"\s*:\s*("(?:[^"\\]|\\.)*"|-?[\d.,/]+|true|false|null)',
    re.IGNORECASE,
)
_MARKED = re.compile(
    r"(?:final answer|the answer|answer|correct option|correct choice)\s*"
    r"(?:is|would be|will be|should be|=|:)\s*:?\s*(?P<ans>[^\n]+)",
    re.IGNORECASE,
)
_HASHES = re.compile(r"####\s*(?P<ans>[^\n]+)")
_SENTENCE_END = re.compile(r"(?<!\\)\.(?:\s|$)|\s+(?:because|since|as)\s")


def last_boxed(text: str) -> str | None:
    """The inside of the last ``\\boxed{...}`` (or ``\\fbox``; nested braces matched), or the
    token after ``\\boxed `` without braces; None when there is none or it never closes."""
    if not isinstance(text, str):
        return None
    text = text[-MAX_REPLY:]
    starts = [m.end() for m in _BOXED.finditer(text)]
    for start in reversed(starts):
        if start < len(text) and text[start] == "{":
            depth = 0
            for i in range(start, len(text)):
                if text[i] == "{":
                    depth += 1
                elif text[i] == "}":
                    depth -= 1
                    if depth == 0:
                        return text[start + 1 : i].strip()
            continue  # unclosed: try an earlier one
        token = text[start:].split(maxsplit=1)
        if token and text[start - 1].isspace():
            return token[0].rstrip(".$")
    return None


def json_answer(text: str) -> str | None:
    """The value of the last ``"answer"`` (or ``"final_answer"``) key written in ``text``,
    also in cut-off JSON; None when there is none or it is null."""
    if not isinstance(text, str):
        return None
    found = list(_JSON_ANSWER.finditer(text[-MAX_REPLY:]))
    if not found:
        return None
    raw = found[-1].group(1)
    if raw == "null":
        return None
    if raw.startswith('"'):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw.strip('"')
        return str(value).strip() or None
    return raw


def marked_answer(text: str) -> str | None:
    """What follows the last "answer is" / "answer:" / "####" in ``text``, to the end of
    that sentence; None when the text marks no answer."""
    if not isinstance(text, str):
        return None
    text = text[-MAX_REPLY:]
    found = [m for pattern in (_MARKED, _HASHES) for m in pattern.finditer(text)]
    if not found:
        return None
    answer = max(found, key=lambda m: m.start()).group("ans")
    answer = _SENTENCE_END.split(answer, maxsplit=1)[0]
    return answer.strip().strip("*").strip() or None


def final_answer_text(text: str) -> str | None:
    """The reply's final answer as written: a JSON answer field, else the last ``\\boxed{}``,
    else a marked answer (:func:`marked_answer`); None when the reply marks none."""
    for find in (json_answer, last_boxed, marked_answer):
        found = find(text)
        if found:
            return found
    return None
