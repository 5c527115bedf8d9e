"""The report's tables as a neutral structure, built once from a :class:`Summary` and drawn by
three small renderers (terminal, markdown, LaTeX), so the formats cannot drift apart.

A :class:`Report` holds one :class:`Section` per suite; a section holds its tables, a legend
that explains every column once, and notes (constant axes, caps, what was not compared, the
method). Columns carry their own explanation, so a column cannot be added without one.

How the reference solver is shown (``suites.json`` ``"reference"``): its cells stay in every
table, their axis value marked ``(ref)``, but their accuracy and score are shown as plain
means without a CI, and a comparison with a reference cell shows its difference and CI (they
measure the other side's gap to correct answers) with ``ref`` instead of p-values. A
reference that is correct by construction has no sampling variability worth an interval,
and "differs from the reference" is not a hypothesis the data can test; such comparisons are
also left out of the Holm family, so they do not weaken the correction of the real tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ptp.report import _format as fmt
from ptp.report._rows import shown_value
from ptp.report._summary import Cell, PairedComparison, SuiteSummary, Summary

REF_MARK = "(ref)"  # after a reference cell's axis value
REF_P = "ref"  # in the p-value columns of a comparison with the reference
TEST_ABBREV = {"sign-flip exact": "exact", "bootstrap": "boot"}


@dataclass(frozen=True)
class Column:
    """One column: a short header, and the legend text that explains it.

    Attributes:
        header: The header cell (short; the legend says what it means).
        legend: The explanation shown once in the section's legend.
        key: A label column (left-aligned; kept in every part when a wide table is split).
        term: The legend's term when several columns share one entry (e.g. the axes);
            defaults to the header.
    """

    header: str
    legend: str
    key: bool = False
    term: str | None = None


@dataclass(frozen=True)
class Table:
    """A titled grid of text cells; ``rows`` are as long as ``columns``."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def n_keys(self) -> int:
        """How many leading label columns."""
        return sum(c.key for c in self.columns)

    @property
    def header(self) -> list[str]:
        return [c.header for c in self.columns]


@dataclass(frozen=True)
class Section:
    """One suite: its tables, a legend (term, explanation), notes under the tables, and a
    caption (the suite's n, tasks and errors)."""

    title: str
    tables: tuple[Table, ...]
    legend: tuple[tuple[str, str], ...]
    notes: tuple[str, ...] = ()
    caption: str = ""


@dataclass(frozen=True)
class Report:
    """Every section; ``method`` says how the numbers were obtained (the same for every
    section); ``notes`` are about the whole results set."""

    title: str
    sections: tuple[Section, ...]
    method: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def legend(self) -> tuple[tuple[str, str], ...]:
        """Every section's legend merged, each term once (for a single legend at the end)."""
        out: dict[str, str] = {}
        for section in self.sections:
            for term, text in section.legend:
                out.setdefault(term, text)
        return tuple(out.items())


def text_width(table: Table, columns: Sequence[int] | None = None, gap: int = 2) -> int:
    """Characters a fixed-width rendering of ``table`` (or of some of its columns) needs."""
    idx = range(len(table.columns)) if columns is None else columns
    widths = [max(len(r[i]) for r in [table.header, *table.rows]) for i in idx]
    return sum(widths) + gap * max(0, len(widths) - 1)


def split_table(table: Table, width: int, gap: int = 2) -> list[Table]:
    """Split a table too wide for ``width`` characters into parts that each keep the label
    columns and take as many of the other columns, in order, as fit.

    A part always gets at least one non-label column, so a single very wide column can
    still overflow. The parts' titles say ``(part i/k)``.
    """
    if text_width(table, gap=gap) <= width:
        return [table]
    keys = [i for i, c in enumerate(table.columns) if c.key]
    groups: list[list[int]] = []
    for i, c in enumerate(table.columns):
        if c.key:
            continue
        if groups and text_width(table, [*keys, *groups[-1], i], gap) <= width:
            groups[-1].append(i)
        else:
            groups.append([i])
    parts = []
    for k, group in enumerate(groups, start=1):
        idx = [*keys, *group]
        title = f"{table.title} (part {k}/{len(groups)})" if table.title else ""
        parts.append(
            replace(
                table,
                title=title,
                columns=tuple(table.columns[i] for i in idx),
                rows=tuple(tuple(r[i] for i in idx) for r in table.rows),
            )
        )
    return parts


