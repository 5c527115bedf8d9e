"""Behavior distillation: agent traces -> a readable L1 workflow module.

    result = distill("results/2026-11-26T10-00-00", family="airline")
    Path("workflows/airline_distilled.py").write_text(result.source)

Stages, one module each: select (``_select``: successful traces, enough of them), mine
(``_mine``: one canonical call path, every argument's provenance, the loop, the branches, the
answer), synthesize (``_synthesize``: ruff-formatted Python), validate (``_validate``: the
workflow with exact ptools on training and held-out tasks; ``ptp distill --validate``).
Generated modules import ``ptp.distill.runtime``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ptp.distill._corpus import (
    Call,
    Episode,
    episode_from_trace,
    load_episodes,
    read_imported,
    run_teacher,
)
from ptp.distill._errors import DistillError
from ptp.distill._examples import WorkedExample, worked_examples
from ptp.distill._mine import Plan, mine
from ptp.distill._select import MIN_TRACES, Selection, select
from ptp.distill._sft import PtoolData, ptool_examples
from ptp.distill._synthesize import synthesize
from ptp.distill._validate import (
    ExactCheck,
    Validation,
    check_exact,
    exact_readings,
    load_workflow,
    validate,
)
from ptp.distill.runtime import _whole_text

__all__ = [
    "MIN_TRACES",
    "Call",
    "DistillError",
    "Distilled",
    "Episode",
    "ExactCheck",
    "Plan",
    "PtoolData",
    "Selection",
    "Validation",
    "WorkedExample",
    "check_exact",
    "distill",
    "distill_episodes",
    "episode_from_trace",
    "exact_readings",
    "load_episodes",
    "load_workflow",
    "ptool_examples",
    "read_imported",
    "run_teacher",
    "validate",
    "worked_examples",
]


@dataclass(frozen=True)
class Distilled:
    """A distillation's outcome: the module source, the mined plan, the selection, and how
    long mining and synthesis took (seconds)."""

    source: str
    plan: Plan
    selection: Selection
    seconds: float


def distill_episodes(
    episodes: list[Episode],
    family: str,
    *,
    traces: str,
    threshold: float = 1.0,
    min_traces: int = MIN_TRACES,
    source_level: str = "L3",
) -> Distilled:
    """Select, mine and synthesize from ``episodes`` (see :func:`distill`)."""
    from ptp.tasks import get_family

    start = time.perf_counter()
    fam = get_family(family)
    selection = select(episodes, threshold=threshold, min_traces=min_traces)
    tools = fam.tools(fam.generate(1, seed=0)[0])
    plan = mine(selection, family, tools, fam.segment)
    examples = worked_examples(plan, list(selection.kept), fam.segment or _whole_text)
    source = synthesize(plan, traces=traces, source_level=source_level, examples=examples)
    return Distilled(source, plan, selection, time.perf_counter() - start)


def distill(
    source: str | Path,
    family: str,
    *,
    teacher: str | None = None,
    threshold: float = 1.0,
    min_traces: int = MIN_TRACES,
    source_level: str = "L3",
) -> Distilled:
    """Distill the agent traces in ``source`` (a results dir or an imported ``.jsonl``);
    ``source_level`` is the family solver that made them (what the fallback runs).

    Raises:
        DistillError: no traces, too few successful ones, or no common path; the message says
            which and what to do.
    """
    episodes = load_episodes(source, teacher=teacher)
    return distill_episodes(
        episodes, family, traces=str(source), threshold=threshold, min_traces=min_traces,
        source_level=source_level,
    )  # fmt: skip
