"""The plugin end to end: real pytest sessions (pytester), with and without xdist."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from vcr.serializers import yamlserializer

from ptp.errors import CassetteFileError, ResultsFileError
from ptp.pytest_plugin._cassettes import CheckedPersister, canonical_body
from ptp.pytest_plugin._grid import GridSpec, expand
from ptp.results import DamagedResultsWarning, read_results

TOY = """
import pytest
TASKS = [{"task_id": f"t{i}", "x": i} for i in range(6)]

@pytest.mark.ptp_grid(suite="toy", axes={"level": ["A", "B"]}, tasks=lambda cell: TASKS,
                      compare=[("level", "A", "B")])
def test_toy(ptp_case, ptp_eval):
    with ptp_eval.recording():
        answer = ptp_case.task["x"] % 2 if ptp_case["level"] == "A" else 0
    if ptp_case.task["x"] == 5 and ptp_case["level"] == "B":
        raise RuntimeError("solver crashed")
    ptp_eval.score(answer=answer, expected=0, score=float(answer == 0), correct=answer == 0)
"""


@pytest.fixture
def toy(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest("from ptp.pytest_plugin import vcr_cassette_dir, vcr_config")
    pytester.makepyfile(test_toy=TOY)
    return pytester


def rows(results: Path) -> set[tuple]:
    return {(r.case_id, r.score, r.correct, r.error) for r in read_results(results)}


def test_rows_are_the_same_with_and_without_xdist(toy):
    serial = toy.runpytest_subprocess("--ptp-results", "r0", "-n", "0")
    serial.assert_outcomes(passed=11, failed=1)
    parallel = toy.runpytest_subprocess("--ptp-results", "r8", "-n", "4")
    parallel.assert_outcomes(passed=11, failed=1)
    r0, r8 = toy.path / "r0", toy.path / "r8"
    assert rows(r0) == rows(r8)
    assert len(read_results(r8)) == 12  # none lost, none doubled
    (crash,) = [r for r in read_results(r0) if r.error]
    assert crash.case_id == "B-t5" and crash.error == "RuntimeError: solver crashed"
    for name in ("summary.json", "tables.tex", "summary.md", "runs.jsonl"):
        assert (r8 / name).stat().st_size > 0
    assert list(r8.glob("accuracy_vs_*.png"))
    assert (r0 / read_results(r0)[0].trace).exists()
    assert "ptp results" in serial.stdout.str()
    summary = json.loads((r0 / "summary.json").read_text())
    assert "toy" in json.dumps(summary)


def test_resume_skips_finished_cases(toy):
    toy.runpytest_subprocess("--ptp-results", "r", "-n", "0").assert_outcomes(passed=11, failed=1)
    again = toy.runpytest_subprocess("--ptp-results", "r", "--ptp-resume", "-n", "0")
    again.assert_outcomes(failed=1, deselected=11)  # only the errored case runs again


def test_epochs_multiply_cases_with_their_own_seeds(toy):
    toy.runpytest_subprocess("--ptp-results", "r", "--ptp-epochs", "2", "--ptp-seed", "7")
    records = read_results(toy.path / "r")
    assert len(records) == 24
    assert {r.seed for r in records} == {7, 8}


STATS_TOY = """
import pytest
TASKS = [{"task_id": f"t{i}", "x": i} for i in range(4)]

@pytest.mark.ptp_grid(suite="toy_stats", axes={"level": ["A", "B"]}, tasks=lambda cell: TASKS,
                      stats=["tool_calls", "gap", "even", "missing"])
def test_toy_stats(ptp_case, ptp_eval):
    x = ptp_case.task["x"]
    gap = x / 4 if ptp_case["level"] == "A" else 0.5
    ptp_eval.score(answer=x, expected=x, score=1.0, correct=True, gap=gap, even=x % 2 == 0)