def legend_of(tables: Iterable[Table], extra: Iterable[tuple[str, str]] = ()) -> tuple:
    """Each column's explanation once (the first table that has the term wins), then
    ``extra`` entries (markers)."""
    out: dict[str, str] = {}
    for table in tables:
        for c in table.columns:
            out.setdefault(c.term or c.header, c.legend)
    for term, text in extra:
        out.setdefault(term, text)
    return tuple(out.items())


# -- what the suite tables show -----------------------------------------------------------------


def shown_axes(suite: SuiteSummary) -> tuple[list[str], dict[str, str]]:
    """(axes shown as columns, axes with one value in every cell).

    An axis that has the same value in every cell says nothing per row: it is stated once
    in a note instead of filling a column (unless no axis varies at all).
    """
    constant: dict[str, str] = {}
    for axis in suite.axes:
        values = {c.axes.get(axis, "") for c in suite.cells}
        if len(values) == 1 and "" not in values:
            constant[axis] = values.pop()
    varying = [a for a in suite.axes if a not in constant]
    if not varying:
        return list(suite.axes), {}
    return varying, constant


def _axis_columns(axes: Sequence[str]) -> list[Column]:
    term = ", ".join(axes)
    text = "the grid's axes (one row per combination)" if len(axes) > 1 else "the grid's axis"
    return [Column(a, text, key=True, term=term) for a in axes]


def _axis_values(cell: Cell, axes: Sequence[str], suite: SuiteSummary) -> list[str]:
    out = []
    for a in axes:
        value = shown_value(a, cell.axes.get(a, ""))
        ref = suite.reference
        if ref is not None and cell.reference and a == ref.axis:
            value = f"{value} {REF_MARK}"
        out.append(value)
    return out


def _score_differs(suite: SuiteSummary) -> bool:
    """False when every cell's score equals its accuracy (binary scores): one column says it."""
    return any(
        abs(c.score.mean - c.accuracy.mean) > 1e-12
        or abs(c.score.low - c.accuracy.low) > 1e-12
        or abs(c.score.high - c.accuracy.high) > 1e-12
        for c in suite.cells
    )


def _level(summary: Summary) -> str:
    return f"{summary.confidence:.0%}"


def cells_table(summary: Summary, suite: SuiteSummary, *, compact: bool = False) -> Table:
    """The per-cell table: n, errors, accuracy (and score) with CIs, usage and latency.

    ``compact`` keeps the README's columns: n, errors, accuracy, tokens, LLM calls and
    model latency.
    """
    axes, _ = shown_axes(suite)
    level = _level(summary)
    with_score = not compact and _score_differs(suite)
    ci_text = f"{level} CI, {summary.method}"
    cols = [
        *_axis_columns(axes),
        Column("n", "cases in the cell, harness errors included"),
        Column("err", "harness errors (counted as score 0 and incorrect)"),
        Column(
            f"accuracy [{level} CI]",
            f"fraction of cases correct [{ci_text}]; a (ref) cell shows no CI",
        ),
    ]
    if with_score:
        cols.append(Column(f"score [{level} CI]", f"mean score 0..1 (partial credit) [{ci_text}]"))
    cols += [
        Column("tokens", "mean prompt + completion tokens per case"),
        Column("calls", "mean LLM calls per case"),
    ]
    if not compact:
        cols.append(Column("cost $", "mean USD per case; n/a when a case's cost is unknown"))
    cols.append(
        Column(
            "latency s",
            "the model's own latency per case in seconds, summed over its LLM calls, "
            "measured live or as recorded with the cassette; mean over the cases where it "
            "is known, (k/n) when only k of n are, n/a when none is",
        )
    )
    if not compact:
        cols.append(
            Column(
                "wall s",
                "seconds this run spent per case (on replay: replay time, not the model's latency)",
            )
        )
    rows = []
    for cell in suite.cells:
        ci = not cell.reference
        row = [
            *_axis_values(cell, axes, suite),
            str(cell.n),
            str(cell.n_errors),
            fmt.estimate(cell.accuracy, ci=ci),
        ]
        if with_score:
            row.append(fmt.estimate(cell.score, ci=ci))
        row += [f"{cell.mean_tokens:.0f}", f"{cell.mean_llm_calls:.1f}"]
        if not compact:
            row.append(fmt.cost(cell.mean_cost_usd))
        row.append(fmt.latency(cell.mean_latency_s, cell.n_latency, cell.n))
        if not compact:
            row.append(fmt.seconds(cell.mean_wall_s))
        rows.append(tuple(row))
    title = "" if compact else f"cells (mean per case; accuracy with {level} CIs)"
    return Table(title, tuple(cols), tuple(rows))


