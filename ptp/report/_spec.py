"""A paper's main table laid out by a JSON spec: columns are result sets (with filters), rows
are filters, each cell a mean with its bootstrap CI over tasks.

    {"title": "Accuracy by level", "metric": "accuracy",
     "columns": [{"label": "gemma", "results": "results/run1", "where": {"model": "local:g"}}],
     "rows": [{"label": "L0", "where": {"level": "L0", "suite": "airline"}}]}
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from ptp.report._latex import label_slug, latex_escape
from ptp.report._markdown import markdown_escape
from ptp.report._rows import latest_rows, row_axes, row_correct, row_score
from ptp.report._summary import CI_METHOD, METHOD_TEXT
from ptp.results import EvalRecord, ResultsFileError, read_results
from ptp.stats import bootstrap_ci

# Filter keys that name EvalRecord fields rather than axes.
_RECORD_KEYS = ("suite", "family")


class ReportSpecError(ValueError):
    """A table spec is wrong; the message names the file, the field's JSON path and the fix."""


class ColumnSpec(BaseModel):
    """A column: a results directory and the rows of it to use."""

    model_config = ConfigDict(extra="forbid")

    label: str
    results: str = Field(description="results directory, relative to the spec's base dir")
    where: dict[str, str] = Field(default_factory=dict)


class RowSpec(BaseModel):
    """A row: a filter on axes (and ``suite``/``family``) applied within every column."""

    model_config = ConfigDict(extra="forbid")

    label: str
    where: dict[str, str] = Field(default_factory=dict)


class TableSpec(BaseModel):
    """A main table: ``metric`` per (row, column) cell with a bootstrap CI over tasks."""

    model_config = ConfigDict(extra="forbid")

    title: str
    metric: Literal["accuracy", "score"]
    columns: list[ColumnSpec] = Field(min_length=1)
    rows: list[RowSpec] = Field(min_length=1)
    confidence: float = Field(0.95, gt=0.0, lt=1.0)
    n_resamples: int = Field(5000, ge=1)
    seed: int = 0
    label: str | None = Field(None, description="LaTeX \\label; default from the title")
    # The file it came from, so later errors (a missing results dir) can name it.
    _source: Path | None = PrivateAttr(None)


_MODELS: dict[str, type[BaseModel]] = {"columns": ColumnSpec, "rows": RowSpec}


def _json_path(loc: Sequence[int | str]) -> str:
    """``('columns', 2, 'results')`` -> ``columns[2].results``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _fix(err: dict[str, Any]) -> str:
    """What to change, for one pydantic error."""
    loc, kind = err["loc"], err["type"]
    if kind == "missing":
        return f"add the field {loc[-1]!r}"
    if kind == "extra_forbidden":
        model = _MODELS.get(str(loc[0])) if len(loc) > 2 else TableSpec
        allowed = ", ".join(model.model_fields) if model else "(see the docs)"
        return f"remove it or correct its spelling; allowed fields: {allowed}"
    if kind == "literal_error":
        return f"use one of {err['ctx']['expected']}"
    if kind == "string_type":
        return 'write it as a JSON string, e.g. "1" rather than 1'
    if kind == "list_type":
        return "write it as a JSON list [...]"
    if kind in ("dict_type", "model_type"):
        return "write it as a JSON object {...}"
    if kind == "too_short":
        return "give at least one entry"
    return "correct the value"


def _spec_error(path: Path, err: ValidationError) -> ReportSpecError:
    lines = []
    for e in err.errors():
        got = "" if e["type"] == "missing" else f" (got {e['input']!r:.60})"
        lines.append(f"{path}: {_json_path(e['loc'])}: {e['msg']}{got}; fix: {_fix(dict(e))}")
    return ReportSpecError("\n".join(lines))


def load_table_spec(path: str | Path) -> TableSpec:
    """Read and validate a main-table spec.

    Args:
        path: The JSON spec file.

    Returns:
        The :class:`TableSpec`; it remembers ``path`` for later error messages.

    Raises:
        ReportSpecError: If the file is missing, not JSON, or a field is wrong (unknown
            metric included); the message names the file, the JSON path and the fix.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ReportSpecError(
            f"{path}: cannot read the table spec ({err.strerror}); fix the path"
        ) from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ReportSpecError(
            f"{path}:{err.lineno}:{err.colno}: not valid JSON ({err.msg}); fix the syntax there"
        ) from err
    try:
        spec = TableSpec.model_validate(data)
    except ValidationError as err:
        raise _spec_error(path, err) from err
    spec._source = path
    return spec


def _matches(record: EvalRecord, axes: dict[str, str], where: dict[str, str]) -> bool:
    for key, value in where.items():
        have = getattr(record, key) if key in _RECORD_KEYS else axes.get(key)
        if have != value:
            return False
    return True


def _check_keys(
    source: str, field: str, where: dict[str, str], known: set[str], results: str
) -> None:
    """A filter key no row has is a typo, not an empty cell: say so."""
    for key in where:
        if key not in known and key not in _RECORD_KEYS:
            raise ReportSpecError(
                f"{source}: {field}.{key}: no row in {results} has the axis {key!r}; fix: use "
                f"one of {sorted({*known, *_RECORD_KEYS})}"
            )


