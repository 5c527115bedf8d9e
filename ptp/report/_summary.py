"""The summary of a results set: one cell per (suite, axes) with bootstrap CIs over tasks, the
statistics each suite declares, stop reasons, and the paired comparisons it declares,
Holm-corrected per suite; the suite's reference solver and capped cells as it declares them."""

from __future__ import annotations

import math
import numbers
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field

from ptp.report._pairing import PairedStats, apply_holm, paired_stats
from ptp.report._rows import (
    AxesKey,
    axes_key,
    axes_label,
    axis_names,
    latest_rows,
    row_axes,
    row_correct,
    row_score,
)
from ptp.results import EvalRecord
from ptp.stats import bootstrap_ci

CI_METHOD = "percentile"
RESAMPLE_UNIT = "task_id"
METHOD_TEXT = "percentile bootstrap over tasks (a task's epochs are resampled together)"


class Estimate(BaseModel):
    """A mean with its bootstrap confidence interval."""

    mean: float
    low: float
    high: float


class Reference(BaseModel):
    """The cells a suite marks as its reference solver (``suites.json`` ``"reference"``).

    A reference solver (e.g. airline's L0, which shares the generator's rules) is correct
    by construction: its accuracy is not a measurement, so the tables show it without a CI
    and comparisons with it get no p-value.
    """

    axis: str
    value: str
    note: str = ""
    where: dict[str, str] = Field(default_factory=dict)

    def matches(self, axes: Mapping[str, str]) -> bool:
        """True for a cell whose ``axis`` has the reference ``value`` (and, when ``where`` is
        given, whose other axes have those values: e.g. L0 only on template wording)."""
        return axes.get(self.axis) == self.value and all(
            axes.get(k) == v for k, v in self.where.items()
        )

    @property
    def selector(self) -> str:
        """``axis=value`` plus the ``where`` conditions, for labels."""
        return ", ".join(f"{k}={v}" for k, v in {self.axis: self.value, **self.where}.items())


class Cell(BaseModel):
    """One (suite, axes) group of rows.

    Harness errors are in ``n`` and ``n_errors`` and count as score 0 and incorrect in
    ``score`` and ``accuracy``; their tokens, cost and latency are in the means.
    """

    suite: str
    axes: dict[str, str]
    n: int
    n_tasks: int
    n_errors: int
    accuracy: Estimate
    score: Estimate
    mean_prompt_tokens: float
    mean_completion_tokens: float
    mean_tokens: float
    mean_cost_usd: float | None = Field(description="None when any row's cost is unknown")
    mean_latency_s: float | None = Field(
        description="the model's own latency per case (summed over its LLM calls, measured "
        "live or recorded with the cassette), mean over the rows where it is known; None "
        "when no row's is"
    )
    n_latency: int = Field(0, description="rows whose model latency is known")
    mean_wall_s: float = Field(
        0.0, description="mean time this run spent per case (replay time when replaying)"
    )
    mean_llm_calls: float
    mean_steps: float
    mean_tool_calls: float
    stats: dict[str, Estimate | None] = Field(
        default_factory=dict,
        description="each declared statistic's mean and CI over tasks; None when no row has it",
    )
    stats_n: dict[str, int] = Field(
        default_factory=dict, description="how many rows had each declared statistic"
    )
    stop_reasons: dict[str, int] = Field(
        default_factory=dict,
        description="rows per extra['stop_reason'] (why the solver stopped); rows without one "
        "are not counted",
    )
    finish_reasons: dict[str, int] = Field(
        default_factory=dict, description="rows per extra['finish_reason'] (the model's)"
    )
    reference: bool = Field(False, description="a cell of the suite's reference solver")

    @property
    def label(self) -> str:
        """``axis=value`` pairs, e.g. ``level=L1, model=local:gemma-3-270m``."""
        return axes_label(self.axes)


class PairedComparison(PairedStats):
    """A declared comparison ``axis: a vs b`` within one group of the other axes.

    ``reference`` marks a comparison with a cell of the suite's reference solver: its
    difference and CI are kept (they measure the other side's gap to correct answers) but it
    is not a test, so its p-values are None and it is not in the Holm family.
    """

    axis: str
    a: str
    b: str
    group: dict[str, str]
    reference: bool = False

    @property
    def group_label(self) -> str:
        """The other axes' values, e.g. ``model=x``; ``(all)`` when there are none."""
        return axes_label(self.group)