"""


def test_declared_stats_reach_suites_json_and_the_terminal_summary(pytester):
    pytester.makeconftest("from ptp.pytest_plugin import vcr_cassette_dir, vcr_config")
    pytester.makepyfile(test_toy_stats=STATS_TOY)
    result = pytester.runpytest_subprocess("--ptp-results", "r", "-n", "2")
    result.assert_outcomes(passed=8)
    suites = json.loads((pytester.path / "r" / "suites.json").read_text())
    assert suites == {
        "toy_stats": {"compare": [], "stats": ["tool_calls", "gap", "even", "missing"]}
    }
    lines = result.stdout.str().splitlines()
    title = lines.index("statistics per cell (mean [95% CI] over tasks)")
    assert lines[title + 1].split() == ["level", "n", "tool_calls", "gap", "even", "missing"]
    a = next(line for line in lines[title:] if line.startswith("A "))
    b = next(line for line in lines[title:] if line.startswith("B "))
    assert a.split()[:5] == ["A", "4", "0.000", "[0.000,", "0.000]"]  # tool_calls, a row field
    assert "0.375 [" in a and "0.500 [0.500, 0.500]" in b  # gap, an extra
    assert a.count("0.500 [") == 1 and b.count("0.500 [") == 2  # even, a bool
    assert a.endswith("  -") and b.endswith("  -")  # missing


def test_grid_stats_must_be_a_list_of_names():
    kw = {"suite": "s", "axes": {"level": ["A"]}, "tasks": lambda cell: []}
    spec = GridSpec.from_marker(**kw, compare=[("level", "A", "B")], stats=["gap", "gap", "even"])
    assert spec.stats == ("gap", "even")
    assert spec.suite_info() == {"compare": [["level", "A", "B"]], "stats": ["gap", "even"]}
    assert GridSpec.from_marker(**kw).suite_info() == {"compare": [], "stats": []}
    for bad in ("gap", ["gap", 3], [""]):
        with pytest.raises(TypeError, match=r"stats=\['tool_calls', 'optimality'\]"):
            GridSpec.from_marker(**kw, stats=bad)


def test_a_task_loader_sees_the_model_so_a_cell_can_be_recorded_for_one_model_only():
    seen = []

    def tasks(cell):
        seen.append(dict(cell))
        only_b = cell["level"] == "B" and cell["model"] != "local:smollm2-135m"
        return [] if only_b else [{"task_id": "t0"}, {"task_id": "t1"}]

    spec = GridSpec.from_marker(
        suite="s",
        axes={"level": ["A", "B"]},
        tasks=tasks,
        models=["local:gemma-3-270m", "local:smollm2-135m"],
    )
    ids = [c.case_id for c in expand(spec, [], epochs=1, seed=0)]
    assert ids == [
        "A-gemma-3-270m-t0",
        "A-gemma-3-270m-t1",
        "A-smollm2-135m-t0",
        "A-smollm2-135m-t1",
        "B-smollm2-135m-t0",
        "B-smollm2-135m-t1",
    ]
    assert {c["model"] for c in seen} == {"local:gemma-3-270m", "local:smollm2-135m"}
    unmodelled = GridSpec.from_marker(suite="s", axes={"level": ["A"]}, tasks=tasks)
    seen.clear()
    assert len(expand(unmodelled, [], epochs=1, seed=0)) == 2
    assert seen == [{"level": "A"}]  # no model axis: no "model" key


def test_malformed_results_name_the_file_line_and_field(tmp_path):
    good = '{"case_id": "a", "suite": "s", "task_id": "t"}'
    bad = '{"case_id": "b", "suite": "s"}'
    (tmp_path / "results.jsonl").write_text(f"{good}\n{bad}\n{good}\n")
    with pytest.raises(ResultsFileError, match=r"results.jsonl:2: field 'task_id'"):
        read_results(tmp_path)


def test_a_killed_run_keeps_finished_rows_and_the_skip_is_reported(tmp_path):
    good = '{"case_id": "a", "suite": "s", "task_id": "t"}'
    (tmp_path / "results.jsonl").write_text(good + '\n{"case_id": "b", "sui')
    with pytest.warns(DamagedResultsWarning, match=r"results.jsonl:2: skipped a half-written"):
        assert [r.case_id for r in read_results(tmp_path)] == ["a"]


def test_canonical_body_ignores_key_order_and_volatile_fields():
    a = b'{"model": "m", "messages": [{"role": "user", "content": "hi"}], "user": "u1"}'
    b = b'{"messages": [{"content": "hi", "role": "user"}], "model": "m"}'
    assert canonical_body(a) == canonical_body(b)
    assert canonical_body(a) != canonical_body(a.replace(b"hi", b"ho"))


def test_no_credential_in_any_cassette():
    root = Path(__file__).resolve().parents[2] / "cassettes"
    for path in root.rglob("*.yaml"):
        text = path.read_text().lower()
        assert "authorization" not in text and "api-key" not in text, path
        assert not re.search(r"sk-[a-z0-9_-]{20,}", text), path


_REQUEST = "request: {method: POST, uri: 'http://h/v1', headers: {}, body: '{}'}"
_RESPONSE = "{status: {code: 200, message: OK}, headers: {}, body: {string: '{}'}}"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "the file is empty"),
        ("interactions: [unclosed", "not valid YAML"),
        ("version: 1\n", "no 'interactions'"),
        ("interactions:\n- request: {}\n", r"interactions\[0\].request lacks 'method'"),
        (f"interactions:\n- {_REQUEST}\n", r"interactions\[0\] has no 'response'"),
        (
            f"interactions:\n- {_REQUEST}\n  response: {{status: {{code: 200, message: OK}}, "
            "body: {string: ''}}\n",
            r"interactions\[0\].response lacks 'headers'",
        ),
        (
            f"interactions:\n- {_REQUEST}\n  response: {{status: {{code: 200}}, headers: {{}}, "
            "body: {string: ''}}\n",
            r"status needs an integer 'code' and a 'message'",
        ),
    ],
)
def test_malformed_cassette_names_the_file_and_the_fix(tmp_path, content, problem):
    path = tmp_path / "case.yaml"
    path.write_text(content)
    with pytest.raises(CassetteFileError, match=problem) as info:
        CheckedPersister(replay=True).load_cassette(path, yamlserializer)
    assert str(path) in str(info.value) and "--record-mode=once" in str(info.value)


def test_a_complete_cassette_loads_once_parsed():
    path = next((Path(__file__).resolve().parents[2] / "cassettes" / "test_airline").glob("*.yaml"))
    requests, responses = CheckedPersister(replay=True).load_cassette(path, yamlserializer)
    assert len(requests) == len(responses) >= 1
    assert responses[0]["status"]["code"] == 200


def test_a_plot_that_fails_to_draw_fails_the_run_and_keeps_the_rows(toy):
    """The plot is drawn in a background thread at session end: its error must still reach
    the user (and the exit status), after the rows and the text reports are written."""
    toy.makeconftest(
        "from ptp.pytest_plugin import vcr_cassette_dir, vcr_config\n"
        "import ptp.report._files\n"
        "def fake_write_plot(summary, results_dir):\n"
        "    raise RuntimeError('fake plot failure')\n"
        "ptp.report._files.write_plot = fake_write_plot\n"
    )
    result = toy.runpytest_subprocess("--ptp-results", "r", "-n", "2")
    assert result.ret == pytest.ExitCode.INTERNAL_ERROR
    result.stdout.fnmatch_lines(["*ptp: the plot was not drawn*", "RuntimeError: fake plot*"])
    results = toy.path / "r"
    assert len(read_results(results)) == 12
    assert (results / "summary.md").stat().st_size > 0
