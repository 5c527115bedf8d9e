"""GitHub-flavoured markdown tables with the same content as the terminal and LaTeX ones."""

from __future__ import annotations

from collections.abc import Sequence

from ptp.report import _format as fmt
from ptp.report._summary import Summary


def markdown_escape(text: str) -> str:
    """Escape ``|`` (a cell separator) and newlines in a table cell.

    Args:
        text: Plain text.

    Returns:
        Text safe inside one GitHub table cell.
    """
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]], n_left: int) -> str:
    """A GitHub table; the first ``n_left`` columns left-aligned, the rest right-aligned.

    Args:
        header: Column titles.
        rows: Text rows.
        n_left: Number of label columns.

    Returns:
        The table, one line per row.
    """

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(markdown_escape(str(v)) for v in row) + " |"

    align = ["---" if i < n_left else "---:" for i in range(len(header))]
    return "\n".join([line(header), "| " + " | ".join(align) + " |", *(line(r) for r in rows)])


def markdown_summary(summary: Summary) -> str:
    """Per suite: a heading, the cells, statistics and comparisons tables, notes, the method.

    Args:
        summary: From :func:`summarize`.

    Returns:
        Markdown text.
    """
    if not summary.suites:
        return "# ptp results\n\nNo results.\n"
    blocks = ["# ptp results"]
    for suite in summary.suites:
        blocks += [
            f"## {markdown_escape(suite.name)}",
            markdown_table(fmt.cell_header(summary, suite), fmt.cell_rows(suite), len(suite.axes)),
        ]
        if suite.stats:
            table = markdown_table(fmt.stats_header(suite), fmt.stats_rows(suite), len(suite.axes))
            blocks += [fmt.stats_title(summary), table]
        if suite.comparisons:
            rows = fmt.comparison_rows(suite.comparisons)
            blocks.append(markdown_table(fmt.COMPARISON_HEADER, rows, 2))
        if suite.notes:
            blocks.append("\n".join(f"- {n}" for n in suite.notes))
        blocks.append(fmt.caption(summary, suite))
    if summary.n_superseded:
        blocks.append(f"{summary.n_superseded} older rows were replaced by re-runs of a case.")
    return "\n\n".join(blocks) + "\n"
