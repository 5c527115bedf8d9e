"""Plain-text, fixed-width tables for the terminal (no colour: logs and CI keep them intact)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from ptp.report import _format as fmt
from ptp.report._summary import Summary

_WIDTH = 100  # prose under the tables wraps here; the tables themselves never wrap


def fixed_width(header: Sequence[str], rows: Sequence[Sequence[str]], n_left: int) -> str:
    """Columns padded to their widest entry; the first ``n_left`` left-aligned, the rest right.

    Args:
        header: Column titles.
        rows: Text rows, each as long as ``header``.
        n_left: How many leading columns are labels (left-aligned).

    Returns:
        The table with a dashed rule under the header.
    """
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = [
            str(v).ljust(w) if i < n_left else str(v).rjust(w)
            for i, (v, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def terminal_table(summary: Summary) -> str:
    """Per suite: the cells table, the declared statistics, the comparisons and any notes.

    Args:
        summary: From :func:`summarize`.

    Returns:
        Plain text (no trailing newline); ``"no results"`` when there are no rows.
    """
    if not summary.suites:
        return "no results"
    blocks = []
    for suite in summary.suites:
        parts = [
            f"== {suite.name} ==",
            fixed_width(fmt.cell_header(summary, suite), fmt.cell_rows(suite), len(suite.axes)),
        ]
        if suite.stats:
            table = fixed_width(fmt.stats_header(suite), fmt.stats_rows(suite), len(suite.axes))
            parts += ["", fmt.stats_title(summary), table]
        if suite.comparisons:
            rows = fmt.comparison_rows(suite.comparisons)
            parts += ["", fixed_width(fmt.COMPARISON_HEADER, rows, 2)]
        parts += [textwrap.fill(f"note: {n}", _WIDTH) for n in suite.notes]
        parts.append(textwrap.fill(fmt.caption(summary, suite), _WIDTH))
        blocks.append("\n".join(parts))
    if summary.n_superseded:
        blocks.append(f"{summary.n_superseded} older rows replaced by re-runs of the same case")
    return "\n\n".join(blocks)
