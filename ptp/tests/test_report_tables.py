"""Tests for the report's one render loop: the neutral table structure and its three renderers,
the reference solver, caps, stop reasons, model latency vs wall time, the README section and
the plot."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ptp.report import (
    Summary,
    build_report,
    latex_tables,
    load_summary,
    markdown_summary,
    read_suites,
    readme_markdown,
    summarize,
    terminal_table,
    write_reports,
)
from ptp.report._plot import accuracy_figure, x_scale
from ptp.report._tables import Column, Table, split_table
from ptp.results import EvalRecord, ResultsFileError, append_records

B = 200
SUITE = "grid"
REFERENCE = ["level", "L0", "reference solver: correct by construction; not a measurement"]
CAPS = {"level=L3": "step limit 6 (max_steps)", "level=L1": "max_tokens 256"}


def rows(
    *,
    levels: tuple[str, ...] = ("L0", "L1", "L3"),
    complexities: tuple[str, ...] = ("0", "1"),
    tasks: int = 6,
    cost: float | None = 0.0,
) -> list[EvalRecord]:
    """L0 always right; L1 right on even tasks; L3 right on task 0 only. L3 stops at the
    step limit on odd tasks; L1 rows carry finish reasons; latency is unknown on task 0."""
    out = []
    for level in levels:
        for cx in complexities:
            for t in range(tasks):
                correct = level == "L0" or (level == "L1" and t % 2 == 0) or t == 0
                extra: dict = {}
                if level == "L3":
                    extra["stop_reason"] = "step_limit" if t % 2 else "answered"
                if level == "L1":
                    extra["finish_reason"] = "length" if t < 2 else "stop"
                calls = {"L0": 0, "L1": 2, "L3": 6}[level]
                out.append(
                    EvalRecord(
                        case_id=f"{level}-{cx}-{t}",
                        suite=SUITE,
                        task_id=f"c{cx}-t{t}",
                        model="local:m",
                        axes={"level": level, "complexity": cx, "model": "local:m"},
                        score=float(correct),
                        correct=correct,
                        prompt_tokens=100 * calls,
                        completion_tokens=10 * calls,
                        cost_usd=cost,
                        latency_s=None if (t == 0 or level == "L0") else 2.0 * calls,
                        wall_s=0.01,
                        llm_calls=calls,
                        extra=extra,
                    )
                )
    return out


DECL = {
    SUITE: {
        "compare": [["level", "L1", "L3"], ["level", "L0", "L1"]],
        "stats": ["steps"],
        "reference": REFERENCE,
        "caps": CAPS,
    }
}


@pytest.fixture(scope="module")
def summary() -> Summary:
    return summarize(rows(), DECL, n_resamples=B)


def cell(summary: Summary, level: str, cx: str = "0"):
    (found,) = [
        c
        for c in summary.suite(SUITE).cells
        if (c.axes["level"], c.axes["complexity"]) == (level, cx)
    ]
    return found


# -- reference solver --------------------------------------------------------------------------
def test_reference_cells_are_flagged(summary: Summary) -> None:
    suite = summary.suite(SUITE)
    assert suite.reference is not None and suite.reference.value == "L0"
    assert [c.reference for c in suite.cells] == [c.axes["level"] == "L0" for c in suite.cells]


def test_comparisons_with_the_reference_are_not_tests(summary: Summary) -> None:
    comps = summary.suite(SUITE).comparisons
    ref = [c for c in comps if c.reference]
    real = [c for c in comps if not c.reference]
    assert {(c.a, c.b) for c in ref} == {("L0", "L1")}
    assert {(c.a, c.b) for c in real} == {("L1", "L3")}
    for c in ref:  # the gap is kept, the p-values are not
        assert c.mean_diff == pytest.approx(0.5)
        assert c.low <= c.mean_diff <= c.high
        assert c.p_value is c.p_holm is c.p_mcnemar is c.p_mcnemar_holm is None
    # The Holm family is the real comparisons' p and McNemar p only: 2 comparisons x 2.
    from ptp.stats import holm

    raw = [c.p_value for c in real] + [c.p_mcnemar for c in real]
    got = [c.p_holm for c in real] + [c.p_mcnemar_holm for c in real]
    assert got == pytest.approx(holm(raw))


def test_reference_is_marked_in_every_format(summary: Summary) -> None:
    term = terminal_table(summary)
    ref_line = next(line for line in term.splitlines() if line.startswith("L0 (ref)"))
    assert "1.000" in ref_line and "[" not in ref_line  # the mean, no CI
    l1_line = next(line for line in term.splitlines() if line.startswith("L1 "))
    assert "[" in l1_line  # measured cells keep theirs
    comp = next(line for line in term.splitlines() if line.startswith("level: L0 vs L1"))
    assert comp.split()[-5:] == ["ref"] * 5  # p, test, p_holm, p_mcn, p_mcn_holm
    md = markdown_summary(summary)
    tex = latex_tables(summary)
    for text in (term, md, tex):
        assert "(ref)" in text
        assert "correct by construction" in text
        assert "not a test" in text


def test_a_reference_no_cell_has_leaves_a_note() -> None:
    decl = {SUITE: {"reference": ["level", "L9", ""]}}
    s = summarize(rows(), decl, n_resamples=B)
    assert not any(c.reference for c in s.suite(SUITE).cells)
    assert any("L9" in n for n in s.suite(SUITE).notes)


# -- caps and stop reasons ---------------------------------------------------------------------
def test_caps_are_listed_under_the_tables_in_every_format(summary: Summary) -> None:
    assert summary.suite(SUITE).caps == CAPS
    for text in (terminal_table(summary), markdown_summary(summary), latex_tables(summary)):
        assert "level=L3: step limit 6 (max\\_steps)" in text or (
            "level=L3: step limit 6 (max_steps)" in text
        )
        assert "level=L1: max" in text


def test_stop_and_finish_reasons_are_counted_per_cell(summary: Summary) -> None:
    l3, l1, l0 = cell(summary, "L3"), cell(summary, "L1"), cell(summary, "L0")
    assert l3.stop_reasons == {"answered": 3, "step_limit": 3}
    assert l1.finish_reasons == {"stop": 4, "length": 2}  # most frequent first
    assert l0.stop_reasons == {} and l0.finish_reasons == {}


def test_stop_reasons_show_in_all_three_formats(summary: Summary) -> None:
    for text in (terminal_table(summary), markdown_summary(summary), latex_tables(summary)):
        assert "answered 3, step\\_limit 3" in text or "answered 3, step_limit 3" in text
        assert "stop 4, length 2" in text
        assert "stop reasons" in text and "finish reasons" in text


def test_rows_without_a_reason_are_counted_as_unrecorded() -> None:
    data = rows(levels=("L3",))
    data[1] = data[1].model_copy(update={"extra": {}})  # a step_limit row loses its reason
    s = summarize(data, n_resamples=B)
    text = terminal_table(s)
    assert "answered 3, step_limit 2, unrecorded 1" in text


# -- latency -----------------------------------------------------------------------------------
def test_unknown_latency_is_excluded_from_the_mean_and_counted(summary: Summary) -> None:
    l1 = cell(summary, "L1")
    assert l1.mean_latency_s == pytest.approx(4.0)  # 5 known rows of 2 s x 2 calls
    assert l1.n_latency == 5 and l1.n == 6
    l0 = cell(summary, "L0")
    assert l0.mean_latency_s is None and l0.n_latency == 0
    assert l0.mean_wall_s == pytest.approx(0.01)


def test_model_latency_and_wall_time_are_separate_named_columns(summary: Summary) -> None:
    lines = terminal_table(summary).splitlines()
    header = next(line for line in lines if line.startswith("level "))
    assert "latency s" in header and "wall s" in header
    l1 = next(line for line in lines if line.startswith("L1 "))
    assert "4.00 (5/6)" in l1  # the mean of the known ones, and how many are known
    l0 = next(line for line in lines if line.startswith("L0 (ref)"))
    assert " n/a " in l0
    text = " ".join(terminal_table(summary).split())
    assert "latency s: the model's own latency" in text
    assert "wall s: seconds this run spent per case (on replay: replay time" in text


# -- one structure, legend, widths, axis names -------------------------------------------------
def test_every_column_is_explained_once_in_its_sections_legend(summary: Summary) -> None:
    report = build_report(summary)
    for section in report.sections:
        terms = [t for t, _ in section.legend]
        assert len(terms) == len(set(terms))
        for table in section.tables:
            for c in table.columns:
                assert (c.term or c.header) in terms, c.header
    md = markdown_summary(summary)
    assert md.count("- **p_holm**:") == 1
    assert terminal_table(summary).count("  p_holm:") == 1


def test_axis_names_come_from_the_data(summary: Summary) -> None:
    text = terminal_table(summary)
    assert "complexity" in text and "difficulty" not in text
    assert "note: every cell: model=local:m" in text  # a constant axis is stated once


def test_terminal_fits_120_columns_by_splitting_wide_tables() -> None:
    stats = [f"statistic_number_{i}" for i in range(10)]
    data = [r.model_copy(update={"extra": {s: 0.5 for s in stats}}) for r in rows()]
    s = summarize(data, {SUITE: {"stats": stats}}, n_resamples=B)
    text = terminal_table(s)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 120
    parts = [line for line in lines if line.startswith("statistics per cell")]
    assert len(parts) > 1 and all("(part " in p for p in parts)
    # every part keeps the axis columns
    headers = [lines[lines.index(p) + 1] for p in parts]
    assert all(h.startswith("level") and "complexity" in h for h in headers)
    for name in stats:  # each statistic in exactly one part
        assert sum(name in h.split() for h in headers) == 1


def test_split_table_keeps_key_columns_and_every_other_column_once() -> None:
    cols = (Column("k", "key", key=True), *(Column(f"c{i}", "x") for i in range(6)))
    table = Table("t", cols, (("a", *["x" * 30] * 6),))
    parts = split_table(table, 80)
    assert len(parts) == 3
    assert all(p.columns[0].header == "k" for p in parts)
    assert [c.header for p in parts for c in p.columns[1:]] == [f"c{i}" for i in range(6)]
    assert split_table(table, 1000) == [table]


def test_markdown_and_latex_carry_the_same_tables(summary: Summary) -> None:
    md = markdown_summary(summary)
    tex = latex_tables(summary)
    n_md_tables = len(re.findall(r"^\| --- ", md, flags=re.M))
    assert n_md_tables == 3  # cells, statistics, comparisons
    assert tex.count(r"\begin{tabular}") == 3
    for title in ("cells", "statistics per cell", "comparisons"):
        assert title in md and title in tex


def test_latex_escapes_legend_and_notes(summary: Summary) -> None:
    tex = latex_tables(summary)
    body = "\n".join(line for line in tex.splitlines() if not line.startswith("%"))
    body = body.replace(" & ", " ").replace("$<$", "<")
    assert not re.search(r"(?<!\\)[_%&#$^]", body)


# -- suites.json -------------------------------------------------------------------------------
def write_run(path: Path, data: list[EvalRecord], suites: dict) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    append_records(path / "results.jsonl", data)
    (path / "suites.json").write_text(json.dumps(suites))
    return path


@pytest.mark.parametrize(
    ("info", "match"),
    [
        ({"reference": "L0"}, r"\['reference'\].*\[axis, value, note\]"),
        ({"reference": ["level", "L0"]}, r"\['reference'\]"),
        ({"reference": ["", "L0", "x"]}, r"\['reference'\]"),
        ({"caps": ["level=L3"]}, r"\['caps'\].*axis=value"),
        ({"caps": {"L3": "step limit 6"}}, r"\['caps'\] has the key 'L3', not axis=value"),
        ({"caps": {"level=L3": 6}}, r"\['caps'\]\['level=L3'\] is 6"),
        ({"caps": {"level=L3": " "}}, r"\['caps'\]\['level=L3'\]"),
    ],
)
def test_read_suites_names_a_bad_reference_or_cap(tmp_path: Path, info: dict, match: str) -> None:
    write_run(tmp_path, rows(), {SUITE: info})
    with pytest.raises(ResultsFileError, match=rf"suites\.json: suites\['{SUITE}'\]" + match):
        read_suites(tmp_path)
    with pytest.raises(ResultsFileError):
        write_reports(tmp_path, n_resamples=B)


def test_read_suites_accepts_reference_and_caps(tmp_path: Path) -> None:
    write_run(tmp_path, rows(), DECL)
    assert read_suites(tmp_path) == DECL
    s = load_summary(tmp_path, n_resamples=B)
    assert s.suite(SUITE).caps == CAPS and s.suite(SUITE).reference is not None
    assert not (tmp_path / "summary.json").exists()  # load_summary writes nothing


# -- README section ----------------------------------------------------------------------------
def test_readme_markdown_is_compact_and_labels_reference_and_caps(summary: Summary) -> None:
    md = readme_markdown(summary)
    assert md.startswith(f"### {SUITE}\n")
    header = next(line for line in md.splitlines() if line.startswith("| level"))
    cols = [c.strip() for c in header.strip("|").split("|")]
    assert cols == [
        "level",
        "complexity",
        "n",
        "err",
        "accuracy [95% CI]",
        "tokens",
        "calls",
        "latency s",
    ]
    assert "| L0 (ref) |" in md and "correct by construction" in md
    assert "capped: level=L3: step limit 6 (max_steps)" in md
    assert "p_holm" not in md  # no comparisons; the statistics and stop reasons are shown
    assert "| stop reasons |" in md
    l1 = next(line for line in md.splitlines() if line.startswith("| L1 | 0 |"))
    assert "| 6 | 0 | 0.500 [" in l1 and "| 220 | 2.0 | 4.00 (5/6) |" in l1


def test_readme_markdown_changes_when_a_result_changes() -> None:
    # The README is generated from the summary: a changed answer changes the section.
    base = rows()
    flipped = [
        r.model_copy(update={"correct": not r.correct, "score": 1.0 - r.score})
        if r.case_id == "L1-0-1"
        else r
        for r in base
    ]
    a = readme_markdown(summarize(base, DECL, n_resamples=B))
    b = readme_markdown(summarize(flipped, DECL, n_resamples=B))
    assert a != b


# -- plot --------------------------------------------------------------------------------------
def test_plot_has_one_panel_per_suite_a_legend_and_whiskers() -> None:
    data = rows() + [r.model_copy(update={"suite": "other"}) for r in rows(levels=("L1",))]
    s = summarize(data, DECL, n_resamples=B)
    fig = accuracy_figure(s)
    panels = [ax for ax in fig.axes if ax.has_data()]
    assert len(panels) == 2
    assert [ax.get_title().split(":")[0] for ax in panels] == [SUITE, "other"]
    for ax in panels:
        assert ax.get_legend() is not None
        assert not ax.texts  # no per-point labels
    grid = panels[0]
    labels = [t.get_text() for t in grid.get_legend().get_texts()]
    assert "colour: level" in labels and "marker: complexity" in labels
    assert "  L0 (ref)" in labels
    # whiskers for the measured cells only (L1, L3 x 2 complexities); the reference has none
    whiskers = [segment for c in grid.collections for segment in c.get_segments()]
    assert len(whiskers) == 4
    assert "tokens" in grid.get_xlabel()


def test_plot_uses_a_log_axis_for_wide_spans() -> None:
    assert x_scale([100.0, 200.0, 900.0]) == "linear"
    assert x_scale([100.0, 5000.0]) == "log"
    assert x_scale([0.0, 100.0, 5000.0]) == "symlog"
    s = summarize(rows(levels=("L0", "L1", "L3")), DECL, n_resamples=B)  # 0, 220, 660 tokens
    (ax,) = [a for a in accuracy_figure(s).axes if a.has_data()]
    assert ax.get_xscale() == "linear"
    wide = [
        r.model_copy(
            update={"prompt_tokens": r.prompt_tokens * (50 if r.axes["level"] == "L3" else 1)}
        )
        for r in rows()
    ]
    (ax,) = [a for a in accuracy_figure(summarize(wide, DECL, n_resamples=B)).axes if a.has_data()]
    assert ax.get_xscale() == "symlog" and "log scale" in ax.get_xlabel()


def test_a_log_axis_shows_every_point() -> None:
    """Every cell has tokens (no 0), spanning more than 10x: a log axis whose limits hold
    every point (they are drawn through a shifted transform that autoscaling ignores)."""
    wide = [
        r.model_copy(update={"prompt_tokens": 1000 * (50 if r.axes["level"] == "L3" else 1)})
        for r in rows()
    ]
    summary = summarize(wide, DECL, n_resamples=B)
    (ax,) = [a for a in accuracy_figure(summary).axes if a.has_data()]
    assert ax.get_xscale() == "log"
    low, high = ax.get_xlim()
    xs = [cell.mean_tokens for suite in summary.suites for cell in suite.cells]
    assert low < min(xs) and max(xs) < high


def test_plot_file_is_named_for_cost_when_every_cell_is_priced(tmp_path: Path) -> None:
    write_run(tmp_path, rows(cost=0.001), DECL)
    files = write_reports(tmp_path, n_resamples=B)
    assert files.plot.name == "accuracy_vs_cost.png"
    (ax,) = [a for a in accuracy_figure(files.summary).axes if a.has_data()]
    assert "USD" in ax.get_xlabel()
