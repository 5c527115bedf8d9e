"""Code's part of L1 reading: where each item is written in the prompt, carry-on first.

The rule (no item names, no layout list): an item span starts at an article ("a", "an") and
one to three lowercase words followed by ``:``, ``,``, ``(`` or ``measuring``, and ends at the
first weight after it on the same line (a number then lb, lbs, pound(s), kg or kilogram(s)).
Spans keep the text's order, except that the one span marked as the carry-on ("carry-on",
"in the cabin", "overhead" in its own sentence) moves to the front; with no mark the first
span is the carry-on (the benchmark's own wording).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ItemSpan", "SpanError", "find_item_spans", "header_text", "inches_only", "segment_text"]

_ITEM = re.compile(
    r"\b[Aa]n? (?:[a-z][a-z-]*)(?: [a-z][a-z-]*){0,2}(?=\s*[:,(]|\s+measuring\b)"
    r"[^\n]*?\d+(?:\.\d+)?\s*(?:lbs?|pounds?|kgs?|kilograms?)\b"
)
_CARRY_ON = re.compile(r"carry[- ]?on|in the cabin|overhead|personal item", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.;](?:\s|$)|\n")
_FEET = re.compile(r"\b(\d+) (?:ft|feet|foot)(?: (\d+) (?:in|inch|inches)\b)?")


class SpanError(ValueError):
    """The prompt's items could not be delimited (none found, or two marked carry-on)."""


@dataclass(frozen=True)
class ItemSpan:
    """One item's text, ``text[start:end]`` of the prompt."""

    start: int
    end: int
    text: str


def _close(text: str, end: int, span: str) -> int:
    # "a suitcase (35 by 29 by 14 in; 82 lb)": keep the closing bracket with the item.
    if span.count("(") > span.count(")") and text[end : end + 1] == ")":
        return end + 1
    return end


def _own_sentence(text: str, span: ItemSpan, before: int, after: int) -> str:
    """The words around ``span`` in its sentence, not crossing the neighbouring spans."""
    head = text[before : span.start]
    starts = [m.end() for m in _SENTENCE_END.finditer(head)]
    tail = text[span.end : after]
    stop = _SENTENCE_END.search(tail)
    return head[starts[-1] if starts else 0 :] + " " + tail[: stop.start() if stop else None]


def find_item_spans(text: str) -> list[ItemSpan]:
    """The items of ``text``, carry-on first, then the checked bags in the order written.

    Raises:
        SpanError: no item found, or more than one marked as the carry-on.
    """
    spans = []
    for m in _ITEM.finditer(text):
        end = _close(text, m.end(), m.group())
        spans.append(ItemSpan(m.start(), end, text[m.start() : end]))
    if not spans:
        raise SpanError("no item (an article, a name, sizes and a weight) found in the text")
    bounds = [0, *(s.end for s in spans)], [*(s.start for s in spans), len(text)]
    marked = [
        i
        for i, span in enumerate(spans)
        if _CARRY_ON.search(_own_sentence(text, span, bounds[0][i], bounds[1][i + 1]))
    ]
    if len(marked) > 1:
        raise SpanError(f"{len(marked)} items are marked as the carry-on; expected one")
    first = marked[0] if marked else 0
    return [spans[first], *spans[:first], *spans[first + 1 :]]


def header_text(text: str, spans: list[ItemSpan]) -> str:
    """``text`` with each item span replaced by ``[item k]`` (k in carry-on-first order)."""
    numbered = sorted((s.start, s.end, k) for k, s in enumerate(spans, 1))
    out, pos = [], 0
    for start, end, k in numbered:
        out += [text[pos:start], f"[item {k}]"]
        pos = end
    return "".join(out) + text[pos:]


def inches_only(span: str) -> str:
    """Feet-and-inches lengths rewritten in inches: ``"3 ft 10 in"`` -> ``"46 in"``,
    ``"2 ft"`` -> ``"24 in"`` (exact; one number per length is what the item ptool copies)."""
    return _FEET.sub(lambda m: f"{int(m[1]) * 12 + int(m[2] or 0)} in", span)


def segment_text(text: str) -> tuple[str, list[str]]:
    """The family's ``segment``: (the text with the items cut out, each item's text with
    feet-and-inches lengths in inches), carry-on first.

    Raises:
        SpanError: the items could not be delimited.
    """
    spans = find_item_spans(text)
    return header_text(text, spans), [inches_only(span.text) for span in spans]
