"""Faults a user meets (damaged cassettes, a killed run resumed, a mislabelled model, shared
result dirs, bad options): each is reproduced in a real pytest session and must keep every
case's row and label right."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ptp.pytest_plugin._config import RunConfig
from ptp.pytest_plugin._results_dir import ResultsDirClaim, new_results_dir
from ptp.results import read_results

TOY = """
import pytest
TASKS = [{"task_id": f"t{i}", "x": i} for i in range(4)]

@pytest.mark.ptp_grid(suite="toy", axes={"level": ["A", "B"]}, tasks=lambda cell: TASKS)
def test_toy(ptp_case, ptp_eval):
    with ptp_eval.recording():
        answer = ptp_case.task["x"]
    ptp_eval.score(answer=answer, expected=answer, score=1.0, correct=True)
"""


@pytest.fixture
def toy(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest("from ptp.pytest_plugin import vcr_cassette_dir, vcr_config")
    pytester.makepyfile(test_toy=TOY)
    return pytester


@pytest.mark.parametrize("workers", ["0", "2"])
@pytest.mark.parametrize(
    ("content", "says"),
    [("", "the file is empty"), ("interactions: [", "not valid YAML")],
)
def test_a_damaged_cassette_is_an_error_row_not_a_lost_case(toy, workers, content, says):
    cassettes = toy.path / "cassettes" / "test_toy"
    cassettes.mkdir(parents=True)
    (cassettes / "B-t2.yaml").write_text(content)
    result = toy.runpytest_subprocess("--ptp-results", "r", "-n", workers)
    result.assert_outcomes(passed=7, errors=1)
    rows = read_results(toy.path / "r")
    assert len(rows) == 8  # every collected case is one row
    (bad,) = [r for r in rows if r.error]
    assert bad.case_id == "B-t2" and bad.axes == {"level": "B"} and not bad.correct
    assert "CassetteFileError" in bad.error and says in bad.error
    assert "B-t2.yaml" in bad.error and "--record-mode=once" in bad.error


def test_resume_after_a_half_written_row_moves_it_aside(toy):
    toy.runpytest_subprocess("--ptp-results", "r", "-n", "0").assert_outcomes(passed=8)
    results = toy.path / "r" / "results.jsonl"
    lines = results.read_text().splitlines()
    # the run was killed while writing B-t3's row: its line is cut and has no newline
    results.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:40])
    again = toy.runpytest_subprocess("--ptp-results", "r", "--ptp-resume", "-n", "0")
    again.assert_outcomes(passed=1, deselected=7)
    again.stdout.fnmatch_lines(["*ended in a half-written row; moved it to*resuming*"])
    (side,) = (toy.path / "r").glob("results.jsonl.damaged-*")
    assert side.read_text() == lines[-1][:40]
    rows = read_results(toy.path / "r")
    assert sorted(r.case_id for r in rows) == sorted(json.loads(x)["case_id"] for x in lines)
    assert (toy.path / "r" / "summary.json").exists()


FIXED_MODELS = """
import pytest
from ptp.testing import FakeModel

STUDENTS = {"none": "local:gemma-3-270m", "tuned": "openai:student-1"}
TASKS = [{"task_id": "t0"}]

@pytest.fixture
def ptp_model_factory(monkeypatch):
    import ptp.pytest_plugin as plugin
    monkeypatch.setattr(plugin, "get_model", lambda spec, **kw: FakeModel(["hi"], spec=spec))

@pytest.mark.ptp_grid(suite="cross", axes={"trained_on": list(STUDENTS)},
                      tasks=lambda cell: TASKS, models=lambda cell: STUDENTS[cell["trained_on"]])
def test_cross(ptp_model_factory, ptp_case, ptp_eval):
    with ptp_eval.recording():
        ptp_eval.model.chat([{"role": "user", "content": "hi"}])
    ptp_eval.score(answer=1, expected=1, score=1.0, correct=True)

@pytest.mark.ptp_grid(suite="liar", axes={"level": ["A"]}, tasks=lambda cell: TASKS,
                      models=["local:gemma-3-270m"])
def test_liar(ptp_case, ptp_eval):
    with ptp_eval.recording():
        FakeModel(["hi"], spec="openai:someone-else").chat([{"role": "user", "content": "hi"}])
    ptp_eval.score(answer=1, expected=1, score=1.0, correct=True)
