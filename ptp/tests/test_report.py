"""Tests for ptp.report: summaries, comparisons, renderers, files, run comparison, main tables."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from ptp.report import (
    Estimate,
    ReportFiles,
    ReportSpecError,
    Summary,
    compare_runs,
    compare_table,
    latex_tables,
    load_table_spec,
    markdown_summary,
    plot_accuracy,
    render_main_table,
    summarize,
    terminal_table,
    write_reports,
)
from ptp.report._plot import x_quantity
from ptp.results import EvalRecord, ResultsFileError, append_records
from ptp.stats import bootstrap_ci, holm

B = 200  # resamples: enough for the checks, fast
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SUITE = "air_line"  # an underscore, to check escaping


def l0_score(task: int, epoch: int) -> float:
    return 0.8


def l1_score(task: int, epoch: int) -> float:
    return 0.3 + 0.02 * task + (0.05 if epoch else -0.05)


def make_rows(
    *,
    model: str = "m1",
    tasks: int = 10,
    levels: tuple[str, ...] = ("L0", "L1"),
    shift: float = 0.0,
    cost: float | None = 0.0,
) -> list[EvalRecord]:
    """Two levels x 10 tasks x 2 epochs. L0: score 0.8, correct on tasks 0-7 (acc 0.8).
    L1: score 0.3 + 0.02 task +- 0.05 by epoch (mean 0.39), correct on even tasks (acc 0.5)."""
    rows = []
    for level in levels:
        for t in range(tasks):
            for e in range(2):
                if level == "L0":
                    score, correct = l0_score(t, e), t < 8
                else:
                    score, correct = l1_score(t, e), t % 2 == 0
                rows.append(
                    EvalRecord(
                        case_id=f"{level}-{model}-t{t}-e{e}",
                        suite=SUITE,
                        task_id=f"t{t}",
                        epoch=e,
                        axes={"level": level, "model": model},
                        score=min(1.0, score + shift),
                        correct=correct,
                        prompt_tokens=100 if level == "L1" else 0,
                        completion_tokens=20 if level == "L1" else 0,
                        cost_usd=cost,
                        latency_s=1.0 if level == "L1" else 0.01,
                        llm_calls=2 if level == "L1" else 0,
                    )
                )
    return rows


COMPARE = {SUITE: {"compare": [["level", "L1", "L0"], ["level", "L0", "L1"]]}}


@pytest.fixture(scope="module")
def summary() -> Summary:
    return summarize(make_rows(), COMPARE, n_resamples=B, seed=0)


def cell(summary: Summary, level: str, model: str = "m1"):
    (found,) = [c for c in summary.suite(SUITE).cells if c.axes == {"level": level, "model": model}]
    return found


# -- summarize ---------------------------------------------------------------------------------
def test_cells_have_true_means_and_cis_bracket_them(summary: Summary) -> None:
    l0, l1 = cell(summary, "L0"), cell(summary, "L1")
    assert (l0.n, l0.n_tasks, l0.n_errors) == (20, 10, 0)
    assert l0.score.mean == pytest.approx(0.8)
    assert l0.accuracy.mean == pytest.approx(0.8)
    assert l1.score.mean == pytest.approx(0.39)
    assert l1.accuracy.mean == pytest.approx(0.5)
    for est in (l0.accuracy, l1.accuracy, l1.score):
        assert est.low <= est.mean <= est.high
    assert l1.score.high - l1.score.low > 0.01
    assert l1.accuracy.low < 0.5 < l1.accuracy.high


def test_cell_ci_resamples_tasks_not_rows(summary: Summary) -> None:
    rows = [r for r in make_rows() if r.axes["level"] == "L1"]
    scores = [r.score for r in rows]
    by_task = bootstrap_ci(scores, n_resamples=B, seed=0, clusters=[r.task_id for r in rows])
    by_row = bootstrap_ci(scores, n_resamples=B, seed=0)
    got = cell(summary, "L1").score
    assert (got.low, got.high) == pytest.approx((by_task.low, by_task.high))
    assert (got.low, got.high) != pytest.approx((by_row.low, by_row.high))


def test_cell_means_of_usage(summary: Summary) -> None:
    l1 = cell(summary, "L1")
    assert l1.mean_tokens == pytest.approx(120)
    assert l1.mean_prompt_tokens == pytest.approx(100)
    assert l1.mean_latency_s == pytest.approx(1.0)
    assert l1.n_latency == 20
    assert l1.mean_llm_calls == pytest.approx(2)
    assert l1.mean_cost_usd == 0.0


def test_unknown_cost_makes_the_mean_unknown() -> None:
    rows = make_rows()
    rows[0] = rows[0].model_copy(update={"cost_usd": None})
    rows[-1] = rows[-1].model_copy(update={"cost_usd": 0.5})
    s = summarize(rows, n_resamples=B)
    assert cell(s, rows[0].axes["level"]).mean_cost_usd is None
    assert cell(s, rows[-1].axes["level"]).mean_cost_usd == pytest.approx(0.5 / 20)


def test_error_rows_are_counted_and_score_zero() -> None:
    rows = make_rows()
    i = next(i for i, r in enumerate(rows) if r.axes["level"] == "L0")
    rows[i] = rows[i].model_copy(update={"error": "TimeoutError: boom", "correct": True})
    s = summarize(rows, n_resamples=B)
    l0 = cell(s, "L0")
    assert (l0.n, l0.n_errors) == (20, 1)
    assert l0.score.mean == pytest.approx(0.8 * 19 / 20)
    assert l0.accuracy.mean == pytest.approx(15 / 20)
    assert s.suite(SUITE).n_errors == 1


def test_a_rerun_row_supersedes_the_older_one() -> None:
    rows = make_rows()
    old = rows[0].model_copy(update={"error": "boom", "score": 0.0})
    s = summarize([old, *rows], n_resamples=B)
    assert s.n_superseded == 1
    assert s.n_rows == 40
    assert cell(s, "L0").n_errors == 0


def test_legacy_rows_group_by_their_folded_fields_and_the_model_field() -> None:
    # Rows written before the schema change carried level/regime/difficulty at the top level
    # (EvalRecord folds them into axes); ``model`` is the one top-level field read as an axis.
    rows = []
    for r in make_rows():
        data = r.model_dump()
        data.update(axes={}, level=r.axes["level"], model=r.axes["model"])
        rows.append(EvalRecord.model_validate(data))
    s = summarize(rows, n_resamples=B)
    assert {tuple(sorted(c.axes.items())) for c in s.suite(SUITE).cells} == {
        (("level", "L0"), ("model", "m1")),
        (("level", "L1"), ("model", "m1")),
    }


def test_no_family_axis_is_read_from_anything_but_the_axes() -> None:
    # The report knows no family's axis names: only ``axes`` and the ``model`` field count.
    import ptp.report._rows as rows_module

    assert not hasattr(rows_module, "_COMMON_AXES")
    row = make_rows()[0].model_copy(update={"axes": {"complexity": "2"}, "model": "m9"})
    assert rows_module.row_axes(row) == {"complexity": "2", "model": "m9"}


def test_summary_carries_the_method(summary: Summary) -> None:
    assert (summary.confidence, summary.n_resamples, summary.seed) == (0.95, B, 0)
    assert summary.resample_unit == "task_id"
    assert "bootstrap" in summary.method
    assert Summary.model_validate_json(summary.model_dump_json()) == summary


# -- comparisons -------------------------------------------------------------------------------
def test_comparison_pairs_tasks_and_has_the_right_sign(summary: Summary) -> None:
    c10, c01 = summary.suite(SUITE).comparisons
    assert (c10.axis, c10.a, c10.b, c10.group) == ("level", "L1", "L0", {"model": "m1"})
    assert c10.n_pairs == 10
    assert c10.mean_diff == pytest.approx(0.39 - 0.8)
    assert c01.mean_diff == pytest.approx(0.8 - 0.39)
    assert c10.low <= c10.mean_diff <= c10.high < 0
    assert c10.p_value < 0.05


def test_mcnemar_pairs_by_task_and_epoch(summary: Summary) -> None:
    c10 = summary.suite(SUITE).comparisons[0]
    # a = L1 (even tasks right), b = L0 (tasks 0-7 right); 2 epochs each.
    assert c10.n_mcnemar == 20
    assert (c10.mcnemar_b01, c10.mcnemar_b10) == (8, 2)
    assert 0 < c10.p_mcnemar < 0.2


def test_holm_family_holds_every_p_and_mcnemar_p_of_the_suite(summary: Summary) -> None:
    comps = summary.suite(SUITE).comparisons
    raw = [c.p_value for c in comps] + [c.p_mcnemar for c in comps]
    adjusted = holm(raw)  # one family of 2 x 2 tests
    assert [c.p_holm for c in comps] == pytest.approx(adjusted[: len(comps)])
    assert [c.p_mcnemar_holm for c in comps] == pytest.approx(adjusted[len(comps) :])
    assert all(c.p_holm >= c.p_value and c.p_mcnemar_holm >= c.p_mcnemar for c in comps)
    # 10 tasks, all L1 < L0: the exact sign-flip p is 2 / 2**10 (the bootstrap said <0.001).
    assert comps[0].p_method == "sign-flip exact"
    assert comps[0].p_value == pytest.approx(2 / 1024)
    assert comps[0].p_holm == pytest.approx(4 * 2 / 1024)


def test_comparisons_run_per_group_of_the_other_axes() -> None:
    rows = make_rows(model="m1") + make_rows(model="m2", shift=0.1)
    s = summarize(rows, {SUITE: {"compare": [["level", "L1", "L0"]]}}, n_resamples=B)
    comps = s.suite(SUITE).comparisons
    assert sorted(c.group["model"] for c in comps) == ["m1", "m2"]
    for c in comps:
        assert c.mean_diff == pytest.approx(0.39 - 0.8)


def test_unpaired_tasks_are_counted() -> None:
    rows = [r for r in make_rows() if not (r.axes["level"] == "L0" and r.task_id == "t9")]
    s = summarize(rows, {SUITE: {"compare": [["level", "L1", "L0"]]}}, n_resamples=B)
    (c,) = s.suite(SUITE).comparisons
    assert (c.n_pairs, c.n_unpaired_a, c.n_unpaired_b) == (9, 1, 0)
    assert c.mean_diff == pytest.approx(np.mean([0.3 + 0.02 * t for t in range(9)]) - 0.8)


def test_an_impossible_comparison_leaves_a_note() -> None:
    s = summarize(make_rows(), {SUITE: {"compare": [["level", "L1", "L9"]]}}, n_resamples=B)
    assert s.suite(SUITE).comparisons == []
    assert any("L9" in n for n in s.suite(SUITE).notes)


def test_a_malformed_comparison_names_its_index() -> None:
    with pytest.raises(ValueError, match=r"\['compare'\]\[1\].*\[axis, a, b\]"):
        summarize(make_rows(), {SUITE: {"compare": [["level", "L1", "L0"], ["level"]]}})


STATS = ["optimality", "llm_calls", "feasible", "absent", "note"]


def stat_rows() -> list[EvalRecord]:
    """make_rows with extras: ``optimality`` = task/10 on tasks 0-4 only, ``feasible`` True on
    even tasks, ``note`` a string, and an ``llm_calls`` extra the row field must win over."""
    rows = []
    for r in make_rows():
        t = int(r.task_id[1:])
        extra = {"feasible": t % 2 == 0, "note": "text", "llm_calls": 99}
        if t < 5:
            extra["optimality"] = t / 10
        rows.append(r.model_copy(update={"extra": extra}))
    return rows


@pytest.fixture(scope="module")
def stats_summary() -> Summary:
    return summarize(stat_rows(), {SUITE: {"compare": [], "stats": STATS}}, n_resamples=B)


def test_stats_are_means_with_cis_over_tasks(stats_summary: Summary) -> None:
    assert stats_summary.suite(SUITE).stats == STATS
    l1 = cell(stats_summary, "L1")
    opt = l1.stats["optimality"]
    assert opt is not None and opt.mean == pytest.approx(0.2)  # tasks 0-4, rows lacking it skipped
    assert l1.stats_n["optimality"] == 10
    rows = [r for r in stat_rows() if r.axes["level"] == "L1" and "optimality" in r.extra]
    ci = bootstrap_ci(
        [r.extra["optimality"] for r in rows],
        n_resamples=B,
        seed=0,
        clusters=[r.task_id for r in rows],
    )
    assert (opt.low, opt.high) == pytest.approx((ci.low, ci.high))
    assert opt.low < opt.mean < opt.high


def test_a_stat_is_a_record_field_before_an_extra(stats_summary: Summary) -> None:
    l0, l1 = cell(stats_summary, "L0"), cell(stats_summary, "L1")
    assert l1.stats["llm_calls"] == Estimate(mean=2, low=2, high=2)  # the field, not extra's 99
    assert l0.stats["llm_calls"] == Estimate(mean=0, low=0, high=0)
    assert l1.stats_n["llm_calls"] == 20


def test_a_bool_stat_counts_as_zero_or_one(stats_summary: Summary) -> None:
    feasible = cell(stats_summary, "L0").stats["feasible"]
    assert feasible is not None and feasible.mean == pytest.approx(0.5)
    assert 0 <= feasible.low < 0.5 < feasible.high <= 1


def test_a_stat_no_row_has_is_none(stats_summary: Summary) -> None:
    for c in stats_summary.suite(SUITE).cells:
        assert c.stats["absent"] is None and c.stats_n["absent"] == 0
        assert c.stats["note"] is None  # a string is not a number


def test_no_declared_stats_means_none_computed(summary: Summary) -> None:
    assert summary.suite(SUITE).stats == []
    assert all(c.stats == {} for c in summary.suite(SUITE).cells)
    assert "statistics per cell" not in terminal_table(summary)
    assert "statistics per cell" not in markdown_summary(summary)


@pytest.mark.parametrize("stats", ["optimality", [["optimality"]], [""], {"a": 1}])
def test_malformed_stats_name_the_suite_and_the_fix(stats: object) -> None:
    with pytest.raises(ValueError, match=rf"suites\['{SUITE}'\]\['stats'\].*list of names"):
        summarize(make_rows(), {SUITE: {"stats": stats}}, n_resamples=B)


# -- renderers ---------------------------------------------------------------------------------
def test_terminal_table(summary: Summary) -> None:
    text = terminal_table(summary)
    lines = text.splitlines()
    assert lines[0] == f"== {SUITE} =="
    assert lines[1].startswith("cells")
    assert "accuracy [95% CI]" in lines[2] and "score [95% CI]" in lines[2]
    l1_line = next(line for line in lines if line.startswith("L1 "))
    assert "0.500 [" in l1_line and "0.390 [" in l1_line
    comp = next(line for line in lines if line.startswith("level: L1 vs L0"))
    assert "-0.410 [" in comp and " exact " in comp  # the p-value says how it was computed
    prose = " ".join(text.split())  # the caption is wrapped
    assert "200 resamples" in prose and "seed 0" in prose
    assert all(len(line) <= 120 for line in lines)


def test_latex_has_booktabs_and_escapes(summary: Summary) -> None:
    rows = [r.model_copy(update={"axes": {**r.axes, "model": "a&b_%#"}}) for r in make_rows()]
    tex = latex_tables(summarize(rows, COMPARE, n_resamples=B)) + latex_tables(summary)
    for rule in (r"\toprule", r"\midrule", r"\bottomrule", r"\begin{table}", r"\end{table}"):
        assert rule in tex
    assert tex.count(r"\begin{tabular}") == 4  # cells + comparisons, twice
    assert r"air\_line" in tex and r"a\&b\_\%\#" in tex
    body = "\n".join(line for line in tex.splitlines() if not line.startswith("% "))
    body = body.replace(" & ", " ").replace("$<$", "<")  # column separators, p < 0.001
    assert not re.search(r"(?<!\\)[_%&#$]", body)
    assert "n = 40 rows" in tex and "200 resamples" in tex and "seed 0" in tex
    assert r"95\% CI" in tex and "usepackage" not in tex


def _markdown_tables(md: str) -> list[list[str]]:
    """The markdown's tables, each as its list of ``|`` lines."""
    tables: list[list[str]] = [[]]
    for line in md.splitlines():
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    return [t for t in tables if t]


