"""The environment base class of the scenario families: state, tools, and its own judge."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, ClassVar

from ptp.results import Score
from ptp.tools import Tool

from ._template import ScenarioTask, ScenarioTemplate

__all__ = ["ScenarioEnv"]


class ScenarioEnv:
    """One episode of a scenario task. Subclasses keep their state in ``self.state`` (a deep
    copy of the task's initial state), expose tools as typed, documented methods (raising
    :class:`ptp.tools.ToolError` on bad input) and implement :meth:`checks`.

    Only the methods the scenario's template lists become tools; ``templates`` is the
    family's template table (set by :func:`ptp.tasks.scenarios.scenario_family`).
    """

    templates: ClassVar[Mapping[str, ScenarioTemplate]] = {}

    def __init__(self, task: ScenarioTask) -> None:
        self.task = task
        self.state: dict[str, Any] = copy.deepcopy(task.state)
        self.answer: Any = None

    @property
    def template(self) -> ScenarioTemplate:
        return self.templates[self.task.scenario]

    def tools(self) -> list[Tool]:
        """The template's tools, bound to this episode's state."""
        return [Tool.from_function(getattr(self, name)) for name in self.template.tools]

    def checks(self) -> dict[str, bool]:
        """Named checks of the final state against ``task.expected``; all true = success."""
        raise NotImplementedError

    def outcome(self, answer: Any) -> Score:
        """The final state judged: value = share of checks passed, correct = all passed."""
        self.answer = answer
        checks = self.checks()
        passed = sum(checks.values())
        return Score(
            value=passed / len(checks) if checks else 0.0,
            correct=bool(checks) and passed == len(checks),
            answer=answer,
            expected=self.task.expected,
            metadata={"success": passed == len(checks), "checks_passed": passed,
                      "checks": len(checks), **{f"check_{k}": v for k, v in checks.items()}},
        )  # fmt: skip
