"""The configuration of a dataset run (``ptp adf run CONFIG.yaml``), as pydantic models.

teacher_pool:
  order: weighted            # the first endpoint drawn by weight, then the preferred order
  endpoints:
    - {spec: "local:gemma-3-270m", weight: 3, max_concurrency: 1}
    - {spec: "expert:{family}", weight: 1}   # {family}: the scenario's family
reviewer_pool:
  endpoints: [{spec: "local:gemma-3-270m"}]
review_flow: {threshold: 0.75, max_rounds: 2, self_reflection: false}
prompts: {language: {primary: en, recap: zh}}
concurrency: {max_workers: 2}
scenarios:
  - {family: terminal, scenario: service-down, n: 8, seed: 0}
output: {format: jsonl, shard_rows: 500}
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ptp.errors import ConfigError

from ._language import LanguagePolicy

__all__ = [
    "AdfConfig",
    "Concurrency",
    "EndpointConfig",
    "Output",
    "PoolConfig",
    "Prompts",
    "ReviewFlow",
    "ScenarioMix",
    "load_config",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EndpointConfig(_Strict):
    """One model of a pool. ``spec`` may contain ``{family}`` (the scenario's family), e.g.
    ``expert:{family}``. ``weight`` 0: never drawn first in a ``weighted`` pool (a failover
    only); a ``preferred`` pool ignores weights."""

    spec: str = Field(min_length=3)
    weight: float = Field(default=1.0, ge=0)
    max_concurrency: int = Field(default=4, ge=1)
    timeout_s: float | None = Field(default=None, gt=0)
    max_retries: int = Field(default=2, ge=0)


class PoolConfig(_Strict):
    """Endpoints in preferred order. ``weighted``: each item's first endpoint is drawn by
    weight (seeded by the item), the others follow in preferred order; ``preferred``: always
    the preferred order."""

    endpoints: tuple[EndpointConfig, ...] = Field(min_length=1)
    order: Literal["weighted", "preferred"] = "weighted"

    @model_validator(mode="after")
    def _some_weight(self) -> PoolConfig:
        if self.order == "weighted" and not any(e.weight > 0 for e in self.endpoints):
            raise ValueError("every endpoint has weight 0; give one a positive weight")
        return self


class ReviewFlow(_Strict):
    """Acceptance: the environment's check, every validator, and a reviewer score of at least
    ``threshold``. Below it the teacher refines with the feedback, up to ``max_rounds`` times.
    ``self_reflection``: the teacher first reviews its own run (its feedback is a refinement)."""

    threshold: float = Field(default=0.75, ge=0, le=1)
    max_rounds: int = Field(default=2, ge=0)
    self_reflection: bool = False


class Prompts(_Strict):
    """Prompt settings: the language policy and text added to every system prompt."""

    language: LanguagePolicy = LanguagePolicy()
    system_extra: str = ""


class Concurrency(_Strict):
    max_workers: int = Field(default=2, ge=1)


class ScenarioMix(_Strict):
    """``n`` tasks of one scenario, drawn with ``seed``."""

    family: str
    scenario: str
    n: int = Field(ge=1)
    seed: int = 0


class Output(_Strict):
    format: Literal["jsonl", "parquet"] = "jsonl"
    shard_rows: int = Field(default=500, ge=1)
    near_threshold: float | None = Field(default=0.9, gt=0, le=1)


class AdfConfig(_Strict):
    """A dataset run's whole configuration (see the module docstring for the YAML)."""

    teacher_pool: PoolConfig
    reviewer_pool: PoolConfig
    review_flow: ReviewFlow = ReviewFlow()
    prompts: Prompts = Prompts()
    concurrency: Concurrency = Concurrency()
    scenarios: tuple[ScenarioMix, ...] = Field(min_length=1)
    output: Output = Output()

    @model_validator(mode="after")
    def _known_scenarios(self) -> AdfConfig:
        from ptp.tasks import get_family
        from ptp.tasks.scenarios import templates_of

        seen = set()
        for mix in self.scenarios:
            key = (mix.family, mix.scenario, mix.seed)
            if key in seen:  # the same task ids twice
                raise ValueError(
                    f"{mix.family}/{mix.scenario} with seed {mix.seed} is listed twice; merge "
                    "the entries (one n) or give one another seed"
                )
            seen.add(key)
            try:
                templates = templates_of(get_family(mix.family))
            except ConfigError as err:
                raise ValueError(str(err)) from None
            if mix.scenario not in templates:
                raise ValueError(
                    f"{mix.family} has no scenario {mix.scenario!r}; it has {', '.join(templates)}"
                )
        return self


def load_config(path: str | Path) -> AdfConfig:
    """The configuration in a YAML file.

    Raises:
        ConfigError: naming the file, the field and the fix.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError(f"{path}: cannot read the configuration ({err}); fix the file") from err
    try:
        return AdfConfig.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ConfigError(
            f"{path}: field {field!r}: {first['msg']}; see ptp.adf.AdfConfig for the fields"
        ) from err
