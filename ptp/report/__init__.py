"""Reports from result rows: per-cell bootstrap CIs, declared paired comparisons, and tables
(terminal, LaTeX, markdown), an accuracy-vs-cost plot, run-vs-run comparisons and main tables.

    summary = write_reports(Path("results/20250101-120000"), n_resamples=5000, seed=0)
    print(terminal_table(summary))
"""

from ptp.report._compare import CellComparison, RunComparison, compare_runs, compare_table
from ptp.report._files import write_reports
from ptp.report._latex import latex_tables
from ptp.report._markdown import markdown_summary
from ptp.report._pairing import PairedStats
from ptp.report._plot import plot_accuracy_vs_cost
from ptp.report._spec import (
    ColumnSpec,
    ReportSpecError,
    RowSpec,
    TableSpec,
    load_table_spec,
    render_main_table,
)
from ptp.report._summary import (
    Cell,
    Estimate,
    PairedComparison,
    SuiteSummary,
    Summary,
    summarize,
)
from ptp.report._terminal import terminal_table

__all__ = [
    "Cell",
    "CellComparison",
    "ColumnSpec",
    "Estimate",
    "PairedComparison",
    "PairedStats",
    "ReportSpecError",
    "RowSpec",
    "RunComparison",
    "SuiteSummary",
    "Summary",
    "TableSpec",
    "compare_runs",
    "compare_table",
    "latex_tables",
    "load_table_spec",
    "markdown_summary",
    "plot_accuracy_vs_cost",
    "render_main_table",
    "summarize",
    "terminal_table",
    "write_reports",
]
