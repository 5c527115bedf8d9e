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
ModelOfCell = Callable[[dict[str, str]], str]


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


def parse_reference(raw: Any) -> tuple[str, str, str, dict[str, str]] | None:
    """``ptp_grid(reference=(axis, value, note[, {other_axis: value}]))``: the cells of a
    reference solver (the optional mapping narrows them, e.g. to one wording style)."""
    if raw is None:
        return None
    fix = (
        'give reference=("level", "L0", "why it is not a measurement"), optionally with '
        '{"style": "template"} to narrow the cells'
    )
    if isinstance(raw, str) or not isinstance(raw, Sequence) or len(raw) not in (2, 3, 4):
        raise TypeError(f"ptp_grid(reference={raw!r}): {fix}")
    where = raw[3] if len(raw) == 4 else {}
    if not isinstance(where, Mapping):
        raise TypeError(f"ptp_grid(reference={raw!r}): {fix}")
    axis, value = str(raw[0]), str(raw[1])
    note = str(raw[2]) if len(raw) > 2 else "reference solver, not a measurement"
    return axis, value, note, {str(k): str(v) for k, v in where.items()}


def parse_caps(raw: Any) -> dict[str, str]:
    """``ptp_grid(caps={"level=L3": "step limit 6"})``: the settings that cap some cells."""
    if not isinstance(raw, Mapping) or not all(
        isinstance(k, str) and "=" in k and isinstance(v, str) for k, v in raw.items()
    ):
        raise TypeError(
            f'ptp_grid(caps={raw!r}): give {{"axis=value": "the setting that caps it"}}, '
            'e.g. caps={"level=L3": "step limit 6 (max_steps)"}'
        )
    return dict(raw)


@dataclass(frozen=True)
class GridSpec:
    """What a ``@pytest.mark.ptp_grid(...)`` marker declares.

    ``models`` is either the grid's model axis (a list of specs, which ``--ptp-model``
    replaces) or a function of the cell that fixes each cell's model (e.g. a student per
    ``trained_on`` value), which ``--ptp-model`` does not override. ``stats`` names per-cell
    statistics the report shows (mean and CI over tasks): numeric row fields such as
    ``tool_calls`` or keys of the row's ``extra``. ``tasks`` is called once per cell and
    model with the cell's axes, ``"model"`` included where the grid has models, so a grid can
    collect a cell for the models recorded in it only. ``reference`` marks the cells of a
    reference solver (labelled in reports, not a measurement); ``caps`` says which settings
    cap which cells.
    """

    suite: str
    axes: Mapping[str, Sequence[Any]]
    tasks: TaskLoader
    models: Sequence[str] | ModelOfCell = ()
    compare: tuple[Comparison, ...] = ()
    stats: tuple[str, ...] = ()
    reference: tuple[str, str, str, dict[str, str]] | None = None
    caps: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_marker(cls, *args: Any, **kwargs: Any) -> GridSpec:
        if args:
            raise TypeError("ptp_grid takes keyword arguments only: suite=, axes=, tasks=, ...")
        kwargs["compare"] = tuple(Comparison.parse(c) for c in kwargs.get("compare", ()))
        kwargs["stats"] = parse_stats(kwargs.get("stats", ()))
        kwargs["reference"] = parse_reference(kwargs.get("reference"))
        kwargs["caps"] = parse_caps(kwargs.get("caps", {}))
        return cls(**kwargs)

    @property
    def fixes_models(self) -> bool:
        """True when each cell's model comes from the grid itself (not overridable)."""
        return callable(self.models)

    def suite_info(self) -> dict[str, Any]:
        """The suite's entry in ``suites.json``: comparisons, statistics, reference, caps."""
        info: dict[str, Any] = {
            "compare": [[c.axis, c.a, c.b] for c in self.compare],
            "stats": list(self.stats),
        }
        if self.reference:
            axis, value, note, where = self.reference
            info["reference"] = [axis, value, note, where] if where else [axis, value, note]
        if self.caps:
            info["caps"] = dict(self.caps)
        return info


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
    """All cases of a grid. ``models`` (from --ptp-model) replaces the grid's model axis,
    unless the grid fixes each cell's model (then the model is not part of the case id)."""
    names = list(spec.axes)
    cases: list[EvalCase] = []
    for values in itertools.product(*(spec.axes[n] for n in names)):
        cell = {n: str(v) for n, v in zip(names, values, strict=True)}
        if callable(spec.models):
            fixed = parse_spec(str(spec.models(dict(cell)))).spec
            cell_models = [(fixed, "-".join(slug(cell[n]) for n in names))]
        else:
            cell_models = [
                (m, "-".join([*(slug(cell[n]) for n in names), *([slug(m)] if m else [])]))
                for m in [parse_spec(m).spec for m in models or spec.models] or [""]
            ]
        for model, prefix in cell_models:
            axes = {**cell, "model": model} if model else dict(cell)
            for task in spec.tasks(dict(axes)):
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
