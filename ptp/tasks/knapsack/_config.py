"""Difficulty settings, kept as data files in ``configs/<difficulty>.json``."""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class DifficultyConfig(BaseModel):
    """Ranges (inclusive) that one difficulty draws instances from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    n_items: tuple[int, int]
    weight: tuple[int, int]
    value: tuple[int, int]
    n_classes: int = Field(ge=1, le=26)  # classes are the letters A, B, C, ...
    n_allowed: int = Field(ge=1)
    capacity_ratio: tuple[float, float]

    @model_validator(mode="after")
    def _ordered(self) -> DifficultyConfig:
        for name in ("n_items", "weight", "value", "capacity_ratio"):
            lo, hi = getattr(self, name)
            if not 0 < lo <= hi:
                raise ValueError(f"{name} must be [low, high] with 0 < low <= high")
        if self.n_allowed > self.n_classes:
            raise ValueError("n_allowed must not exceed n_classes")
        return self

    @property
    def classes(self) -> list[str]:
        """The class names: the first ``n_classes`` capital letters."""
        return list(string.ascii_uppercase[: self.n_classes])


def difficulties() -> list[str]:
    """The difficulty names that have a config file."""
    folder = resources.files(__package__) / "configs"
    return sorted(
        p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")
    )


@cache
def load_config(difficulty: str) -> DifficultyConfig:
    """The config of ``difficulty``.

    Args:
        difficulty: a name with a file in ``configs/`` ("easy", "medium").

    Returns:
        The validated config; ValueError names the file and the fix when it is bad or missing.
    """
    path = resources.files(__package__) / "configs" / f"{difficulty}.json"
    if not path.is_file():
        raise ValueError(
            f"unknown knapsack difficulty {difficulty!r}; use one of {difficulties()} "
            f"or add configs/{difficulty}.json"
        )
    try:
        return DifficultyConfig.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as err:
        raise ValueError(f"{path}: invalid knapsack config: {err}") from err
