"""LaTeX tables (booktabs), standalone-includable: ``\\input{tables.tex}`` needs only
``\\usepackage{booktabs}``."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ptp.report import _format as fmt
from ptp.report._summary import Summary

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


def latex_tables(summary: Summary) -> str:
    """One ``table`` float per suite: the cells tabular, then the comparisons tabular.

    Args:
        summary: From :func:`summarize`.

    Returns:
        LaTeX source needing only ``booktabs``; a comment when there are no results.
    """
    if not summary.suites:
        return "% ptp report: no results\n"
    out = []
    for suite in summary.suites:
        parts = [
            f"% ptp report: suite {suite.name}",
            r"\begin{table}[htbp]",
            r"\centering",
            rf"\caption{{{latex_escape(fmt.caption(summary, suite))}}}",
            rf"\label{{tab:ptp-{label_slug(suite.name)}}}",
            tabular(fmt.cell_header(summary, suite), fmt.cell_rows(suite), len(suite.axes)),
        ]
        if suite.comparisons:
            rows = fmt.comparison_rows(suite.comparisons)
            parts += [r"\par\medskip", tabular(fmt.COMPARISON_HEADER, rows, 2)]
        parts.append(r"\end{table}")
        out.append("\n".join(parts))
    return "\n\n".join(out) + "\n"