class SuiteSummary(BaseModel):
    """The cells and comparisons of one suite; ``notes`` says what could not be compared."""

    name: str
    axes: list[str]
    n: int
    n_tasks: int
    n_errors: int
    cells: list[Cell]
    stats: list[str] = Field(default_factory=list, description="the declared statistics")
    comparisons: list[PairedComparison] = Field(default_factory=list)
    reference: Reference | None = None
    caps: dict[str, str] = Field(
        default_factory=dict,
        description="'axis=value' selector -> the setting that caps those cells",
    )
    notes: list[str] = Field(default_factory=list)


class Summary(BaseModel):
    """Everything the renderers show; ``summary.json`` is its ``model_dump_json``."""

    confidence: float
    n_resamples: int
    seed: int
    ci_method: str = CI_METHOD
    resample_unit: str = RESAMPLE_UNIT
    method: str = METHOD_TEXT
    n_rows: int
    n_superseded: int = Field(0, description="older rows of a case replaced by a re-run")
    suites: list[SuiteSummary]

    def suite(self, name: str) -> SuiteSummary:
        """The suite called ``name``.

        Raises:
            KeyError: If there is no such suite (the message lists the known ones).
        """
        for s in self.suites:
            if s.name == name:
                return s
        raise KeyError(f"no suite {name!r}; known: {[s.name for s in self.suites]}")


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _estimate(values: Sequence[float], clusters: Sequence[str], **knobs: Any) -> Estimate:
    ci = bootstrap_ci(values, clusters=clusters, method=CI_METHOD, **knobs)
    return Estimate(mean=ci.estimate, low=ci.low, high=ci.high)


# EvalRecord fields a statistic may name directly; any other name is looked up in ``extra``.
_NUMERIC_FIELDS = frozenset(
    name
    for name, info in EvalRecord.model_fields.items()
    if info.annotation in (int, float, bool, int | None, float | None)
)


def stat_value(record: EvalRecord, name: str) -> float | None:
    """The statistic ``name`` of one row: a numeric EvalRecord field (``tool_calls``, ``steps``,
    ``latency_s``, ...) or else ``record.extra[name]``; bools count as 0/1. None when the row
    lacks it or it is not a finite number (that row is left out of the statistic)."""
    value = getattr(record, name) if name in _NUMERIC_FIELDS else record.extra.get(name)
    if not isinstance(value, numbers.Real):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _stat_estimates(
    rows: Sequence[EvalRecord], stats: Sequence[str], **knobs: Any
) -> tuple[dict[str, Estimate | None], dict[str, int]]:
    """Each statistic's mean with a bootstrap CI over the tasks of the rows that have it."""
    estimates: dict[str, Estimate | None] = {}
    counts: dict[str, int] = {}
    for name in stats:
        # sorted: the estimate must not depend on the order rows were written (xdist)
        pairs = sorted(
            ((v, r.task_id) for r in rows if (v := stat_value(r, name)) is not None),
            key=lambda pair: (pair[1], pair[0]),
        )
        counts[name] = len(pairs)
        estimates[name] = (
            _estimate([v for v, _ in pairs], [t for _, t in pairs], **knobs) if pairs else None
        )
    return estimates, counts


