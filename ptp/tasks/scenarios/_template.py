"""Scenario templates (YAML data) and the task type every scenario family shares."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ptp.tasks._fixtures import TaskFileError

__all__ = [
    "RECAP_HEADING",
    "Criterion",
    "ScenarioTask",
    "ScenarioTemplate",
    "ScenarioTemplateError",
    "load_templates",
]

RECAP_HEADING = "中文摘要："
"""The line that starts the optional short Chinese recap of a final answer (language policy)."""


class ScenarioTemplateError(TaskFileError):
    """A scenario YAML file that cannot be used; the message names the file, field and fix."""


class Criterion(BaseModel):
    """One rubric criterion a reviewer checks (met or not); ``weight`` counts in the score."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)


class ScenarioTemplate(BaseModel):
    """A scenario as data: what the user wants, what the agent may assume and use, how hard it
    is, and the rubric a reviewer scores a trace against.

    Attributes:
        name: the scenario's id within its family ("service-down").
        family: the family that owns its environment ("terminal").
        goal: one line for people: what a successful run achieves.
        assumptions: facts about the environment the system prompt states.
        tools: the environment tools the agent gets (names of the environment's methods).
        difficulty: "easy", "medium" or "hard".
        capabilities: what the scenario exercises ("diagnosis", "policy", ...), for coverage.
        rubric: the criteria a reviewer checks.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    family: str
    goal: str = Field(min_length=1)
    assumptions: tuple[str, ...] = ()
    tools: tuple[str, ...] = Field(min_length=1)
    difficulty: Literal["easy", "medium", "hard"]
    capabilities: tuple[str, ...] = ()
    rubric: tuple[Criterion, ...] = Field(min_length=1)

    @field_validator("tools")
    @classmethod
    def _unique(cls, tools: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(tools)) != len(tools):
            raise ValueError("a tool is listed twice")
        return tools

    def rubric_text(self) -> str:
        """The rubric as numbered lines ``name: description``."""
        return "\n".join(f"{n}. {c.name}: {c.description}" for n, c in enumerate(self.rubric, 1))


class ScenarioTask(BaseModel):
    """One drawn instance of a scenario: the user's request, the environment's initial state
    and the ground truth its judge uses (family-specific JSON)."""

    model_config = ConfigDict(extra="forbid")

    task_id: str
    family: str
    scenario: str
    seed: int
    difficulty: str
    user: str
    state: dict[str, Any]
    expected: dict[str, Any] = Field(default_factory=dict)


def load_templates(path: str | Path, family: str) -> dict[str, ScenarioTemplate]:
    """The templates in a YAML file (a list of mappings), by name.

    Raises:
        ScenarioTemplateError: unreadable YAML, a bad field (named with the template's index
            and the fix), a template of another family, or a name used twice.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ScenarioTemplateError(
            f"{path}: cannot read the scenarios ({err}); fix the YAML"
        ) from err
    if not isinstance(data, list):
        raise ScenarioTemplateError(
            f"{path}: expected a list of scenarios, got {type(data).__name__}"
        )
    templates: dict[str, ScenarioTemplate] = {}
    for index, item in enumerate(data):
        where = f"{path}: scenario {index}"
        if isinstance(item, dict) and "name" in item:
            where += f" ({item['name']})"
        try:
            template = ScenarioTemplate.model_validate(item)
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(the mapping)"
            raise ScenarioTemplateError(
                f"{where}: field {field!r}: {first['msg']}; fix it as ScenarioTemplate documents"
            ) from err
        if template.family != family:
            raise ScenarioTemplateError(
                f"{where}: field 'family' is {template.family!r}; this file belongs to {family!r}"
            )
        if template.name in templates:
            raise ScenarioTemplateError(f"{where}: field 'name' is used twice; rename one")
        templates[template.name] = template
    return templates
