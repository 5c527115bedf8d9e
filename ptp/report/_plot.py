"""Accuracy against cost (or tokens) per cell, one panel per suite, as a PNG drawn with
matplotlib's Agg canvas (no pyplot: no global figure state, safe in workers and tests).
matplotlib is imported when a plot is drawn: it is slow to import and ``ptp compare`` /
``ptp table`` never need it.

Each cell is one point with its accuracy CI as a whisker (none for the reference solver,
whose accuracy is not a measurement). Points are told apart by a legend, not by labels on
the plot: the first varying axis sets the colour, the second the marker, any further axes
the fill. Points at the same position are spread sideways by a few pixels so none hides
another.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from ptp.report._rows import shown_value
from ptp.report._summary import Cell, SuiteSummary, Summary
from ptp.report._tables import REF_MARK, shown_axes

XQuantity = Literal["cost", "tokens"]
PLOT_FILES: dict[str, str] = {
    "cost": "accuracy_vs_cost.png",
    "tokens": "accuracy_vs_tokens.png",
}
_X_LABELS = {
    "cost": "mean cost per case (USD)",
    "tokens": "mean tokens per case (prompt + completion)",
}
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">", "p")
_FILLS = ("full", "none", "left", "bottom", "right", "top")
_LOG_SPAN = 10.0  # a log x axis when the largest x is over 10x the smallest positive one
_DODGE_PT = 4.0  # sideways spread of points at one position, in points


def x_quantity(summary: Summary) -> XQuantity:
    """``"cost"`` when every cell has a known cost and some cost is not 0, else ``"tokens"``.

    A local model's cost is a true 0 USD, and a cost axis with unknown or all-zero points
    would hide cells or say nothing: tokens per case are shown instead.
    """
    cells = [c for s in summary.suites for c in s.cells]
    priced = all(c.mean_cost_usd is not None for c in cells)
    return "cost" if cells and priced and any(c.mean_cost_usd for c in cells) else "tokens"


def plot_file_name(summary: Summary) -> str:
    """The file name :func:`plot_accuracy` writes: ``accuracy_vs_cost.png`` or
    ``accuracy_vs_tokens.png``, named for what the x axis shows."""
    return PLOT_FILES[x_quantity(summary)]


def _x(cell: Cell, quantity: XQuantity) -> float:
    if quantity == "cost":
        return float(cell.mean_cost_usd or 0.0)
    return float(cell.mean_tokens)


def x_scale(xs: Sequence[float]) -> str:
    """``"linear"``, ``"log"`` or ``"symlog"`` (log with 0 shown) for these x values: log
    when the positive values span more than 10x."""
    positive = [x for x in xs if x > 0]
    if len(positive) < 2 or max(positive) <= _LOG_SPAN * min(positive):
        return "linear"
    return "symlog" if any(x <= 0 for x in xs) else "log"


def _styles(suite: SuiteSummary) -> tuple[list[str], dict[str, list[str]]]:
    """The varying axes split into (colour axis, marker axis, fill axes) and each encoding's
    values in order of appearance."""
    axes, _ = shown_axes(suite)
    roles = {"color": axes[:1], "marker": axes[1:2], "fill": axes[2:]}
    values: dict[str, list[str]] = {}
    for role, names in roles.items():
        seen: dict[str, None] = {}
        for cell in suite.cells:
            if names:
                seen[_value(cell, names, suite)] = None
        values[role] = list(seen)
    return axes, values


def _value(cell: Cell, names: Sequence[str], suite: SuiteSummary) -> str:
    ref = suite.reference
    parts = []
    for name in names:
        value = shown_value(name, cell.axes.get(name, ""))
        if ref is not None and cell.reference and name == ref.axis:
            value = f"{value} {REF_MARK}"
        parts.append(value)
    return ", ".join(parts)


def _panel(fig: Any, ax: Any, suite: SuiteSummary, quantity: XQuantity, level: str) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.transforms import offset_copy

    axes, values = _styles(suite)
    color_axis, marker_axis, fill_axes = axes[:1], axes[1:2], axes[2:]
    palette = _palette(len(values["color"]))
    points = [(cell, _x(cell, quantity), cell.accuracy.mean) for cell in suite.cells]
    same_spot: dict[tuple[float, float], list[Cell]] = defaultdict(list)
    for cell, x, y in points:
        same_spot[(round(x, 9), round(y, 9))].append(cell)
    # one errorbar call per look (colour, marker, fill, sideways shift, CI or not)
    looks: dict[tuple[Any, ...], list[tuple[float, float, float, float]]] = defaultdict(list)
    for cell, x, y in points:
        group = same_spot[(round(x, 9), round(y, 9))]
        dx = (group.index(cell) - (len(group) - 1) / 2) * _DODGE_PT
        color = palette[values["color"].index(_value(cell, color_axis, suite))]
        marker = (
            _MARKERS[values["marker"].index(_value(cell, marker_axis, suite)) % len(_MARKERS)]
            if marker_axis
            else "o"
        )
        fill = (
            _FILLS[values["fill"].index(_value(cell, fill_axes, suite)) % len(_FILLS)]
            if fill_axes
            else "full"
        )
        acc = cell.accuracy
        looks[(color, marker, fill, dx, cell.reference)].append(
            (x, y, acc.mean - acc.low, acc.high - acc.mean)
        )
    for (color, marker, fill, dx, reference), drawn in looks.items():
        xs, ys, below, above = zip(*drawn, strict=True)
        ax.errorbar(
            xs,
            ys,
            yerr=None if reference else [below, above],
            fmt=marker,
            color=color,
            markersize=7,
            fillstyle=fill,
            markerfacecoloralt="white",
            capsize=3,
            elinewidth=1,
            alpha=0.9,
            transform=offset_copy(ax.transData, fig=fig, x=dx, y=0, units="points"),
        )
    handles: list[Any] = []

    def legend_group(title: str, labels: Sequence[str], style: Any) -> None:
        """A title line, then one sample marker per value (``style(i)``: Line2D keywords)."""
        handles.append(Line2D([], [], linestyle="none", label=title))
        handles.extend(
            Line2D([], [], linestyle="none", label=f"  {v}", **style(i))
            for i, v in enumerate(labels)
        )

    if color_axis:
        legend_group(
            f"colour: {color_axis[0]}",
            values["color"],
            lambda i: {"marker": "o", "color": palette[i]},
        )
    if marker_axis:
        legend_group(
            f"marker: {marker_axis[0]}",
            values["marker"],
            lambda i: {"marker": _MARKERS[i % len(_MARKERS)], "color": "0.3"},
        )
    if fill_axes:
        legend_group(
            f"fill: {', '.join(fill_axes)}",
            values["fill"],
            lambda i: {
                "marker": "o",
                "color": "0.3",
                "markersize": 7,
                "fillstyle": _FILLS[i % len(_FILLS)],
                "markerfacecoloralt": "white",
            },
        )
    if handles:
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            fontsize=7,
            frameon=False,
            handletextpad=0.3,
            borderaxespad=0.0,
        )
    xs = [x for _, x, _ in points]
    scale = x_scale(xs)
    label = _X_LABELS[quantity]
    # The points are drawn through a shifted transform, which autoscaling ignores: every
    # scale sets its x limits itself.
    if scale == "log":
        ax.set_xscale("log")
        ax.set_xlim(left=min(xs) / 1.6, right=max(xs) * 1.6)
        label += ", log scale"
    elif scale == "symlog":
        smallest = min(x for x in xs if x > 0)
        ax.set_xscale("symlog", linthresh=smallest, linscale=0.5)
        # Ticks at 0 and the powers of ten in range; no negative side (x >= 0).
        lo, hi = math.floor(math.log10(smallest)), math.ceil(math.log10(max(xs)))
        ax.set_xticks([0.0, *(10.0**k for k in range(lo + 1, hi + 1))])
        ax.minorticks_off()
        ax.set_xlim(left=-smallest, right=max(xs) * 1.6)
        label += f", log scale (linear below {smallest:.3g}, to show 0)"
    else:
        right = max([*xs, 0.0]) * 1.08 or 1.0
        ax.set_xlim(left=-0.02 * right, right=right)  # room for the markers at x = 0
    ax.set_xlabel(label, fontsize=8)
    ax.set_ylabel(f"accuracy ({level} CI)", fontsize=8)
    ax.set_ylim(-0.05, 1.05)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3, which="both")
    ref_note = ""
    if any(c.reference for c in suite.cells):
        ref_note = f"; {REF_MARK} = reference solver, no CI"
    _, constant = shown_axes(suite)
    fixed = "; ".join(f"{k}={v}" for k, v in constant.items())
    ax.set_title(
        f"{suite.name}: {_count(len(suite.cells), 'cell')}, {_count(suite.n_tasks, 'task')}"
        + (f"\n{fixed}" if fixed else "")
        + ref_note,
        fontsize=9,
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _palette(n: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(max(n, 1))]


def plot_accuracy(summary: Summary, directory: str | Path) -> Path:
    """Draw accuracy against cost (or tokens) per cell, one panel per suite, into
    ``directory``, in a file named for what the x axis shows.

    Args:
        summary: From :func:`summarize`.
        directory: Where to write the PNG (created when missing).

    Returns:
        The path written: ``accuracy_vs_cost.png`` when every cell has a known, not-all-zero
        cost (:func:`x_quantity`), else ``accuracy_vs_tokens.png``.
    """
    return draw_accuracy_plot(summary, Path(directory) / plot_file_name(summary))


def draw_accuracy_plot(summary: Summary, path: str | Path) -> Path:
    """Draw the plot of :func:`plot_accuracy` to an explicit ``path``.

    Args:
        summary: From :func:`summarize`.
        path: The PNG to write (parent folders are created).

    Returns:
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig = accuracy_figure(summary)
    # Lay the figure out once, then draw it once: with a layout engine attached, savefig
    # draws twice (a dry draw for the layout, then the real one).
    fig.get_layout_engine().execute(fig)
    fig.set_layout_engine(None)
    fig.savefig(path, format="png")
    return path


def accuracy_figure(summary: Summary) -> Any:
    """The plot as a matplotlib ``Figure`` (Agg canvas attached): one panel per suite with
    cells, in the order of ``summary.suites``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    quantity = x_quantity(summary)
    level = f"{summary.confidence:.0%}"
    suites = [s for s in summary.suites if s.cells]
    ncols = 1 if len(suites) <= 1 else 2
    nrows = max(1, math.ceil(len(suites) / ncols))
    fig = Figure(figsize=(6.6 * ncols, 3.9 * nrows + 0.4), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    if not suites:
        ax = fig.add_subplot()
        ax.set_title("no results", fontsize=10)
        ax.set_axis_off()
    for i, suite in enumerate(suites):
        _panel(fig, fig.add_subplot(nrows, ncols, i + 1), suite, quantity, level)
    fig.suptitle(f"accuracy vs {quantity} per cell", fontsize=11)
    fig.get_layout_engine().set(h_pad=0.12, w_pad=0.1)
    fig.supxlabel(
        f"whiskers: {level} CIs, {summary.method};\n{summary.n_resamples} resamples, "
        f"seed {summary.seed}; points at one position are spread sideways",
        fontsize=6,
        alpha=0.7,
    )
    return fig