def _cell(
    suite: str,
    axes: dict[str, str],
    rows: Sequence[EvalRecord],
    stats: Sequence[str] = (),
    reference: Reference | None = None,
    **knobs: Any,
) -> Cell:
    # sorted: a CI must not depend on the order rows were written (xdist workers)
    rows = sorted(rows, key=lambda r: (r.task_id, r.epoch, r.case_id))
    tasks = [r.task_id for r in rows]
    stat_estimates, stat_counts = _stat_estimates(rows, stats, **knobs)
    known_costs = [r.cost_usd for r in rows if r.cost_usd is not None]
    latencies = [r.latency_s for r in rows if r.latency_s is not None]
    prompt = [float(r.prompt_tokens) for r in rows]
    completion = [float(r.completion_tokens) for r in rows]
    return Cell(
        suite=suite,
        axes=axes,
        n=len(rows),
        n_tasks=len(set(tasks)),
        n_errors=sum(r.error is not None for r in rows),
        accuracy=_estimate([float(row_correct(r)) for r in rows], tasks, **knobs),
        score=_estimate([row_score(r) for r in rows], tasks, **knobs),
        mean_prompt_tokens=_mean(prompt),
        mean_completion_tokens=_mean(completion),
        mean_tokens=_mean([p + c for p, c in zip(prompt, completion, strict=True)]),
        # One unknown cost makes the mean unknown: a partial mean would understate it.
        mean_cost_usd=_mean(known_costs) if len(known_costs) == len(rows) else None,
        # Unknown latencies are left out (not counted as 0); n_latency says how many are known.
        mean_latency_s=_mean(latencies) if latencies else None,
        n_latency=len(latencies),
        mean_wall_s=_mean([r.wall_s for r in rows]),
        mean_llm_calls=_mean([float(r.llm_calls) for r in rows]),
        mean_steps=_mean([float(r.steps) for r in rows]),
        mean_tool_calls=_mean([float(r.tool_calls) for r in rows]),
        stats=stat_estimates,
        stats_n=stat_counts,
        stop_reasons=_reason_counts(rows, "stop_reason"),
        finish_reasons=_reason_counts(rows, "finish_reason"),
        reference=reference is not None and reference.matches(axes),
    )


def _reason_counts(rows: Sequence[EvalRecord], key: str) -> dict[str, int]:
    """Rows per value of ``extra[key]``, most frequent first (ties by name)."""
    counts = Counter(str(r.extra[key]) for r in rows if r.extra.get(key) is not None)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def declared_stats(suite: str, info: Mapping[str, Any]) -> list[str]:
    """The suite's ``stats`` entries: names of numeric row fields or ``extra`` keys.

    Raises:
        ValueError: If ``stats`` is not a list of non-empty names.
    """
    entries = info.get("stats") or []
    fix = "write a list of names, e.g. ['tool_calls', 'optimality']"
    if not isinstance(entries, list | tuple):
        raise ValueError(f"suites[{suite!r}]['stats'] is {entries!r}; {fix}")
    for i, entry in enumerate(entries):
        if not isinstance(entry, str) or not entry:
            raise ValueError(f"suites[{suite!r}]['stats'][{i}] is {entry!r}; {fix}")
    return list(dict.fromkeys(entries))


