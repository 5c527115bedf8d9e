"""The shipped distilled workflows and the teacher corpora they are distilled from.

Regenerate every shipped workflow (after a change to mining or synthesis):

    python -m workflows.shipped

``evals/test_distilled.py`` checks that each file equals what its corpus distills to today.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ptp.distill import Distilled, distill_episodes, run_teacher
from ptp.tasks import get_family

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Corpus:
    """A teacher's runs on generated training tasks: ``n`` per (complexity, style), drawn with
    ``seed`` (the eval fixtures use seed 2026, so no training task is an eval task)."""

    family: str
    teacher: str
    level: str
    seed: int
    n: int
    cells: tuple[tuple[int, str], ...]

    def tasks(self) -> list:
        fam = get_family(self.family)
        return [t for c, s in self.cells for t in fam.generate(self.n, self.seed, complexity=c,
                                                               style=s)]  # fmt: skip

    def describe(self) -> str:
        cells = ", ".join(f"c{c}/{s}" for c, s in self.cells)
        return (
            f"{self.teacher} {self.level} runs on generated tasks (seed {self.seed}, "
            f"{self.n} per cell: {cells}); python -m workflows.shipped"
        )


SHIPPED = {
    "airline_expert.py": Corpus(
        "airline", "expert:airline", "L3", seed=7, n=10,
        cells=tuple((c, s) for c in (0, 1, 2) for s in ("template", "paraphrase")),
    ),
}  # fmt: skip
"""File name in workflows/ -> the corpus it is distilled from."""


@cache
def episodes(name: str) -> tuple:
    corpus = SHIPPED[name]
    return tuple(run_teacher(corpus.family, corpus.teacher, corpus.tasks(), corpus.level))


def distilled(name: str) -> Distilled:
    """What ``name``'s corpus distills to now."""
    corpus = SHIPPED[name]
    return distill_episodes(list(episodes(name)), corpus.family, traces=corpus.describe(),
                            source_level=corpus.level)  # fmt: skip


def main() -> int:
    for name in SHIPPED:
        result = distilled(name)
        (HERE / name).write_text(result.source, encoding="utf-8")
        print(f"wrote workflows/{name}: {result.selection.summary()}, {result.seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
