"""``ptp compare A B``: two result sets paired cell by cell and task by task.

Cells are matched on suite and every axis except ``model``. Within a matched cell, a model
both runs hold is compared with itself (a re-run: code or prompt changed); the models left
over are compared each of A against each of B (a model swap). Rows pair by task id for the
bootstrap (epochs averaged per task) and by (task id, epoch) for McNemar.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel, Field

from ptp.report import _format as fmt
from ptp.report._pairing import PairedStats, apply_holm, paired_stats
from ptp.report._rows import (
    AxesKey,
    axes_key,
    axes_label,
    latest_rows,
    row_axes,
    shown_value,
)
from ptp.report._summary import CI_METHOD, METHOD_TEXT
from ptp.report._tables import TEST_ABBREV, Column, Table, legend_of
from ptp.report._terminal import WIDTH, render_legend, render_table
from ptp.results import EvalRecord, read_results

_NO_MODEL = "(none)"


class CellComparison(PairedStats):
    """One matched cell: run A's ``model_a`` rows against run B's ``model_b`` rows."""

    suite: str
    axes: dict[str, str] = Field(description="the cell's axes, model excluded")
    model_a: str
    model_b: str


class RunComparison(BaseModel):
    """Every matched cell of two runs, with Holm-adjusted p-values across all of them."""

    a_dir: str
    b_dir: str
    confidence: float
    n_resamples: int
    seed: int
    ci_method: str = CI_METHOD
    method: str = METHOD_TEXT
    cells: list[CellComparison]
    only_in_a: list[str] = Field(default_factory=list, description="cells B lacks")
    only_in_b: list[str] = Field(default_factory=list, description="cells A lacks")


Cells = dict[tuple[str, AxesKey], dict[str, list[EvalRecord]]]


def _cells(records: list[EvalRecord]) -> tuple[Cells, dict[AxesKey, dict[str, str]]]:
    """Rows by (suite, axes without model), then by model; and each key's axes dict."""
    cells: Cells = defaultdict(lambda: defaultdict(list))
    axes_of: dict[AxesKey, dict[str, str]] = {}
    for record in latest_rows(records)[0]:
        axes = row_axes(record)
        model = axes.pop("model", "")
        key = axes_key(axes)
        axes_of.setdefault(key, axes)
        cells[(record.suite, key)][model].append(record)
    return cells, axes_of


def _model_pairs(a_models: set[str], b_models: set[str]) -> list[tuple[str, str]]:
    shared = sorted(a_models & b_models)
    rest_a, rest_b = sorted(a_models - b_models), sorted(b_models - a_models)
    return [(m, m) for m in shared] + [(ma, mb) for ma in rest_a for mb in rest_b]


def _model(spec: str) -> str:
    return shown_value("model", spec) if spec else _NO_MODEL


def _where(suite: str, axes: dict[str, str], model: str) -> str:
    return f"{suite}: {axes_label({**axes, 'model': _model(model)})}"


def compare_runs(
    a_dir: str | Path,
    b_dir: str | Path,
    *,
    confidence: float = 0.95,
    n_resamples: int = 5000,
    seed: int = 0,
) -> RunComparison:
    """Pair two result directories cell by cell and test ``A - B`` in each cell.

    Args:
        a_dir: Results directory of run A (holds ``results.jsonl``).
        b_dir: Results directory of run B.
        confidence: CI level.
        n_resamples: Bootstrap resamples per cell.
        seed: Bootstrap seed.

    Returns:
        A :class:`RunComparison`; cells only one run has are listed in ``only_in_a`` /
        ``only_in_b``, tasks only one side ran in each cell's ``n_unpaired_a/b``.

    Raises:
        ResultsFileError: If a directory has no readable ``results.jsonl``.
    """
    a_cells, a_axes = _cells(read_results(a_dir))
    b_cells, b_axes = _cells(read_results(b_dir))
    axes_of = {**b_axes, **a_axes}
    out: list[CellComparison] = []
    only_a: list[str] = []
    only_b: list[str] = []
    knobs = {"confidence": confidence, "n_resamples": n_resamples, "seed": seed}
    for key in sorted(a_cells.keys() | b_cells.keys()):
        suite, cell = key
        a_models, b_models = a_cells.get(key, {}), b_cells.get(key, {})
        pairs = _model_pairs(set(a_models), set(b_models))
        paired_a, paired_b = {ma for ma, _ in pairs}, {mb for _, mb in pairs}
        only_a += [_where(suite, axes_of[cell], m) for m in sorted(set(a_models) - paired_a)]
        only_b += [_where(suite, axes_of[cell], m) for m in sorted(set(b_models) - paired_b)]
        for ma, mb in pairs:
            stats = paired_stats(a_models[ma], b_models[mb], **knobs)
            out.append(
                CellComparison(
                    suite=suite,
                    axes=axes_of[cell],
                    model_a=ma,
                    model_b=mb,
                    **stats.model_dump(),
                )
            )
    apply_holm(out)
    return RunComparison(
        a_dir=str(a_dir),
        b_dir=str(b_dir),
        confidence=confidence,
        n_resamples=n_resamples,
        seed=seed,
        cells=out,
        only_in_a=only_a,
        only_in_b=only_b,
    )


