"""Accuracy against cost (or tokens) per cell, as a PNG drawn with matplotlib's Agg canvas
(no pyplot: no global figure state, safe in workers and tests). matplotlib is imported when
a plot is drawn: it is slow to import and ``ptp compare``/``ptp table`` never need it."""

from __future__ import annotations

from pathlib import Path

from ptp.report._summary import Cell, Summary


def _x_axis(cells: list[Cell]) -> tuple[str, list[tuple[Cell, float]], int]:
    """Cost when any cell has a known non-zero cost, else tokens; (label, points, n omitted).

    A local model's cost is a true 0 USD, so an all-zero cost axis would say nothing: tokens
    per case are plotted instead and the axis label says so.
    """
    if any(c.mean_cost_usd for c in cells):
        points = [(c, c.mean_cost_usd) for c in cells if c.mean_cost_usd is not None]
        return "mean cost per case (USD)", points, len(cells) - len(points)
    return "mean tokens per case (prompt + completion)", [(c, c.mean_tokens) for c in cells], 0


def plot_accuracy_vs_cost(summary: Summary, path: str | Path) -> Path:
    """Plot one point per cell: accuracy with its CI as a vertical bar, labelled by cell.

    Args:
        summary: From :func:`summarize`.
        path: Where to write the PNG (parent folders are created).

    Returns:
        The path written.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = [c for s in summary.suites for c in s.cells]
    x_label, points, omitted = _x_axis(cells)
    fig = Figure(figsize=(7.0, 4.8), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    several_suites = len(summary.suites) > 1
    for cell, x in points:
        acc = cell.accuracy
        ax.errorbar(
            [x],
            [acc.mean],
            yerr=[[acc.mean - acc.low], [acc.high - acc.mean]],
            fmt="o",
            capsize=3,
        )
        label = f"{cell.suite}: {cell.label}" if several_suites else cell.label
        ax.annotate(label, (x, acc.mean), xytext=(5, 4), textcoords="offset points", fontsize=7)
    ax.set_xlabel(x_label)
    ax.set_ylabel(f"accuracy ({summary.confidence:.0%} CI)")
    ax.set_ylim(-0.05, 1.05)
    if points:
        ax.set_xlim(left=0)  # cost and tokens are >= 0; a zoomed axis exaggerates gaps
    ax.grid(alpha=0.3)
    title = f"accuracy vs {'cost' if 'USD' in x_label else 'tokens'} per cell"
    if not points:
        title = "no results"
    elif omitted:
        title += f" ({omitted} cells with unknown cost not shown)"
    ax.set_title(title, fontsize=10)
    fig.text(
        0.01,
        0.01,
        f"{summary.method}; {summary.n_resamples} resamples, seed {summary.seed}",
        fontsize=6,
        alpha=0.7,
    )
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, format="png")
    return path
