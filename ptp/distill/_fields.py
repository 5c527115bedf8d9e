"""Text fields: values a ptool must copy from the text, found where the traces' values are
written; their names and descriptions come from the tools' documentation and the text around
them."""

from __future__ import annotations

import inspect
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ptp.distill._text import UNITS, Mention, as_decimal, context_words, convert, find_string
from ptp.distill._text import numbers as find_numbers
from ptp.distill._text import whole as round_whole

__all__ = ["FieldSpec", "Match", "arg_docs", "match_value"]


@dataclass(frozen=True)
class Match:
    """How one trace's value is written: copied (``unit`` None or equal to ``target``) or
    converted from ``unit``; ``written`` is the value as the text has it."""

    written: Any
    start: int
    end: int
    unit: str | None = None
    target: str | None = None


def match_value(text: str, value: Any) -> list[Match]:
    """Every place ``value`` (a string, or a number possibly in another unit) is written."""
    if isinstance(value, str):
        where = find_string(text, value)
        return [] if where is None else [Match(value, where, where + len(value))]
    number = as_decimal(value)
    if number is None:
        return []
    found = []
    for mention in find_numbers(text):
        if mention.value == number:
            found.append(Match(mention.value, mention.start, mention.end, mention.unit,
                               mention.unit))  # fmt: skip
        elif mention.unit is not None:
            found += _conversions(mention, number)
    return found


def _conversions(mention: Mention, number: Decimal) -> list[Match]:
    assert mention.unit is not None
    dimension = UNITS[mention.unit][0]
    return [
        Match(mention.value, mention.start, mention.end, mention.unit, target)
        for target, (dim, _) in UNITS.items()
        if dim == dimension and target != mention.unit
        and round_whole(convert(mention.value, mention.unit, target)) == number
    ]  # fmt: skip


@dataclass
class FieldSpec:
    """One field of a generated ptool's return type.

    ``kind``: "str", "choice" (``choices``), "number" (copied), "quantity" (a number and its
    unit as written; Python converts to ``target``). ``values`` maps task id -> the value a
    correct reading gives (for validation with exact ptools); ``context`` counts the words
    written around it (one count per trace).
    """

    group: str
    name: str
    kind: str
    description: str
    choices: tuple[Any, ...] = ()
    target: str | None = None
    units: tuple[str, ...] = ()
    integer: bool = False
    values: dict[str, Any] = field(default_factory=dict)
    units_written: dict[str, str] = field(default_factory=dict)
    context: Counter[str] = field(default_factory=Counter)
    latent: bool = False
    """Not written in the text (no rule found): the model must infer it."""
    origin: tuple[str, str, int | None] = ("", "", None)
    """(step var, argument, term index): the call argument whose value the field gives."""

    def near(self, n: int = 3, share: float = 0.25) -> str:
        """The most frequent words around the value, with counts; only words around it in at
        least ``share`` of the traces (a name in a few traces is not the field's context)."""
        least = share * len(self.values)
        common = [(w, c) for w, c in self.context.most_common(n) if c >= least]
        return ", ".join(f"{w} ({c})" for w, c in common)


_ARG = re.compile(r"^\s{4}(\w+): (.*)$")


def arg_docs(doc: str) -> dict[str, str]:
    """Argument descriptions from a Google-style docstring's ``Args:`` section (also the
    "a: ... b: ..." form on one line)."""
    docs: dict[str, str] = {}
    doc = inspect.cleandoc(doc)
    lines = doc.split("Args:", 1)[1].splitlines() if "Args:" in doc else []
    current = None
    for line in lines:
        if line.strip() and not line.startswith(" "):
            break  # the next section
        hit = _ARG.match(line)
        if hit:
            current = hit.group(1)
            docs[current] = hit.group(2).strip()
        elif current and line.strip():
            docs[current] += " " + line.strip()
    for name, text in list(docs.items()):
        parts = re.split(r"(?<=\.) (\w+): ", text)
        docs[name] = parts[0]
        for other, rest in zip(parts[1::2], parts[2::2], strict=False):
            docs.setdefault(other, rest)
    return docs


def context_of(text: str, match: Match) -> set[str]:
    """The words around one match (a set: each trace counts once)."""
    return set(context_words(text, match.start, match.end))