def test_markdown_table_shape(summary: Summary) -> None:
    md = markdown_summary(summary)
    cells_table, comp_table = _markdown_tables(md)
    assert len(cells_table) == 2 + 2  # header, alignment, two cells
    assert len(comp_table) == 2 + 2
    for table in (cells_table, comp_table):
        widths = {len(re.findall(r"(?<!\\)\|", line)) for line in table}
        assert len(widths) == 1
        assert set(table[1].replace("|", "").split()) <= {"---", "---:"}
    assert f"## {SUITE}" in md


STATS_TITLE = "statistics per cell (mean [95% CI] over tasks)"


def test_terminal_stats_table(stats_summary: Summary) -> None:
    lines = terminal_table(stats_summary).splitlines()
    title = lines.index(STATS_TITLE)
    assert title > 4  # after the cells table
    header = lines[title + 1].split()
    assert header == ["level", "n", *STATS]  # model has one value: stated once in a note
    assert "note: every cell: model=m1" in lines
    l1 = next(line for line in lines[title:] if line.startswith("L1 "))
    assert "0.200 [" in l1 and "(10/20)" in l1  # optimality: 10 of the 20 rows have it
    assert "2.000 [2.000, 2.000]" in l1 and "0.500 [" in l1
    assert l1.split()[-2:] == ["-", "-"]  # absent, note


