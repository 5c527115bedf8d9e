"""The airline family: generated RuleArena-style problems, five solver levels, the fee tools."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from ptp.tasks._family import Family, Param
from ptp.tools import Tool

from ._expert import airline_expert
from ._generate import CHECKED_BAGS, Style, generate
from ._io import FIELD_FIXES, AirlineDataError
from ._levels import CAPS, SOLVERS, fee_tools
from ._rules import compute_total
from ._schema import AirlineProblem
from ._score import score
from ._spans import segment_text

__all__ = ["FAMILY", "FeeTools", "read_fixtures", "write_fixtures"]

STYLES = ("template", "paraphrase")
_COMPLEXITY_HELP = "airline: {} ({} checked bags)".format(
    "/".join(map(str, CHECKED_BAGS)), "/".join(map(str, CHECKED_BAGS.values()))
)


class FeeTools:
    """The airline environment: the stateless fee tools; the agent's answer is the outcome."""

    def tools(self) -> list[Tool]:
        return list(fee_tools())

    def outcome(self, answer: Any) -> Any:
        return answer


@cache
def _environment() -> FeeTools:
    return FeeTools()


def _generate(n: int, seed: int, complexity: int, style: Style) -> list[AirlineProblem]:
    return generate(n, complexity, seed, style)


def _fixture_name(complexity: int, style: str) -> str:
    return f"airline-c{complexity}-{style}.jsonl"


FAMILY: Family[AirlineProblem] = Family(
    name="airline",
    task_type=AirlineProblem,
    params=(
        Param("complexity", int, tuple(CHECKED_BAGS), 0, help=_COMPLEXITY_HELP),
        Param(
            "style", str, STYLES, "template", help="airline: the wording, " + " or ".join(STYLES)
        ),
    ),
    generator=_generate,
    fixture_name=_fixture_name,
    solvers=SOLVERS,
    scorer=score,
    reference=lambda problem: compute_total(problem.info),
    environment=lambda problem: _environment(),
    prompt=lambda problem: problem.prompt,
    caps=CAPS,
    exact_solver="L0",
    sort_keys=True,
    data_error=AirlineDataError,
    field_fixes=FIELD_FIXES,
    expert=airline_expert,
    segment=segment_text,
)
"""The airline family (``ptp.tasks.get_family("airline")``)."""


def write_fixtures(
    out_dir: Path | str,
    n: int,
    seed: int,
    complexity: int,
    style: Style,
    *,
    overwrite: bool = False,
) -> Path:
    """Write ``generate(n, complexity, seed, style)`` to ``out_dir/airline-c{c}-{style}.jsonl``
    (one problem a line, sorted keys); see :meth:`Family.write_fixtures`."""
    return FAMILY.write_fixtures(
        out_dir, n, seed, overwrite=overwrite, complexity=complexity, style=style
    )


def read_fixtures(path: Path | str) -> list[AirlineProblem]:
    """Read a file written by :func:`write_fixtures`.

    Raises:
        AirlineDataError: unreadable file or bad line; the message names line, field and fix.
    """
    return FAMILY.read_fixtures(path)
