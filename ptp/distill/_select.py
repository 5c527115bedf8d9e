"""Stage 1: keep the successful episodes, or refuse with the count that is missing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ptp.distill._corpus import Episode
from ptp.distill._errors import DistillError

__all__ = ["MIN_TRACES", "Selection", "select"]

MIN_TRACES = 10
"""Fewest successful episodes a distillation accepts (``--min-traces``)."""


@dataclass(frozen=True)
class Selection:
    """The episodes kept, and how many of each teacher were read."""

    kept: tuple[Episode, ...]
    read: int
    threshold: float
    teachers: dict[str, int]

    @property
    def teacher(self) -> str:
        """The teacher of the kept episodes ("a + b" when several)."""
        return " + ".join(sorted(self.teachers))

    def summary(self) -> str:
        return (
            f"{len(self.kept)} successful traces of {self.read} (score >= {self.threshold:g}) "
            f"from {self.teacher}"
        )


def select(
    episodes: list[Episode], *, threshold: float = 1.0, min_traces: int = MIN_TRACES
) -> Selection:
    """The episodes scoring at least ``threshold``.

    Raises:
        DistillError: fewer than ``min_traces`` are kept ("3 successful traces of 40; need
            >= 10"), with what to do.
    """
    if min_traces < 1:
        raise DistillError(f"min_traces must be >= 1, not {min_traces}")
    teachers_read = sorted({e.teacher for e in episodes})
    if len(teachers_read) > 1:
        raise DistillError(
            f"traces of {len(teachers_read)} teachers ({', '.join(teachers_read)}); distill one "
            "teacher's at a time (ptp distill --teacher SPEC)"
        )
    kept = tuple(e for e in episodes if e.score >= threshold)
    if len(kept) < min_traces:
        teachers = ", ".join(sorted({e.teacher for e in episodes}))
        raise DistillError(
            f"{len(kept)} successful traces of {len(episodes)} (score >= {threshold:g}, teacher "
            f"{teachers}); need >= {min_traces}: record more runs of a teacher that solves the "
            "tasks (a stronger model, or the family's expert policy expert:<family>)"
        )
    teachers = Counter(e.teacher for e in kept)
    return Selection(kept, len(episodes), threshold, dict(teachers))