def test_markdown_stats_table(stats_summary: Summary) -> None:
    md = markdown_summary(stats_summary)
    assert STATS_TITLE in md
    cells_table, stats_table = _markdown_tables(md)
    assert "accuracy" in cells_table[0]  # the statistics come after the cells
    assert stats_table[0] == "| level | n | " + " | ".join(STATS) + " |"
    assert stats_table[1] == "| --- | " + " | ".join(["---:"] * 6) + " |"
    assert len(stats_table) == 2 + 2
    l1 = next(line for line in stats_table if line.startswith("| L1 "))
    assert "| 0.200 [" in l1 and "| 2.000 [2.000, 2.000] |" in l1 and l1.endswith("| - | - |")


def test_latex_has_the_stats_table(stats_summary: Summary) -> None:
    tex = latex_tables(stats_summary)  # tables.tex used to lack it
    assert "statistics per cell" in tex
    assert tex.count(r"\begin{tabular}") == 2  # cells, statistics
    assert "optimality" in tex and r"(10/20)" in tex


def test_plot_writes_a_png_named_for_its_x_axis(tmp_path: Path, summary: Summary) -> None:
    path = plot_accuracy(summary, tmp_path / "sub")
    assert path == tmp_path / "sub" / "accuracy_vs_tokens.png"  # every cost is 0: tokens
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > 5000


