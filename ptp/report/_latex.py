"""LaTeX tables (booktabs), standalone-includable: ``\\input{tables.tex}`` needs only
``\\usepackage{booktabs}``."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ptp.report._summary import Summary
from ptp.report._tables import Report, Section, Table, build_report, split_table

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # In the default OT1 font encoding < and > print as inverted punctuation.
    "<": r"$<$",
    ">": r"$>$",
}
_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _SPECIAL))


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters (``\\ & % $ # _ { } ~ ^ < >``) in plain text.

    Args:
        text: Plain text.

    Returns:
        Text that typesets literally in LaTeX's text mode.
    """
    return _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(0)], text)


def tabular(header: Sequence[str], rows: Sequence[Sequence[str]], n_left: int) -> str:
    """A booktabs tabular; the first ``n_left`` columns left-aligned, the rest right-aligned.

    Args:
        header: Column titles (plain text, escaped here).
        rows: Text rows (plain text, escaped here).
        n_left: Number of label columns.

    Returns:
        ``\\begin{tabular}...\\end{tabular}``.
    """
    spec = "l" * n_left + "r" * (len(header) - n_left)

    def line(row: Sequence[str]) -> str:
        return " & ".join(latex_escape(str(v)) for v in row) + r" \\"

    return "\n".join(
        [
            rf"\begin{{tabular}}{{{spec}}}",
            r"\toprule",
            line(header),
            r"\midrule",
            *(line(r) for r in rows),
            r"\bottomrule",
            r"\end{tabular}",
        ]
    )


def label_slug(name: str) -> str:
    """A ``\\label``-safe form of ``name``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-") or "table"


# Tables wider than this many characters of cell text are split into parts (as on the
# terminal): a booktabs table of ~120 characters in \small fills a page's text width.
WIDTH = 120


def _table(table: Table) -> list[str]:
    out = []
    for part in split_table(table, WIDTH):
        if part.title:
            out.append(rf"\textit{{{latex_escape(part.title)}}}\par\smallskip")
        out += [tabular(part.header, part.rows, part.n_keys), r"\par\medskip"]
    return out


def render_section(section: Section, method: str = "") -> str:
    """One ``table`` float: caption (the suite's size and ``method``: each float stands
    alone), the tabulars, then legend and notes in small print."""
    text = " ".join(t for t in (section.caption or section.title, method) if t)
    parts = [
        f"% ptp report: suite {section.title}",
        r"\begin{table}[htbp]",
        r"\centering",
        r"\small",
        rf"\caption{{{latex_escape(text)}}}",
        rf"\label{{tab:ptp-{label_slug(section.title)}}}",
    ]
    for table in section.tables:
        parts += _table(table)
    small = [rf"\textit{{{latex_escape(t)}}}: {latex_escape(x)}." for t, x in section.legend]
    small += [latex_escape(n) + "." for n in section.notes]
    if small:
        parts += [
            r"\begin{minipage}{\linewidth}\raggedright\footnotesize",
            "\n".join(small),
            r"\end{minipage}",
        ]
    parts.append(r"\end{table}")
    return "\n".join(parts)


def render_report(report: Report) -> str:
    """Every section as a float; a comment when there are no results."""
    if not report.sections:
        return "% ptp report: no results\n"
    out = [render_section(s, report.method) for s in report.sections]
    out += [f"% {n}" for n in report.notes]
    return "\n\n".join(out) + "\n"


def latex_tables(summary: Summary) -> str:
    """One ``table`` float per suite: the cells, statistics and comparisons tabulars, the
    legend explaining every column, the notes (constant axes, caps) and the method.

    Args:
        summary: From :func:`summarize`.

    Returns:
        LaTeX source needing only ``booktabs``; a comment when there are no results.
    """
    return render_report(build_report(summary))