"""


def test_rows_name_the_model_that_was_called(pytester):
    pytester.makeconftest("from ptp.pytest_plugin import vcr_cassette_dir, vcr_config")
    pytester.makepyfile(test_fixed=FIXED_MODELS)
    result = pytester.runpytest_subprocess(
        "--ptp-results", "r", "-n", "0", "--ptp-model", "openai:gpt-4o-mini", "-W", "always"
    )
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*'cross'*fixes the model of each cell*--ptp-model does not*"])
    rows = {r.case_id: r for r in read_results(pytester.path / "r")}
    assert {k: r.model for k, r in rows.items() if r.suite == "cross"} == {
        "none-t0": "local:gemma-3-270m",
        "tuned-t0": "openai:student-1",
    }
    (liar,) = [r for r in rows.values() if r.suite == "liar"]
    assert liar.model == "openai:gpt-4o-mini"  # --ptp-model replaced that grid's axis ...
    assert liar.error and "called ['openai:someone-else']" in liar.error  # ... and it lied
    run = json.loads((pytester.path / "r" / "runs.jsonl").read_text().splitlines()[-1])
    assert run["models"] == ["openai:gpt-4o-mini"]
    assert run["models_used"] == ["local:gemma-3-270m", "openai:gpt-4o-mini", "openai:student-1"]


def test_an_existing_results_dir_taken_for_the_rootdir_is_refused(toy, tmp_path_factory):
    """Without a test path, pytest takes an existing --ptp-results DIR outside the project for
    its rootdir (before ptp's options are known): the run would find no cassette."""
    outside = tmp_path_factory.mktemp("results-outside")
    taken = toy.runpytest_subprocess("--ptp-results", str(outside), "-n", "0")
    assert taken.ret == pytest.ExitCode.USAGE_ERROR
    taken.stderr.fnmatch_lines(
        [f"*--ptp-results {outside}: pytest read this existing*Write --ptp-results={outside},*"]
    )
    toy.runpytest_subprocess(f"--ptp-results={outside}", "-n", "0").assert_outcomes(passed=8)


def test_runs_get_their_own_directories(tmp_path):
    made = {new_results_dir(tmp_path) for _ in range(5)}  # all within one second
    assert len(made) == 5 and all(p.is_dir() for p in made)


CONFIG = RunConfig(models=("local:gemma-3-270m",), epochs=1, seed=0)


def test_a_directory_held_by_a_live_run_is_refused(tmp_path):
    claim = ResultsDirClaim(tmp_path / "r", CONFIG, resume=False)
    with pytest.raises(pytest.UsageError, match="another live run is writing there"):
        ResultsDirClaim(tmp_path / "r", CONFIG, resume=False)
    claim.release()
    ResultsDirClaim(tmp_path / "r", CONFIG, resume=False).release()


def test_results_of_another_configuration_are_refused(toy):
    toy.runpytest_subprocess("--ptp-results", "r", "-n", "0").assert_outcomes(passed=8)
    again = toy.runpytest_subprocess("--ptp-results", "r", "-n", "0")
    assert again.ret == pytest.ExitCode.USAGE_ERROR
    again.stderr.fnmatch_lines(["*holds results of an earlier run*--ptp-resume*"])
    other = toy.runpytest_subprocess("--ptp-results", "r", "--ptp-resume", "--ptp-seed", "3")
    assert other.ret == pytest.ExitCode.USAGE_ERROR
    other.stderr.fnmatch_lines(["*another configuration (seed: 0 -> 3)*"])
    assert len(read_results(toy.path / "r")) == 8  # nothing merged


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["--ptp-model", "openai:"], {}, "--ptp-model openai:: *model*"),
        (["--ptp-model", "vllm:localhost:8000#m"], {}, "--ptp-model vllm:localhost:8000#m: *http*"),
        (["--ptp-epochs", "0"], {}, "--ptp-epochs 0: must be >= 1*"),
        ([], {"PTP_LOCAL_PORT": "eighty"}, "PTP_LOCAL_PORT='eighty': *"),
    ],
)
def test_a_bad_configuration_is_one_short_usage_error(toy, monkeypatch, args, env, says):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = toy.runpytest_subprocess("-n", "2", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {says}"])
    assert len(result.stderr.lines) <= 3 and "Traceback" not in result.stderr.str()
    assert not (Path(toy.path) / "results").exists() or not any((toy.path / "results").iterdir())


def test_replay_runs_no_more_workers_than_cpus(toy):
    cpus = len(os.sched_getaffinity(0))
    result = toy.runpytest_subprocess("--ptp-results", "r", "-n", str(cpus + 2))
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines([f"*created: {cpus}/{cpus} workers*"])