def test_plot_x_is_cost_only_when_every_cell_has_a_price() -> None:
    assert x_quantity(summarize(make_rows(cost=0.0), n_resamples=B)) == "tokens"
    assert x_quantity(summarize(make_rows(cost=0.002), n_resamples=B)) == "cost"
    rows = make_rows(cost=0.002)
    rows[0] = rows[0].model_copy(update={"cost_usd": None})  # one unknown price
    assert x_quantity(summarize(rows, n_resamples=B)) == "tokens"


# -- files -------------------------------------------------------------------------------------
def write_run(path: Path, rows: list[EvalRecord], suites: dict | None = None) -> Path:
    append_records(path / "results.jsonl", rows)
    if suites is not None:
        (path / "suites.json").write_text(json.dumps(suites))
    return path


def test_write_reports_writes_the_four_files(tmp_path: Path) -> None:
    write_run(tmp_path, make_rows(), COMPARE)
    (tmp_path / "accuracy_vs_cost.png").write_bytes(b"stale")  # from an earlier, priced run
    files = write_reports(tmp_path, n_resamples=B, seed=3)
    assert isinstance(files, ReportFiles)
    s = files.summary
    assert len(s.suite(SUITE).comparisons) == 2  # suites.json was read
    assert Summary.model_validate_json((tmp_path / "summary.json").read_text()) == s
    assert r"\toprule" in (tmp_path / "tables.tex").read_text()
    assert "| level |" in (tmp_path / "summary.md").read_text()
    assert files.plot == tmp_path / "accuracy_vs_tokens.png"
    assert files.plot.read_bytes()[:8] == PNG_SIGNATURE
    assert not (tmp_path / "accuracy_vs_cost.png").exists()  # never two plots side by side
    assert [p.name for p in files.paths] == [
        "summary.json",
        "tables.tex",
        "summary.md",
        "accuracy_vs_tokens.png",
    ]
    assert s.seed == 3
    assert terminal_table(files) == terminal_table(s)


