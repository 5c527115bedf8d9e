"""Reports from result rows: per-cell bootstrap CIs, declared paired comparisons, and tables
(terminal, LaTeX, markdown; one neutral structure, three renderers), an accuracy plot,
README sections, run-vs-run comparisons and main tables.

    files = write_reports(Path("results/20250101-120000"), n_resamples=5000, seed=0)
    print(terminal_table(files.summary))
    print(readme_markdown(load_summary("results/20250101-120000")))
"""

from ptp.report._compare import CellComparison, RunComparison, compare_runs, compare_table
from ptp.report._files import ReportFiles, load_summary, read_suites, write_reports
from ptp.report._latex import latex_tables
from ptp.report._markdown import markdown_summary, readme_markdown
from ptp.report._pairing import PairedStats
from ptp.report._plot import draw_accuracy_plot, plot_accuracy, plot_file_name
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
    Reference,
    SuiteSummary,
    Summary,
    summarize,
)
from ptp.report._tables import Column, Report, Section, Table, build_report
from ptp.report._terminal import terminal_table

__all__ = [
    "Cell",
    "CellComparison",
    "Column",
    "ColumnSpec",
    "Estimate",
    "PairedComparison",
    "PairedStats",
    "Reference",
    "Report",
    "ReportFiles",
    "ReportSpecError",
    "RowSpec",
    "RunComparison",
    "Section",
    "SuiteSummary",
    "Summary",
    "Table",
    "TableSpec",
    "build_report",
    "compare_runs",
    "compare_table",
    "draw_accuracy_plot",
    "latex_tables",
    "load_summary",
    "load_table_spec",
    "markdown_summary",
    "plot_accuracy",
    "plot_file_name",
    "read_suites",
    "readme_markdown",
    "render_main_table",
    "summarize",
    "terminal_table",
    "write_reports",
]
