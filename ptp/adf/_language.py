"""The language policy: replies in one language first, optionally a short recap in another,
checked by a language-identification model (py3langid, langid.py's fork: 97 languages, naive
Bayes over byte n-grams; its model ships in the wheel)."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ptp.tasks.scenarios import RECAP_HEADING

__all__ = ["LanguagePolicy", "detect", "language_problems"]

MIN_LETTERS = 12
"""Texts with fewer letters are not judged (identification is unreliable on a few words)."""
MIN_PROBABILITY = 0.5
"""A text is judged to be in another language only when the identifier is at least this sure."""


class LanguagePolicy(BaseModel):
    """``primary``: the language the replies are asked to use (ISO 639-1); the final answer is
    checked. ``recap``: when set, the final answer ends with a short recap in that language
    after :data:`RECAP_HEADING`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    primary: str = Field(default="en", pattern=r"^[a-z]{2}$")
    recap: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    recap_max_chars: int = Field(default=120, gt=0)

    def instruction(self) -> str:
        """The policy as a system-prompt sentence."""
        text = f"Write every reply in {_NAMES.get(self.primary, self.primary)}."
        if self.recap:
            name = _NAMES.get(self.recap, self.recap)
            text += (
                f" End your final answer with a new line that starts with {RECAP_HEADING} and "
                f"gives a one-sentence recap in {name}."
            )
        return text


_NAMES = {"en": "English", "zh": "Chinese", "de": "German", "fr": "French", "es": "Spanish"}


@cache
def _identifier() -> Any:
    import py3langid.langid as langid  # ~1 s to load the model: only when checking

    return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)


def detect(text: str) -> tuple[str, float] | None:
    """(language, probability) of ``text``; None when it has too few letters to judge (fewer
    than :data:`MIN_LETTERS`, or than 4 CJK characters in a text of CJK script)."""
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS and not _is_cjk(text):
        return None
    language, probability = _identifier().classify(text)
    return str(language), float(probability)


def _is_cjk(text: str) -> bool:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in text) >= 4


def language_problems(answer: str | None, policy: LanguagePolicy) -> list[str]:
    """What in ``answer`` breaks ``policy`` (empty: it complies)."""
    if not answer:
        return []
    body, heading, recap = answer.partition(RECAP_HEADING)
    problems = []
    found = detect(body)
    if found is not None and found[0] != policy.primary and found[1] >= MIN_PROBABILITY:
        problems.append(
            f"the answer is in {found[0]!r} (p={found[1]:.2f}), the policy asks {policy.primary!r}"
        )
    if policy.recap is None:
        return problems
    if not heading:
        problems.append(f"no recap: the answer lacks a line starting with {RECAP_HEADING}")
        return problems
    recap = recap.strip()
    found = detect(recap)
    if not recap:
        problems.append(f"the recap after {RECAP_HEADING} is empty")
    elif found is not None and found[0] != policy.recap and found[1] >= MIN_PROBABILITY:
        problems.append(f"the recap is in {found[0]!r}, the policy asks {policy.recap!r}")
    if len(recap) > policy.recap_max_chars:
        problems.append(f"the recap has {len(recap)} characters (at most {policy.recap_max_chars})")
    return problems