def test_write_reports_names_a_bad_suites_file(tmp_path: Path) -> None:
    write_run(tmp_path, make_rows(), {SUITE: {"compare": [["level", "L1"]]}})
    with pytest.raises(ResultsFileError, match=r"suites\.json.*\[0\]"):
        write_reports(tmp_path, n_resamples=B)


def test_write_reports_reads_declared_stats(tmp_path: Path) -> None:
    write_run(tmp_path, stat_rows(), {SUITE: {"compare": [], "stats": ["feasible"]}})
    s = write_reports(tmp_path, n_resamples=B).summary
    assert s.suite(SUITE).stats == ["feasible"]
    assert Summary.model_validate_json((tmp_path / "summary.json").read_text()) == s
    assert "| feasible |" in (tmp_path / "summary.md").read_text()


def test_write_reports_names_bad_stats_in_the_suites_file(tmp_path: Path) -> None:
    write_run(tmp_path, make_rows(), {SUITE: {"compare": [], "stats": "feasible"}})
    with pytest.raises(ResultsFileError, match=rf"suites\.json: suites\['{SUITE}'\]\['stats'\]"):
        write_reports(tmp_path, n_resamples=B)


def test_compare_runs_matches_cells_ignoring_the_model(tmp_path: Path) -> None:
    a = write_run(tmp_path / "a", make_rows(model="m1", shift=0.1))
    b = write_run(tmp_path / "b", make_rows(model="m2", levels=("L1",)))
    result = compare_runs(a, b, n_resamples=B)
    (c,) = result.cells
    assert (c.axes, c.model_a, c.model_b) == ({"level": "L1"}, "m1", "m2")
    assert c.mean_diff == pytest.approx(0.1)
    assert c.n_pairs == 10
    assert [c.p_holm, c.p_mcnemar_holm] == pytest.approx(holm([c.p_value, c.p_mcnemar]))
    assert result.only_in_a == [f"{SUITE}: level=L0, model=m1"]
    text = compare_table(result)
    assert "+0.100 [" in text and "only in A" in text


