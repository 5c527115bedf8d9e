"""Plain-text, fixed-width tables for the terminal (no colour: logs and CI keep them intact).
Every line fits :data:`WIDTH` columns: too-wide tables are split into parts that repeat the
label columns, prose and legend entries are wrapped."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from ptp.report._files import ReportFiles
from ptp.report._summary import Summary
from ptp.report._tables import Report, Section, Table, build_report, split_table

WIDTH = 120
_GAP = 2


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
        return (" " * _GAP).join(cells).rstrip()

    rule = (" " * _GAP).join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def _wrap(text: str, width: int, indent: str = "") -> str:
    return textwrap.fill(text, width, subsequent_indent=indent, break_on_hyphens=False)


def render_table(table: Table, width: int = WIDTH) -> str:
    """A table (split into parts when wider than ``width``), each part under its title."""
    blocks = []
    for part in split_table(table, width, _GAP):
        body = fixed_width(part.header, part.rows, part.n_keys)
        blocks.append(f"{part.title}\n{body}" if part.title else body)
    return "\n\n".join(blocks)


def render_legend(legend: Sequence[tuple[str, str]], width: int = WIDTH) -> list[str]:
    """``legend:`` and one wrapped line per entry (empty for no entries)."""
    if not legend:
        return []
    return ["legend:", *(_wrap(f"  {term}: {text}", width, "      ") for term, text in legend)]


def render_section(section: Section, width: int = WIDTH, *, legend: bool = True) -> str:
    """``== suite ==``, the tables, the caption, the notes and (with ``legend``) the legend."""
    parts = [f"== {section.title} =="]
    parts += [render_table(t, width) + "\n" for t in section.tables]
    if section.caption:
        parts.append(_wrap(section.caption, width))
    parts += [_wrap(f"note: {n}", width, "      ") for n in section.notes]
    if legend:
        parts += render_legend(section.legend, width)
    return "\n".join(parts)


def render_report(report: Report, width: int = WIDTH) -> str:
    """Every section, then one legend for all of them and the method; ``"no results"``
    when there is no section. (On the terminal the suites follow each other: one legend at
    the end explains each column once instead of once per suite.)"""
    if not report.sections:
        return "no results"
    blocks = [render_section(s, width, legend=False) for s in report.sections]
    blocks += [_wrap(n, width) for n in report.notes]
    tail = render_legend(report.legend, width)
    if report.method:
        tail.append(_wrap(report.method, width))
    if tail:
        blocks.append("\n".join(tail))
    return "\n\n".join(blocks)


def terminal_table(summary: Summary | ReportFiles) -> str:
    """Per suite: the cells table, the statistics (declared ones and stop reasons), the
    comparisons, a legend explaining every column once, notes and the method.

    Args:
        summary: From :func:`summarize`, or what :func:`write_reports` returned.

    Returns:
        Plain text no wider than 120 columns (no trailing newline); ``"no results"`` when
        there are no rows.
    """
    if isinstance(summary, ReportFiles):
        summary = summary.summary
    return render_report(build_report(summary))