def declared_comparisons(suite: str, info: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The suite's ``compare`` entries as (axis, a, b).

    Raises:
        ValueError: If an entry is not ``[axis, a, b]`` (the message names its index).
    """
    entries = info.get("compare") or []
    if not isinstance(entries, list | tuple):
        raise ValueError(
            f"suites[{suite!r}]['compare'] is {entries!r}; write a list of [axis, a, b]"
        )
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, list | tuple) or len(entry) != 3:
            raise ValueError(
                f"suites[{suite!r}]['compare'][{i}] is {entry!r}; "
                "write each comparison as [axis, a, b], e.g. ['level', 'L1', 'L0']"
            )
        out.append((str(entry[0]), str(entry[1]), str(entry[2])))
    return out


def declared_reference(suite: str, info: Mapping[str, Any]) -> Reference | None:
    """The suite's ``reference``: ``[axis, value, note]`` naming its reference solver's cells,
    optionally ``[axis, value, note, {other_axis: value}]`` to narrow them.

    Raises:
        ValueError: If it is not a list of three strings with a non-empty axis and value.
    """
    entry = info.get("reference")
    if entry is None:
        return None
    fix = (
        "write [axis, value, note], e.g. ['level', 'L0', 'reference solver: shares the "
        "generator's rules, correct by construction; not a measurement']"
    )
    where = entry[3] if isinstance(entry, list | tuple) and len(entry) == 4 else {}
    if (
        not isinstance(entry, list | tuple)
        or len(entry) not in (3, 4)
        or not all(isinstance(x, str) for x in entry[:3])
        or not entry[0]
        or not entry[1]
        or not isinstance(where, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in where.items())
    ):
        raise ValueError(f"suites[{suite!r}]['reference'] is {entry!r}; {fix}")
    return Reference(axis=entry[0], value=entry[1], note=entry[2], where=where)


def parse_selector(selector: str) -> tuple[str, str] | None:
    """``"level=L3"`` -> ``("level", "L3")``; None unless both sides are non-empty."""
    axis, sep, value = selector.partition("=")
    return (axis.strip(), value.strip()) if sep and axis.strip() and value.strip() else None


def declared_caps(suite: str, info: Mapping[str, Any]) -> dict[str, str]:
    """The suite's ``caps``: ``{"axis=value": "the setting that caps those cells"}``.

    Raises:
        ValueError: If it is not an object of ``"axis=value"`` keys and non-empty strings.
    """
    caps = info.get("caps")
    if caps is None:
        return {}
    fix = 'write {"axis=value": "setting"}, e.g. {"level=L3": "step limit 6 (max_steps)"}'
    if not isinstance(caps, Mapping):
        raise ValueError(f"suites[{suite!r}]['caps'] is {caps!r}; {fix}")
    for key, value in caps.items():
        if not isinstance(key, str) or parse_selector(key) is None:
            raise ValueError(
                f"suites[{suite!r}]['caps'] has the key {key!r}, not axis=value; {fix}"
            )
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"suites[{suite!r}]['caps'][{key!r}] is {value!r}; {fix}")
    return dict(caps)


def _compare(
    axis: str,
    a: str,
    b: str,
    cells: Mapping[AxesKey, dict[str, str]],
    rows: Mapping[AxesKey, list[EvalRecord]],
    notes: list[str],
    reference: Reference | None = None,
    **knobs: Any,
) -> list[PairedComparison]:
    """One comparison per group of the other axes that has both an ``a`` and a ``b`` cell.

    A comparison with a reference cell on either side keeps its difference and CI but drops
    its p-values: the reference's outcome is known by construction, so "a differs from b" is
    not a hypothesis the data tests, and counting it would only weaken the Holm correction of
    the real tests.
    """
    name = f"{axis}: {a} vs {b}"
    values = {axes.get(axis) for axes in cells.values()}
    if axis not in {k for axes in cells.values() for k in axes}:
        notes.append(f"{name}: no row has the axis {axis!r}; nothing compared")
        return []
    missing = [v for v in (a, b) if v not in values]
    if missing:
        notes.append(f"{name}: no row has {axis}={missing[0]}; nothing compared")
        return []
    out = []
    for key, axes in cells.items():
        if axes.get(axis) != a:
            continue
        group = {k: v for k, v in axes.items() if k != axis}
        other = axes_key({**axes, axis: b})
        if other not in cells:  # a grid whose model follows the compared axis: pair across it
            alike = [k for k, ax in cells.items() if ax.get(axis) == b
                     and all(ax.get(n) == v for n, v in group.items() if n != "model")]  # fmt: skip
            if len(alike) != 1:
                notes.append(
                    f"{name}: group {axes_label(group)} has no {axis}={b} cell; not compared"
                )
                continue
            other = alike[0]
        stats = paired_stats(rows[key], rows[other], **knobs)
        if stats.n_pairs == 0:
            notes.append(f"{name}: group {axes_label(group)} shares no task id; no test")
        is_ref = reference is not None and (
            reference.matches(axes) or reference.matches(cells[other])
        )
        if is_ref:
            stats.p_value = stats.p_method = stats.p_mcnemar = None
        out.append(
            PairedComparison(
                axis=axis, a=a, b=b, group=group, reference=is_ref, **stats.model_dump()
            )
        )
    return out


def summarize(
    records: list[EvalRecord],
    suites: dict[str, dict] | None = None,
    *,
    confidence: float = 0.95,
    n_resamples: int = 5000,
    seed: int = 0,
) -> Summary:
    """Summarize result rows per (suite, axes) cell and run the declared comparisons.

    A harness error is never silently dropped: the row stays in its cell, is counted in
    ``n_errors``, and counts as score 0 and incorrect. When several rows share a
    (suite, case_id) (a resumed run re-ran an errored case), the last one is the case's
    outcome and the others are counted in ``n_superseded``. CIs are percentile bootstraps
    that resample tasks (all epochs of a task together). Comparisons pair tasks present on
    both sides; the tasks only one side ran are counted in ``n_unpaired_a``/``n_unpaired_b``.

    Args:
        records: The rows (e.g. from :func:`ptp.results.read_results`).
        suites: ``{suite: {"compare": [[axis, a, b], ...], "stats": [name, ...],
            "reference": [axis, value, note], "caps": {"axis=value": setting}}}`` as in
            ``suites.json`` (every key optional). Each comparison runs within every group of
            the other axes, as ``a - b``; its paired p-value and its McNemar p-value are
            Holm-corrected together with those of every other comparison of the suite (one
            family). Each statistic is a numeric row field (``tool_calls``, ``latency_s``,
            ...) or else an ``extra`` key; every cell gets its mean with a bootstrap CI over
            the tasks of the rows that have it (bools count as 0/1), None when no row has
            it. ``reference`` marks the reference solver's cells (:class:`Reference`):
            comparisons with them get no p-value and stay out of the Holm family.
            ``caps`` names the settings that cap some cells (shown under the tables).
        confidence: Two-sided CI level.
        n_resamples: Bootstrap resamples per interval and per comparison.
        seed: Bootstrap seed (the same for every interval, so reruns are identical).

    Returns:
        The :class:`Summary`.

    Raises:
        ValueError: If a declared comparison is not ``[axis, a, b]``, ``stats`` is not a
            list of names, ``reference`` is not ``[axis, value, note]`` or ``caps`` is not
            an object of ``"axis=value"`` keys and strings.
    """
    knobs: dict[str, Any] = {"confidence": confidence, "n_resamples": n_resamples, "seed": seed}
    rows_all, superseded = latest_rows(records)
    by_suite: dict[str, dict[AxesKey, list[EvalRecord]]] = defaultdict(lambda: defaultdict(list))
    cell_axes: dict[str, dict[AxesKey, dict[str, str]]] = defaultdict(dict)
    for record in rows_all:
        axes = row_axes(record)
        key = axes_key(axes)
        by_suite[record.suite][key].append(record)
        cell_axes[record.suite].setdefault(key, axes)
    out = []
    for suite in sorted(by_suite):
        rows = by_suite[suite]
        names = axis_names(cell_axes[suite].values())
        # Sorted by axis values, so the table does not depend on the order rows arrived in.
        keys = sorted(rows, key=lambda k: [cell_axes[suite][k].get(n, "") for n in names])
        info = (suites or {}).get(suite, {})
        stats = declared_stats(suite, info)
        reference = declared_reference(suite, info)
        caps = declared_caps(suite, info)
        cells = [
            _cell(suite, cell_axes[suite][k], rows[k], stats, reference, **knobs) for k in keys
        ]
        notes: list[str] = []
        if reference is not None and not any(c.reference for c in cells):
            notes.append(f"reference {reference.selector}: no cell has it")
        for selector in caps:
            axis, value = parse_selector(selector) or ("", "")
            if not any(c.axes.get(axis) == value for c in cells):
                notes.append(f"cap {selector}: no cell has it")
        comparisons: list[PairedComparison] = []
        for axis, a, b in declared_comparisons(suite, info):
            ordered = {k: cell_axes[suite][k] for k in keys}
            comparisons += _compare(axis, a, b, ordered, rows, notes, reference, **knobs)
        apply_holm([c for c in comparisons if not c.reference])
        suite_rows = [r for k in keys for r in rows[k]]
        out.append(
            SuiteSummary(
                name=suite,
                axes=names,
                n=len(suite_rows),
                n_tasks=len({r.task_id for r in suite_rows}),
                n_errors=sum(c.n_errors for c in cells),
                cells=cells,
                stats=stats,
                comparisons=comparisons,
                reference=reference,
                caps=caps,
                notes=notes,
            )
        )
    return Summary(
        confidence=confidence,
        n_resamples=n_resamples,
        seed=seed,
        n_rows=len(rows_all),
        n_superseded=superseded,
        suites=out,
    )