def test_compare_runs_compares_a_model_with_itself_on_a_rerun(tmp_path: Path) -> None:
    a = write_run(tmp_path / "a", make_rows(model="m1") + make_rows(model="m2"))
    b = write_run(tmp_path / "b", make_rows(model="m1") + make_rows(model="m2", shift=0.1))
    result = compare_runs(a, b, n_resamples=B)
    assert len(result.cells) == 4
    assert all(c.model_a == c.model_b for c in result.cells)
    diffs = {(c.axes["level"], c.model_a): c.mean_diff for c in result.cells}
    assert diffs[("L0", "m1")] == pytest.approx(0.0)
    assert diffs[("L0", "m2")] == pytest.approx(-0.1)
    raw = [c.p_value for c in result.cells] + [c.p_mcnemar for c in result.cells]
    got = [c.p_holm for c in result.cells] + [c.p_mcnemar_holm for c in result.cells]
    assert got == pytest.approx(holm(raw))
    assert all(line_fits(line) for line in compare_table(result).splitlines())


def line_fits(line: str) -> bool:
    return len(line) <= 120


# -- main table spec ---------------------------------------------------------------------------
def spec_dict(**changes: object) -> dict:
    spec = {
        "title": "Accuracy by level",
        "metric": "accuracy",
        "n_resamples": B,
        "columns": [
            {"label": "model m1", "results": "run", "where": {"model": "m1"}},
            {"label": "all_models", "results": "run"},
        ],
        "rows": [
            {"label": "L0", "where": {"level": "L0", "suite": SUITE}},
            {"label": "L1", "where": {"level": "L1"}},
            {"label": "L3", "where": {"level": "L3"}},
        ],
    }
    spec.update(changes)
    return spec


def write_spec(tmp_path: Path, spec: dict | str) -> Path:
    path = tmp_path / "table.json"
    path.write_text(spec if isinstance(spec, str) else json.dumps(spec))
    return path


