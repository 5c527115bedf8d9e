"""Numbers as table text, and the rows every renderer shows, so the terminal, LaTeX and
markdown tables carry the same content and differ only in markup."""

from __future__ import annotations

from typing import Any

from ptp.report._summary import Estimate, PairedComparison, SuiteSummary, Summary

MISSING = "n/a"


def number(x: float | None, digits: int = 3, *, signed: bool = False) -> str:
    """``x`` with ``digits`` decimals (``+`` sign when ``signed``); MISSING for None."""
    if x is None:
        return MISSING
    return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"


def interval(mean: float | None, low: float | None, high: float | None, **kw: Any) -> str:
    """``mean [low, high]``."""
    if mean is None:
        return MISSING
    return f"{number(mean, **kw)} [{number(low, **kw)}, {number(high, **kw)}]"


def estimate(e: Estimate) -> str:
    """An :class:`Estimate` as ``mean [low, high]``."""
    return interval(e.mean, e.low, e.high)


def p_value(p: float | None) -> str:
    """Three decimals; ``<0.001`` below that (a bootstrap p cannot go below 1/(B+1))."""
    if p is None:
        return MISSING
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def cost(usd: float | None) -> str:
    """Mean USD per case with three significant digits; MISSING when unknown."""
    if usd is None:
        return MISSING
    return "0" if usd == 0 else f"{usd:.3g}"


def caption(summary: Summary, suite: SuiteSummary) -> str:
    """How the suite's numbers were obtained: n, CI level and method, resamples, seed."""
    level = f"{summary.confidence:.0%}"
    text = (
        f"Suite {suite.name}: n = {suite.n} rows over {suite.n_tasks} tasks "
        f"(harness errors: {suite.n_errors}, counted as score 0 and incorrect). "
        f"Brackets: {level} CIs, {summary.method}, {summary.n_resamples} resamples, "
        f"seed {summary.seed}."
    )
    if suite.comparisons:
        text += (
            " Comparisons: paired by task id (epochs averaged per task), diff = a - b in mean "
            f"score with a {level} paired-bootstrap CI and p-value, p Holm-adjusted across "
            "the suite's comparisons, and an exact McNemar p on correctness paired by "
            "(task, epoch)."
        )
    return text


def cell_header(summary: Summary, suite: SuiteSummary) -> list[str]:
    """Column titles of the cells table: the axes, then the statistics."""
    level = f"{summary.confidence:.0%}"
    return [
        *suite.axes,
        "n",
        f"accuracy [{level} CI]",
        f"score [{level} CI]",
        "tokens/case",
        "cost USD/case",
        "latency s",
        "errors",
    ]


def cell_rows(suite: SuiteSummary) -> list[list[str]]:
    """One text row per cell, aligned with :func:`cell_header`."""
    return [
        [
            *(cell.axes.get(a, "") for a in suite.axes),
            str(cell.n),
            estimate(cell.accuracy),
            estimate(cell.score),
            f"{cell.mean_tokens:.0f}",
            cost(cell.mean_cost_usd),
            f"{cell.mean_latency_s:.2f}",
            str(cell.n_errors),
        ]
        for cell in suite.cells
    ]


STAT_MISSING = "-"  # a statistic no row of the cell has


def stats_title(summary: Summary) -> str:
    """The line above the statistics table."""
    return f"statistics per cell (mean [{summary.confidence:.0%} CI] over tasks)"


def stats_header(suite: SuiteSummary) -> list[str]:
    """Column titles of the statistics table: the axes, ``n``, then one per statistic."""
    return [*suite.axes, "n", *suite.stats]


def stat_entry(e: Estimate | None, n_with: int | None, n: int) -> str:
    """``mean [low, high]``, with ``(k/n)`` when only k of the cell's n rows have the value."""
    if e is None:
        return STAT_MISSING
    # statistics range from rates to token counts: fewer decimals as the magnitude grows
    size = max(abs(e.mean), abs(e.low), abs(e.high))
    text = interval(e.mean, e.low, e.high, digits=0 if size >= 100 else 1 if size >= 10 else 3)
    return text if n_with is None or n_with >= n else f"{text} ({n_with}/{n})"


def stats_rows(suite: SuiteSummary) -> list[list[str]]:
    """One text row per cell, aligned with :func:`stats_header`."""
    return [
        [
            *(cell.axes.get(a, "") for a in suite.axes),
            str(cell.n),
            *(stat_entry(cell.stats.get(s), cell.stats_n.get(s), cell.n) for s in suite.stats),
        ]
        for cell in suite.cells
    ]


COMPARISON_HEADER = [
    "comparison",
    "group",
    "n tasks",
    "unpaired a/b",
    "diff a-b [CI]",
    "p",
    "p_holm",
    "p_mcnemar",
]


def comparison_name(c: PairedComparison) -> str:
    """``axis: a vs b``."""
    return f"{c.axis}: {c.a} vs {c.b}"


def comparison_rows(comparisons: list[PairedComparison]) -> list[list[str]]:
    """One text row per comparison, aligned with :data:`COMPARISON_HEADER`."""
    return [
        [
            comparison_name(c),
            c.group_label,
            str(c.n_pairs),
            f"{c.n_unpaired_a}/{c.n_unpaired_b}",
            interval(c.mean_diff, c.low, c.high, signed=True),
            p_value(c.p_value),
            p_value(c.p_holm),
            p_value(c.p_mcnemar),
        ]
        for c in comparisons
    ]