def has_stats_table(suite: SuiteSummary) -> bool:
    """True when the suite declares statistics or any cell has stop or finish reasons."""
    return bool(suite.stats or any(c.stop_reasons or c.finish_reasons for c in suite.cells))


def stats_table(summary: Summary, suite: SuiteSummary) -> Table:
    """Declared statistics (mean [CI] over tasks) and stop / finish reasons (counts)."""
    axes, _ = shown_axes(suite)
    level = _level(summary)
    cols = [*_axis_columns(axes), Column("n", "cases in the cell, harness errors included")]
    if suite.stats:
        term = ", ".join(suite.stats)
        text = (
            f"declared statistics: mean [{level} CI] over tasks of the cases that have the "
            "value (a row field or a scorer extra; true/false counts 1/0); (k/n) when only "
            f"k of the n cases have it; {fmt.STAT_MISSING} when none does"
        )
        cols += [Column(s, text, term=term) for s in suite.stats]
    stop = any(c.stop_reasons for c in suite.cells)
    finish = any(c.finish_reasons for c in suite.cells)
    if stop:
        cols.append(
            Column(
                "stop reasons",
                "why the solver stopped (extra stop_reason, e.g. answered, step_limit, "
                f"parse_failure): cases per reason; {fmt.UNRECORDED} = cases without one",
            )
        )
    if finish:
        cols.append(
            Column(
                "finish reasons",
                "the model's finish_reason (extra finish_reason; length = cut at the "
                f"token limit): cases per reason; {fmt.UNRECORDED} = cases without one",
            )
        )
    rows = []
    for cell in suite.cells:
        row = [
            *_axis_values(cell, axes, suite),
            str(cell.n),
            *(fmt.stat_entry(cell.stats.get(s), cell.stats_n.get(s), cell.n) for s in suite.stats),
        ]
        if stop:
            row.append(fmt.reasons(cell.stop_reasons, cell.n))
        if finish:
            row.append(fmt.reasons(cell.finish_reasons, cell.n))
        rows.append(tuple(row))
    title = f"statistics per cell (mean [{level} CI] over tasks)"  # reasons: see the legend
    return Table(title, tuple(cols), tuple(rows))


def comparison_name(c: PairedComparison) -> str:
    """``axis: a vs b``."""
    return f"{c.axis}: {c.a} vs {c.b}"


def _p(c: PairedComparison, p: float | None) -> str:
    return REF_P if c.reference else fmt.p_value(p)


def comparisons_table(summary: Summary, suite: SuiteSummary) -> Table:
    """The declared comparisons: difference with CI, p (and how), Holm, McNemar."""
    level = _level(summary)
    axes, _ = shown_axes(suite)
    group_axes = [a for a in axes if any(a in c.group for c in suite.comparisons)]
    unpaired = any(c.n_unpaired_a or c.n_unpaired_b for c in suite.comparisons)
    cols = [
        Column(
            "comparison",
            "axis: a vs b, compared within each combination of the other axes",
            key=True,
        ),
        *(
            Column(
                a,
                "the other axes' values (the group compared within)",
                key=True,
                term="group: " + ", ".join(group_axes),
            )
            for a in group_axes
        ),
        Column("pairs", "tasks both sides ran (the test's units; epochs averaged per task)"),
    ]
    if unpaired:
        cols.append(Column("unpaired a/b", "tasks only a / only b ran (not in the test)"))
    cols += [
        Column(
            f"diff [{level} CI]",
            f"mean score a - b over the paired tasks [{level} paired-bootstrap CI]",
        ),
        Column("p", "two-sided p-value of diff = 0 (see test)"),
        Column(
            "test",
            "how p was computed: exact = sign-flip permutation test over all 2^k sign "
            "assignments of the k tasks' differences (k <= 20); boot = paired-bootstrap "
            "shift method",
        ),
        Column(
            "p_holm",
            "p after Holm's correction over all of the suite's tests (every p and p_mcn "
            "below, one family)",
        ),
        Column("p_mcn", "exact McNemar p on correctness paired by (task, epoch)"),
        Column("p_mcn_holm", "p_mcn after the same Holm correction"),
    ]
    rows = []
    for c in suite.comparisons:
        groups = (shown_value(a, c.group.get(a, "")) for a in group_axes)
        row = [comparison_name(c), *groups, str(c.n_pairs)]
        if unpaired:
            row.append(f"{c.n_unpaired_a}/{c.n_unpaired_b}")
        row += [
            fmt.interval(c.mean_diff, c.low, c.high, signed=True),
            _p(c, c.p_value),
            REF_P if c.reference else TEST_ABBREV.get(c.p_method or "", fmt.MISSING),
            _p(c, c.p_holm),
            _p(c, c.p_mcnemar),
            _p(c, c.p_mcnemar_holm),
        ]
        rows.append(tuple(row))
    return Table(f"comparisons (a - b, paired by task; {level} CIs)", tuple(cols), tuple(rows))