def test_main_table_renders_cells_with_cis_and_dashes(tmp_path: Path) -> None:
    write_run(tmp_path / "run", make_rows(model="m1") + make_rows(model="m2", shift=0.1))
    spec = load_table_spec(write_spec(tmp_path, spec_dict()))
    latex, md = render_main_table(spec, base_dir=tmp_path)
    lines = md.splitlines()
    l0 = next(line for line in lines if line.startswith("| L0 |"))
    assert l0.count("0.800 [") == 2 and "(n=20)" in l0 and "(n=40)" in l0
    l3 = next(line for line in lines if line.startswith("| L3 |"))
    assert l3.count("—") == 2
    assert r"\toprule" in latex and r"\bottomrule" in latex and "---" in latex
    assert r"all\_models" in latex and "200 resamples" in latex


def test_main_table_score_metric_and_default_base_dir(tmp_path: Path) -> None:
    write_run(tmp_path / "run", make_rows())
    spec = load_table_spec(write_spec(tmp_path, spec_dict(metric="score")))
    _, md = render_main_table(spec)  # relative to the spec file's folder
    l1 = next(line for line in md.splitlines() if line.startswith("| L1 |"))
    assert "0.390 [" in l1


@pytest.mark.parametrize(
    ("spec", "where", "fix"),
    [
        ('{"title": "x",', "table.json:1:", "syntax"),
        (spec_dict(metric="f1"), "metric", "'accuracy'"),
        (spec_dict(columns=[{"label": "a", "results": "run"}, {"label": "b"}]),
         "columns[1].results", "add the field 'results'"),
        (spec_dict(colums=[]), "colums", "allowed fields"),
        (spec_dict(rows=[{"label": "L0", "wher": {}}]), "rows[0].wher", "allowed fields: label"),
        (spec_dict(rows=[{"label": "L0", "where": {"level": 0}}]), "rows[0].where.level",
         "JSON string"),
        (spec_dict(rows=[]), "rows", "at least one"),
        ("[1, 2]", "(top level)", "JSON object"),
    ],
)  # fmt: skip
def test_spec_errors_name_file_field_and_fix(
    tmp_path: Path, spec: dict | str, where: str, fix: str
) -> None:
    path = write_spec(tmp_path, spec)
    with pytest.raises(ReportSpecError) as info:
        load_table_spec(path)
    message = str(info.value)
    assert str(path) in message
    assert where in message
    assert fix in message


def test_spec_error_for_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReportSpecError, match=r"nope\.json.*fix the path"):
        load_table_spec(tmp_path / "nope.json")


@pytest.mark.parametrize("make_dir", [False, True])
def test_spec_error_for_a_missing_results_dir(tmp_path: Path, make_dir: bool) -> None:
    write_run(tmp_path / "run", make_rows())
    if make_dir:  # a folder without results.jsonl
        (tmp_path / "missing_run").mkdir()
    bad = spec_dict()
    bad["columns"][1]["results"] = "missing_run"
    spec = load_table_spec(write_spec(tmp_path, bad))
    with pytest.raises(ReportSpecError) as info:
        render_main_table(spec, base_dir=tmp_path)
    message = str(info.value)
    assert "table.json" in message and "columns[1].results" in message
    assert "missing_run" in message and "--ptp-results" in message


def test_spec_error_for_an_unknown_filter_axis(tmp_path: Path) -> None:
    write_run(tmp_path / "run", make_rows())
    spec = load_table_spec(
        write_spec(tmp_path, spec_dict(rows=[{"label": "x", "where": {"levle": "L0"}}]))
    )
    with pytest.raises(ReportSpecError, match=r"table\.json: rows\[0\]\.where\.levle.*'level'"):
        render_main_table(spec, base_dir=tmp_path)


def test_stat_entries_use_fewer_decimals_as_values_grow() -> None:
    from ptp.report._format import stat_entry
    from ptp.report._summary import Estimate

    assert stat_entry(Estimate(mean=6324.4, low=4764, high=7884), 2, 2) == "6324 [4764, 7884]"
    assert stat_entry(Estimate(mean=12.34, low=10.0, high=14.5), 2, 2) == "12.3 [10.0, 14.5]"
    assert stat_entry(Estimate(mean=0.5, low=0.0, high=1.0), 1, 2) == "0.500 [0.000, 1.000] (1/2)"
