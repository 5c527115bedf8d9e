"""Eval grids: the ``ptp_grid`` marker expands into one ``EvalCase`` per
axes-cell x task x epoch, with short stable ids that also name the cassettes."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ptp.models import parse_spec

TaskLoader = Callable[[dict[str, str]], Sequence[Any]]


@dataclass(frozen=True)
class Comparison:
    """A paired comparison a suite declares: ``axis`` value ``a`` against value ``b``."""

    axis: str
    a: str
    b: str

    @classmethod
    def parse(cls, raw: Comparison | Sequence[str]) -> Comparison:
        if isinstance(raw, Comparison):
            return raw
        axis, a, b = raw
        return cls(str(axis), str(a), str(b))


def parse_stats(raw: Any) -> tuple[str, ...]:
    """``ptp_grid(stats=...)``: a list of names (numeric row fields or ``extra`` keys).

    Raises:
        TypeError: If ``raw`` is a bare string or not a list of non-empty strings.
    """
    fix = "give a list of names, e.g. stats=['tool_calls', 'optimality']"
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise TypeError(f"ptp_grid(stats={raw!r}): {fix}")
    bad = [s for s in raw if not isinstance(s, str) or not s]
    if bad:
        raise TypeError(f"ptp_grid(stats=...): {bad[0]!r} is not a name; {fix}")
    return tuple(dict.fromkeys(raw))


@dataclass(frozen=True)
class GridSpec:
    """What a ``@pytest.mark.ptp_grid(...)`` marker declares.

    ``stats`` names per-cell statistics the report shows (mean and CI over tasks): numeric
    row fields such as ``tool_calls`` or keys of the row's ``extra``.
    """

    suite: str
    axes: Mapping[str, Sequence[Any]]
    tasks: TaskLoader
    models: Sequence[str] = ()
    compare: tuple[Comparison, ...] = ()
    stats: tuple[str, ...] = ()

    @classmethod
    def from_marker(cls, *args: Any, **kwargs: Any) -> GridSpec:
        if args:
            raise TypeError("ptp_grid takes keyword arguments only: suite=, axes=, tasks=, ...")
        kwargs["compare"] = tuple(Comparison.parse(c) for c in kwargs.get("compare", ()))
        kwargs["stats"] = parse_stats(kwargs.get("stats", ()))
        return cls(**kwargs)

    def suite_info(self) -> dict[str, Any]:
        """The suite's entry in ``suites.json``: its comparisons and statistics."""
        return {
            "compare": [[c.axis, c.a, c.b] for c in self.compare],
            "stats": list(self.stats),
        }


@dataclass(frozen=True)
class EvalCase:
    """One eval case: a grid cell (axes, model included), a task and an epoch."""

    suite: str
    case_id: str
    axes: Mapping[str, str]
    task: Any = field(repr=False)
    task_id: str
    epoch: int = 0
    seed: int = 0

    def __getitem__(self, axis: str) -> str:
        return self.axes[axis]

    @property
    def model(self) -> str:
        return self.axes.get("model", "")


def task_id_of(task: Any) -> str:
    """A task's id: ``task.task_id`` or ``task["task_id"]``."""
    value = task.get("task_id") if isinstance(task, Mapping) else getattr(task, "task_id", None)
    if not value:
        raise ValueError(f"task {task!r:.80} has no task_id; give every task a stable id")
    return str(value)


def slug(value: Any) -> str:
    """A short file-name-safe label for an axis value."""
    if isinstance(value, str) and ":" in value:
        try:
            return parse_spec(value).slug
        except ValueError:
            pass
    return re.sub(r"[^A-Za-z0-9.]+", "-", str(value)).strip("-")


def expand(spec: GridSpec, models: Sequence[str], epochs: int, seed: int) -> list[EvalCase]:
    """All cases of a grid. ``models`` (from --ptp-model) replaces the grid's model axis."""
    model_axis = list(models or spec.models)
    names = list(spec.axes)
    cases: list[EvalCase] = []
    for values in itertools.product(*(spec.axes[n] for n in names)):
        cell = {n: str(v) for n, v in zip(names, values, strict=True)}
        tasks = spec.tasks(dict(cell))
        for model in model_axis or [""]:
            axes = {**cell, "model": model} if model else dict(cell)
            prefix = "-".join(slug(axes[n]) for n in [*names, "model"] if n in axes)
            for task in tasks:
                tid = task_id_of(task)
                for epoch in range(epochs):
                    suffix = f"-e{epoch}" if epochs > 1 else ""
                    cases.append(
                        EvalCase(
                            suite=spec.suite,
                            case_id=f"{prefix}-{slug(tid)}{suffix}",
                            axes=axes,
                            task=task,
                            task_id=tid,
                            epoch=epoch,
                            seed=seed + epoch,
                        )
                    )
    ids = [c.case_id for c in cases]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})[:3]
        raise ValueError(
            f"grid {spec.suite!r}: case ids {twice} occur twice (they name cassettes); "
            "make task ids unique within a cell"
        )
    return cases
