"""``ptp report DIR``: read a results directory, write every report file beside the rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ptp.report._latex import latex_tables
from ptp.report._markdown import markdown_summary
from ptp.report._plot import plot_accuracy
from ptp.report._summary import (
    Summary,
    declared_caps,
    declared_comparisons,
    declared_reference,
    declared_stats,
    summarize,
)
from ptp.results import SUITES_FILE, ResultsFileError, read_results

SUMMARY_FILE = "summary.json"
LATEX_FILE = "tables.tex"
MARKDOWN_FILE = "summary.md"

_SHAPE = (
    '{"<suite>": {"compare": [[axis, a, b], ...], "stats": [name, ...], '
    '"reference": [axis, value, note], "caps": {"axis=value": setting}}} (every key optional)'
)


def read_suites(results_dir: str | Path) -> dict[str, dict[str, Any]]:
    """The suites' declarations (``suites.json``), or ``{}`` when the file is absent.

    Each suite may declare ``compare`` (``[[axis, a, b], ...]``), ``stats`` (names),
    ``reference`` (``[axis, value, note]``: the reference solver's cells) and ``caps``
    (``{"axis=value": "the setting that caps those cells"}``).

    Raises:
        ResultsFileError: If the file is not a JSON object of objects, or a suite's
            ``compare``, ``stats``, ``reference`` or ``caps`` is malformed (the message
            names the file, the suite, the key and the fix).
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
            f"{path}: expected {_SHAPE}; fix it or delete the file (the next eval run rewrites it)"
        )
    for suite, info in data.items():
        try:
            declared_comparisons(suite, info)
            declared_stats(suite, info)
            declared_reference(suite, info)
            declared_caps(suite, info)
        except ValueError as err:
            raise ResultsFileError(f"{path}: {err}") from err
    return data


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`write_reports` wrote.

    Attributes:
        summary: The :class:`Summary` the files show.
        summary_json: ``summary.json``.
        latex: ``tables.tex``.
        markdown: ``summary.md``.
        plot: ``accuracy_vs_cost.png`` or ``accuracy_vs_tokens.png`` (named for its x axis).
    """

    summary: Summary
    summary_json: Path
    latex: Path
    markdown: Path
    plot: Path

    @property
    def paths(self) -> list[Path]:
        """Every file written, in a stable order."""
        return [self.summary_json, self.latex, self.markdown, self.plot]


def load_summary(results_dir: str | Path, *, n_resamples: int = 5000, seed: int = 0) -> Summary:
    """Summarize a results directory (``results.jsonl`` and ``suites.json``) without writing.

    Raises:
        ResultsFileError: As :func:`write_reports`.
    """
    results_dir = Path(results_dir)
    records = read_results(results_dir)
    return summarize(records, read_suites(results_dir), n_resamples=n_resamples, seed=seed)


def write_reports(
    results_dir: str | Path, *, n_resamples: int = 5000, seed: int = 0
) -> ReportFiles:
    """Summarize ``results.jsonl`` and write the reports into the same directory.

    Writes ``summary.json``, ``tables.tex``, ``summary.md`` and the plot, named for its x
    axis: ``accuracy_vs_cost.png`` or ``accuracy_vs_tokens.png`` (a stale plot of the other
    name is removed, so the directory never shows two).

    Args:
        results_dir: A results directory (holds ``results.jsonl``, maybe ``suites.json``).
        n_resamples: Bootstrap resamples.
        seed: Bootstrap seed.

    Returns:
        A :class:`ReportFiles`: the summary (``.summary``) and the paths written
        (``.plot`` and the others; ``.paths`` lists them all).

    Raises:
        ResultsFileError: If ``results.jsonl`` is missing or malformed, or ``suites.json``
            is malformed (e.g. a comparison that is not ``[axis, a, b]``, ``stats`` that
            is not a list of names, or a bad ``reference`` / ``caps``).
    """
    results_dir = Path(results_dir)
    summary = load_summary(results_dir, n_resamples=n_resamples, seed=seed)
    summary_json, latex, markdown = write_text_reports(summary, results_dir)
    return ReportFiles(summary, summary_json, latex, markdown, write_plot(summary, results_dir))


def write_text_reports(summary: Summary, results_dir: str | Path) -> tuple[Path, Path, Path]:
    """Write ``summary.json``, ``tables.tex`` and ``summary.md`` of ``summary`` into
    ``results_dir`` (the part of :func:`write_reports` that needs no plot) and return them."""
    results_dir = Path(results_dir)
    summary_json = results_dir / SUMMARY_FILE
    summary_json.write_text(summary.model_dump_json(indent=2) + "\n", "utf-8")
    latex = results_dir / LATEX_FILE
    latex.write_text(latex_tables(summary), "utf-8")
    markdown = results_dir / MARKDOWN_FILE
    markdown.write_text(markdown_summary(summary), "utf-8")
    return summary_json, latex, markdown


def write_plot(summary: Summary, results_dir: str | Path) -> Path:
    """Draw the plot of ``summary`` into ``results_dir`` (the rest of :func:`write_reports`)
    and remove a stale plot of the other name; returns its path."""
    from ptp.report._plot import PLOT_FILES

    plot = plot_accuracy(summary, results_dir)
    for name in PLOT_FILES.values():
        if name != plot.name:
            (Path(results_dir) / name).unlink(missing_ok=True)
    return plot
