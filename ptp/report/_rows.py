"""How the report reads one EvalRecord: its axes, and its score and correctness with harness
errors counted as failures. Single source of truth, so every table agrees on what a row means."""

from __future__ import annotations

from collections.abc import Iterable

from ptp.models import model_note
from ptp.results import EvalRecord

AxesKey = tuple[tuple[str, str], ...]


def row_axes(record: EvalRecord) -> dict[str, str]:
    """The row's grid axes: ``record.axes``, plus ``model`` from the top-level field when the
    axes lack it (the model a case called is always a grouping key; every other axis name
    comes from the data, never from a list of known families' axes)."""
    axes = dict(record.axes)
    if record.model and "model" not in axes:
        axes["model"] = record.model
    return axes


def axes_key(axes: dict[str, str]) -> AxesKey:
    """A hashable, order-independent key for an axes dict."""
    return tuple(sorted(axes.items()))


def row_score(record: EvalRecord) -> float:
    """The score, 0 for a harness error (an error is a failure, never a dropped row)."""
    return 0.0 if record.error is not None else float(record.score)


def row_correct(record: EvalRecord) -> bool:
    """Correctness, False for a harness error."""
    return record.error is None and bool(record.correct)


def axis_names(axes_list: Iterable[dict[str, str]]) -> list[str]:
    """Every axis name in order of first appearance (the table's axis columns)."""
    names: dict[str, None] = {}
    for axes in axes_list:
        names.update(dict.fromkeys(axes))
    return list(names)


def latest_rows(records: Iterable[EvalRecord]) -> tuple[list[EvalRecord], int]:
    """Keep the last row per (suite, case_id); return the rows and how many were superseded.

    A run resumed with ``--ptp-resume`` re-runs the cases that errored and appends their new
    rows to the same results.jsonl, so the later row is the case's outcome.
    """
    latest: dict[tuple[str, str], EvalRecord] = {}
    total = 0
    for record in records:
        total += 1
        latest[(record.suite, record.case_id)] = record  # keeps the first row's position
    return list(latest.values()), total - len(latest)


def axes_label(axes: dict[str, str]) -> str:
    """``axis=value`` pairs joined by commas; ``(all)`` for no axes."""
    return ", ".join(f"{k}={v}" for k, v in axes.items()) or "(all)"


def shown_value(axis: str, value: str) -> str:
    """An axis value as the report shows it: a ``model`` value that names no model carries
    its provider's note, e.g. ``expert:airline (expert policy, not a model)``; grouping and
    ``summary.json`` keep the plain value."""
    note = model_note(value) if axis == "model" else None
    return f"{value} ({note})" if note else value