def _load_column(
    spec: TableSpec, i: int, base_dir: Path, source: str
) -> list[tuple[EvalRecord, dict[str, str]]]:
    column = spec.columns[i]
    field = f"columns[{i}].results"
    results_dir = Path(column.results)
    if not results_dir.is_absolute():
        results_dir = base_dir / results_dir
    if not results_dir.is_dir():
        raise ReportSpecError(
            f"{source}: {field}: no results directory {results_dir} (relative paths are "
            f"resolved against {base_dir}); fix the path, or run the evals with "
            f"--ptp-results {results_dir}"
        )
    try:
        records = latest_rows(read_results(results_dir))[0]
    except ResultsFileError as err:
        raise ReportSpecError(f"{source}: {field}: {err}") from err
    return [(r, row_axes(r)) for r in records]


def _cell_text(spec: TableSpec, rows: list[EvalRecord], n_resamples: int, seed: int) -> str | None:
    """``mean [lo, hi] (n=..)`` or None for no rows."""
    if not rows:
        return None
    value = row_correct if spec.metric == "accuracy" else row_score
    ci = bootstrap_ci(
        [float(value(r)) for r in rows],
        confidence=spec.confidence,
        n_resamples=n_resamples,
        seed=seed,
        method=CI_METHOD,
        clusters=[r.task_id for r in rows],
    )
    return f"{ci.estimate:.3f} [{ci.low:.3f}, {ci.high:.3f}] (n={ci.n})"


def render_main_table(
    spec: TableSpec,
    *,
    base_dir: str | Path | None = None,
    n_resamples: int | None = None,
    seed: int | None = None,
) -> tuple[str, str]:
    """Render the spec's table as LaTeX (booktabs) and as GitHub markdown.

    Each cell holds the rows of its column's results set that match both the column's and
    the row's ``where`` (axes, or ``suite``/``family``), shown as ``mean [lo, hi] (n=rows)``
    with a percentile bootstrap CI resampling tasks; an empty cell shows a dash. Harness
    errors count as incorrect / score 0.

    Args:
        spec: From :func:`load_table_spec`.
        base_dir: Where relative ``results`` paths start; default the spec file's folder
            (or the working directory for a spec built in code).
        n_resamples: Overrides ``spec.n_resamples``.
        seed: Overrides ``spec.seed``.

    Returns:
        ``(latex, markdown)``.

    Raises:
        ReportSpecError: If a results directory is missing or unreadable, or a filter names
            an axis no row has; the message names the file, the field and the fix.
    """
    source = str(spec._source or "<table spec>")
    if base_dir is None:
        base_dir = spec._source.parent if spec._source else Path.cwd()
    base_dir = Path(base_dir)
    n_resamples = spec.n_resamples if n_resamples is None else n_resamples
    seed = spec.seed if seed is None else seed
    columns = [_load_column(spec, i, base_dir, source) for i in range(len(spec.columns))]
    all_axes: set[str] = set()
    for i, (column, loaded) in enumerate(zip(spec.columns, columns, strict=True)):
        known = {k for _, axes in loaded for k in axes}
        _check_keys(source, f"columns[{i}].where", column.where, known, column.results)
        all_axes |= known
    for j, row in enumerate(spec.rows):
        _check_keys(source, f"rows[{j}].where", row.where, all_axes, "any column's results")
    grid: list[list[str | None]] = []
    for row in spec.rows:
        line = []
        for column, loaded in zip(spec.columns, columns, strict=True):
            where = {**column.where, **row.where}
            conflict = any(column.where.get(k, v) != v for k, v in row.where.items())
            chosen = [] if conflict else [r for r, axes in loaded if _matches(r, axes, where)]
            line.append(_cell_text(spec, chosen, n_resamples, seed))
        grid.append(line)
    caption = (
        f"{spec.title.rstrip('.')}. Each cell: mean {spec.metric} "
        f"[{spec.confidence:.0%} CI] (n = rows); "
        f"{METHOD_TEXT}, {n_resamples} resamples, seed {seed}; harness errors count as "
        "failures; a dash marks a cell with no rows."
    )
    return _latex(spec, grid, caption), _markdown(spec, grid, caption)


def _latex(spec: TableSpec, grid: list[list[str | None]], caption: str) -> str:
    def line(cells: Sequence[str]) -> str:
        return " & ".join(cells) + r" \\"

    header = ["", *(latex_escape(c.label) for c in spec.columns)]
    body = [
        line([latex_escape(row.label), *(latex_escape(c) if c else "---" for c in cells)])
        for row, cells in zip(spec.rows, grid, strict=True)
    ]
    return "\n".join(
        [
            r"\begin{table}[htbp]",
            r"\centering",
            rf"\caption{{{latex_escape(caption)}}}",
            rf"\label{{tab:{label_slug(spec.label or spec.title)}}}",
            rf"\begin{{tabular}}{{l{'r' * len(spec.columns)}}}",
            r"\toprule",
            line(header),
            r"\midrule",
            *body,
            r"\bottomrule",
            r"\end{tabular}",
            r"\end{table}",
            "",
        ]
    )


def _markdown(spec: TableSpec, grid: list[list[str | None]], caption: str) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(markdown_escape(c) for c in cells) + " |"

    lines = [
        f"**{markdown_escape(spec.title)}**",
        "",
        line(["", *(c.label for c in spec.columns)]),
        "| --- |" + " ---: |" * len(spec.columns),
        *(
            line([row.label, *(c or "—" for c in cells)])
            for row, cells in zip(spec.rows, grid, strict=True)
        ),
        "",
        caption,
        "",
    ]
    return "\n".join(lines)
