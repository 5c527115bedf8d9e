"""GitHub-flavoured markdown: the same tables, legend and notes as the terminal and LaTeX."""

from __future__ import annotations

from collections.abc import Sequence

from ptp.report._summary import Summary
from ptp.report._tables import Report, Section, Table, build_report


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


def _table(table: Table) -> list[str]:
    # GitHub scrolls wide tables sideways: no split here.
    body = markdown_table(table.header, table.rows, table.n_keys)
    return [f"**{markdown_escape(table.title)}**", body] if table.title else [body]


def render_section(section: Section, level: int = 2) -> list[str]:
    """Markdown blocks of one section: heading, tables, legend, notes, caption."""
    blocks = [f"{'#' * level} {markdown_escape(section.title)}"]
    for table in section.tables:
        blocks += _table(table)
    if section.legend:
        entries = [f"- **{markdown_escape(t)}**: {markdown_escape(x)}" for t, x in section.legend]
        blocks.append("\n".join(["Legend:", "", *entries]))
    if section.notes:
        blocks.append("\n".join(f"- {markdown_escape(n)}" for n in section.notes))
    if section.caption:
        blocks.append(section.caption)
    return blocks


def render_report(report: Report, level: int = 1) -> str:
    """The report as markdown; ``No results.`` when there is no section."""
    blocks = [f"{'#' * level} {report.title}"]
    if not report.sections:
        return "\n\n".join([*blocks, "No results."]) + "\n"
    for section in report.sections:
        blocks += render_section(section, level + 1)
    blocks += list(report.notes)
    if report.method:
        blocks.append(report.method)
    return "\n\n".join(blocks) + "\n"


def markdown_summary(summary: Summary) -> str:
    """Per suite: a heading, the cells, statistics and comparisons tables, the legend, notes
    and the method.

    Args:
        summary: From :func:`summarize`.

    Returns:
        Markdown text.
    """
    return render_report(build_report(summary))


def readme_markdown(summary: Summary, *, heading_level: int = 3) -> str:
    """A compact markdown section per suite for the README: per cell n, errors, accuracy
    [CI], mean tokens, LLM calls and model latency, the declared statistics with stop and
    finish reasons, with the reference solver and the caps labelled, a legend and the method;
    generated from the summary, so README tables are not typed by hand.

    Args:
        summary: From :func:`summarize` (or :func:`ptp.report.load_summary`).
        heading_level: Markdown heading level of each suite's title (3: ``### airline``).

    Returns:
        Markdown text (no top-level title); ``No results.`` when there are no rows.
    """
    report = build_report(summary, compact=True)
    if not report.sections:
        return "No results.\n"
    blocks = []
    for section in report.sections:
        blocks += render_section(section, heading_level)
    blocks += list(report.notes)
    if report.method:
        blocks.append(report.method)
    return "\n\n".join(blocks) + "\n"