def caption(suite: SuiteSummary) -> str:
    """The suite's size: rows, tasks, harness errors."""
    return (
        f"Suite {suite.name}: n = {suite.n} rows over {suite.n_tasks} tasks "
        f"(harness errors: {suite.n_errors}, counted as score 0 and incorrect)."
    )


def method_text(summary: Summary, *, comparisons: bool = True) -> str:
    """How the numbers were obtained: CI level and method, resamples, seed, the tests."""
    level = _level(summary)
    text = (
        f"Brackets: {level} CIs, {summary.method}, {summary.n_resamples} resamples, "
        f"seed {summary.seed}."
    )
    if comparisons:
        text += (
            " Comparisons: paired by task id (epochs averaged per task), diff = a - b in mean "
            f"score with a {level} paired-bootstrap CI; p exact (sign-flip) for up to 20 "
            "tasks with a non-zero difference, else bootstrap; McNemar exact on correctness "
            "paired by (task, epoch); both p-values of every comparison Holm-corrected as one "
            "family per suite."
        )
    return text


def _reference_legend(suite: SuiteSummary, *, comparisons: bool) -> list[tuple[str, str]]:
    ref = suite.reference
    if ref is None or not any(c.reference for c in suite.cells):
        return []
    note = f": {ref.note}" if ref.note else ""
    out = [
        (
            REF_MARK,
            f"the reference solver, {ref.selector}{note}. Its accuracy is shown "
            "without a CI (not a measurement)",
        )
    ]
    if comparisons and any(c.reference for c in suite.comparisons):
        out.append(
            (
                f"{REF_P} (p columns)",
                "a comparison with the reference solver: not a test, so no p-value and not "
                "in the Holm family; its diff and CI measure the other side's gap",
            )
        )
    return out


def cap_lines(suite: SuiteSummary) -> list[str]:
    """One line per declared cap, ``capped: level=L3: step limit 6 (max_steps)``."""
    return [f"capped: {sel}: {setting}" for sel, setting in suite.caps.items()]


def suite_section(summary: Summary, suite: SuiteSummary, *, compact: bool = False) -> Section:
    """The section of one suite: the tables, their legend, the notes and the caption."""
    tables = [cells_table(summary, suite, compact=compact)]
    if has_stats_table(suite):  # the README shows them too: statistics beside the score
        tables.append(stats_table(summary, suite))
    if not compact and suite.comparisons:
        tables.append(comparisons_table(summary, suite))
    _, constant = shown_axes(suite)
    notes = []
    if constant:
        shown = (f"{k}={shown_value(k, v)}" for k, v in constant.items())
        notes.append("every cell: " + ", ".join(shown))
    if not compact and not _score_differs(suite):
        notes.append("score equals accuracy in every cell (binary scores): shown once")
    if (
        not compact
        and suite.comparisons
        and not any(c.n_unpaired_a or c.n_unpaired_b for c in suite.comparisons)
    ):
        notes.append("every comparison paired all the tasks of both sides")
    notes += cap_lines(suite)
    if not compact:
        notes += suite.notes
    return Section(
        title=suite.name,
        tables=tuple(tables),
        legend=legend_of(tables, _reference_legend(suite, comparisons=not compact)),
        notes=tuple(notes),
        caption=caption(suite),
    )


def build_report(summary: Summary, *, compact: bool = False) -> Report:
    """The whole report as a :class:`Report` (one section per suite).

    Args:
        summary: From :func:`summarize`.
        compact: The README's tables: per cell n, errors, accuracy, tokens, LLM calls, model
            latency, and the declared statistics with stop / finish reasons, with the
            reference and caps labelled (no comparisons).

    Returns:
        The neutral structure every renderer draws.
    """
    sections = tuple(suite_section(summary, s, compact=compact) for s in summary.suites)
    notes = ()
    if summary.n_superseded:
        notes = (f"{summary.n_superseded} older rows were replaced by re-runs of a case.",)
    tested = not compact and any(s.comparisons for s in summary.suites)
    method = method_text(summary, comparisons=tested)
    return Report(title="ptp results", sections=sections, method=method, notes=notes)
