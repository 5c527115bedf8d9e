"""What generated workflows import: the tool table, unit conversion, and the solver wrapper
with the fallback to the source agent.

    WORKFLOW = DistilledWorkflow(family="airline", teacher="expert:airline", run=run)
    result = WORKFLOW.solve(task, model)          # a family solver: SolverResult
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from ptp.distill._mine import Segmenter
from ptp.distill._text import to_unit
from ptp.distill._text import whole as _whole
from ptp.models import Model, get_model
from ptp.ptool import PToolError, ptool_overrides
from ptp.tasks._family import SolverResult, watch_replies
from ptp.tools import Tool, ToolError

__all__ = ["DistilledWorkflow", "Segmenter", "Tools", "to_unit", "whole"]


def _whole_text(text: str) -> tuple[str, list[str]]:
    """The segmenter of a family without items: the whole text, no items."""
    return text, []


def whole(value: float) -> int:
    """A number as written, rounded half up to an integer."""
    return _whole(Decimal(repr(value)))


class Tools:
    """A family's tools by attribute (``tools.region_of(city=...)``); calls are traced."""

    def __init__(self, tools: Sequence[Tool]) -> None:
        self._tools = {t.name: t for t in tools}

    def __getattr__(self, name: str) -> Tool:
        try:
            return self._tools[name]
        except KeyError:
            raise AttributeError(
                f"the family has no tool {name!r} (it has {', '.join(self._tools)}); "
                "re-distill the workflow against the current tools"
            ) from None


@dataclass(frozen=True)
class DistilledWorkflow:
    """A generated ``run`` as a family solver.

    ``solve(task, model, fallback="teacher")`` runs the source agent (``source_level`` with
    the teacher model) when a ptool's output fails validation or a tool refuses what was read
    (the consistency check); ``fallback=None`` leaves the case unanswered (the row says
    ``fallback_needed``), which measures the workflow alone.
    """

    family: str
    teacher: str
    run: Callable[[str, Tools, Segmenter], Any]
    source_level: str = "L3"

    def solve(self, task: Any, model: Model | None, fallback: str | None = None) -> SolverResult:
        from ptp.tasks import get_family

        assert model is not None, "a distilled workflow needs a model for its ptools"
        family = get_family(self.family)
        segment = family.segment or _whole_text
        watched = watch_replies(model)
        try:
            with ptool_overrides(model=watched):
                answer = self.run(family.prompt(task), Tools(family.tools(task)), segment)
        except (PToolError, ValidationError) as err:
            return self._fall_back(task, "parse_failure", err, watched, fallback)
        except ToolError as err:
            return self._fall_back(task, "tool_error", err, watched, fallback)
        except (ValueError, TypeError, KeyError) as err:
            return self._fall_back(task, "invalid_value", err, watched, fallback)
        extra = {"fallback_needed": 0, "fallback_used": 0}
        return SolverResult(answer, finish_reason=watched.worst_finish_reason, extra=extra)

    def _fall_back(
        self, task: Any, stop: str, err: Exception, watched: Any, fallback: str | None
    ) -> SolverResult:
        failure = f"{type(err).__name__}: {str(err)[:300]}"
        if fallback != "teacher":
            extra = {"fallback_needed": 1, "fallback_used": 0}
            return SolverResult(None, stop, watched.worst_finish_reason, failure, extra)
        from ptp.tasks import get_family

        teacher: Any = get_model(self.teacher)
        if hasattr(teacher, "for_task"):
            teacher = teacher.for_task(task)
        result = get_family(self.family).solvers[self.source_level](task, teacher)
        result.extra.update(fallback_needed=1, fallback_used=1, fallback_reason=failure)
        return result
