"""``ptp report DIR``: read a results directory, write every report file beside the rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ptp.report._latex import latex_tables
from ptp.report._markdown import markdown_summary
from ptp.report._plot import plot_accuracy_vs_cost
from ptp.report._summary import Summary, declared_comparisons, declared_stats, summarize
from ptp.results import SUITES_FILE, ResultsFileError, read_results

SUMMARY_FILE = "summary.json"
LATEX_FILE = "tables.tex"
MARKDOWN_FILE = "summary.md"
PLOT_FILE = "accuracy_vs_cost.png"


def read_suites(results_dir: Path) -> dict[str, dict[str, Any]]:
    """The suites' declarations (``suites.json``), or ``{}`` when the file is absent.

    Raises:
        ResultsFileError: If the file is not a JSON object of objects, or a suite's
            ``compare`` or ``stats`` is malformed.
    """
    path = Path(results_dir) / SUITES_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ResultsFileError(
            f"{path}:{err.lineno}:{err.colno}: not valid JSON ({err.msg}); fix it or delete "
            "the file (the next eval run rewrites it)"
        ) from err
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ResultsFileError(
            f'{path}: expected {{"<suite>": {{"compare": [[axis, a, b], ...], '
            '"stats": [name, ...]}}; fix it or delete the file (the next eval run rewrites it)'
        )
    for suite, info in data.items():
        try:
            declared_comparisons(suite, info)
            declared_stats(suite, info)
        except ValueError as err:
            raise ResultsFileError(f"{path}: {err}") from err
    return data


def write_reports(results_dir: str | Path, *, n_resamples: int = 5000, seed: int = 0) -> Summary:
    """Summarize ``results.jsonl`` and write the reports into the same directory.

    Writes ``summary.json``, ``tables.tex``, ``summary.md`` and ``accuracy_vs_cost.png``.

    Args:
        results_dir: A results directory (holds ``results.jsonl``, maybe ``suites.json``).
        n_resamples: Bootstrap resamples.
        seed: Bootstrap seed.

    Returns:
        The :class:`Summary` that was written.

    Raises:
        ResultsFileError: If ``results.jsonl`` is missing or malformed, or ``suites.json``
            is malformed (e.g. a comparison that is not ``[axis, a, b]``, or ``stats`` that
            is not a list of names).
    """
    results_dir = Path(results_dir)
    records = read_results(results_dir)
    suites = read_suites(results_dir)
    summary = summarize(records, suites, n_resamples=n_resamples, seed=seed)
    (results_dir / SUMMARY_FILE).write_text(summary.model_dump_json(indent=2) + "\n", "utf-8")
    (results_dir / LATEX_FILE).write_text(latex_tables(summary), "utf-8")
    (results_dir / MARKDOWN_FILE).write_text(markdown_summary(summary), "utf-8")
    plot_accuracy_vs_cost(summary, results_dir / PLOT_FILE)
    return summary