def compare_table(result: RunComparison) -> str:
    """Plain-text table of a :class:`RunComparison`, one line per matched cell, with a legend.

    Args:
        result: From :func:`compare_runs`.

    Returns:
        The table (split to fit 120 columns), the unmatched cells and a line on the method.
    """
    level = f"{result.confidence:.0%}"
    columns = (
        Column("suite", "the suite", key=True),
        Column("cell", "the cell's axes (model excluded)", key=True),
        Column("model A", "the model of run A's rows", key=True),
        Column("model B", "the model of run B's rows", key=True),
        Column("pairs", "tasks both runs ran (the test's units; epochs averaged per task)"),
        Column("unpaired A/B", "tasks only A / only B ran (not in the test)"),
        Column("score A", "mean score of A over the paired tasks"),
        Column("score B", "mean score of B over the paired tasks"),
        Column(f"diff [{level} CI]", f"score A - score B [{level} paired-bootstrap CI]"),
        Column("p", "two-sided p-value of diff = 0 (see test)"),
        Column(
            "test",
            "exact = sign-flip permutation test over all 2^k sign assignments (k <= 20 "
            "tasks with a non-zero difference); boot = paired-bootstrap shift method",
        ),
        Column("p_holm", "p after Holm's correction over every p and p_mcn of the table"),
        Column("p_mcn", "exact McNemar p on correctness paired by (task, epoch)"),
        Column("p_mcn_holm", "p_mcn after the same Holm correction"),
    )
    rows = tuple(
        (
            c.suite,
            axes_label(c.axes),
            _model(c.model_a),
            _model(c.model_b),
            str(c.n_pairs),
            f"{c.n_unpaired_a}/{c.n_unpaired_b}",
            fmt.number(c.mean_a),
            fmt.number(c.mean_b),
            fmt.interval(c.mean_diff, c.low, c.high, signed=True),
            fmt.p_value(c.p_value),
            TEST_ABBREV.get(c.p_method or "", fmt.MISSING),
            fmt.p_value(c.p_holm),
            fmt.p_value(c.p_mcnemar),
            fmt.p_value(c.p_mcnemar_holm),
        )
        for c in result.cells
    )
    table = Table("", columns, rows)
    lines = [f"A: {result.a_dir}", f"B: {result.b_dir}", ""]
    lines.append(render_table(table) if rows else "no cell is in both runs")
    lines += [f"only in A: {w}" for w in result.only_in_a]
    lines += [f"only in B: {w}" for w in result.only_in_b]
    if rows:
        lines += render_legend(legend_of([table]))
    lines.append(
        f"score = mean over paired tasks (epochs averaged per task; harness errors count 0); "
        f"{level} CIs by paired {result.method}, {result.n_resamples} resamples, seed "
        f"{result.seed}; p exact (sign-flip) for up to 20 tasks with a non-zero difference, "
        f"else bootstrap; McNemar exact on correctness paired by (task, epoch); both p-values "
        f"of all {len(result.cells)} cells Holm-adjusted as one family."
    )
    return "\n".join(textwrap.fill(line, WIDTH) if len(line) > WIDTH else line for line in lines)
