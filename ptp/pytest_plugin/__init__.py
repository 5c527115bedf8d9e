"""ptp's pytest plugin (entry point ``ptp``): eval grids, cassettes, result rows collected
across xdist workers, and reports at session end.

An eval:

    @pytest.mark.baseline
    @pytest.mark.ptp_grid(suite="airline", axes={"level": ["L0", "L1"]}, tasks=load,
                          models=["local:gemma-3-270m"], compare=[("level", "L1", "L0")],
                          stats=["tool_calls", "optimality"])
    def test_airline(ptp_case, ptp_eval):
        with ptp_eval.recording():
            answer = solve(ptp_case.task, ptp_case["level"], ptp_eval.model)
        ptp_eval.score(answer=answer, expected=..., score=..., correct=..., optimality=...)
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ptp.models import Model, get_model
from ptp.pytest_plugin._cassettes import (
    CheckedPersister,
    json_body_matcher,
    mark_absent_http_clients,
    vcr_kwargs,
)
from ptp.pytest_plugin._config import is_live, record_mode, run_config
from ptp.pytest_plugin._eval import EvalRun, setup_error_record
from ptp.pytest_plugin._grid import EvalCase, GridSpec, expand
from ptp.pytest_plugin._results_dir import LOCK_FILE, ResultsDirClaim, new_results_dir
from ptp.pytest_plugin._server import local_server_url
from ptp.pytest_plugin._session import ResultsSession, finished_case_ids
from ptp.results import EvalRecord

__all__ = ["EvalCase", "EvalRun", "is_live", "record_mode", "vcr_cassette_dir", "vcr_config"]

_ROW = "ptp_row"
_SUITE = "ptp_suite"
_RUN = pytest.StashKey[EvalRun]()
_RESULTS = pytest.StashKey[Path]()
_MODELS = pytest.StashKey[dict[tuple[str, int], Model]]()


# -- options and configuration --------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ptp", "ptp evals")
    group.addoption(
        "--ptp-model",
        action="append",
        default=[],
        metavar="SPEC",
        help="model spec for the grids' model axis (repeatable); replaces the grid's models "
        "(grids that fix a model per cell keep theirs)",
    )
    group.addoption(
        "--ptp-results",
        metavar="DIR",
        default=None,
        help="results directory (default: a new results/<time>-<n>)",
    )
    group.addoption(
        "--ptp-epochs",
        type=int,
        default=1,
        metavar="K",
        help="run every case K times (epochs); seeds are seed+epoch",
    )
    group.addoption("--ptp-seed", type=int, default=0, help="base seed sent with LLM calls")
    group.addoption(
        "--ptp-resume",
        action="store_true",
        help="continue the run in --ptp-results DIR: skip cases it finished without error",
    )
    group.addoption("--ptp-live", action="store_true",
                    help="run tests marked live (they call a real model server)")  # fmt: skip


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Replay is CPU-bound: more xdist workers than CPUs add only worker start-up (each
    imports pytest, the SDKs and the grids, ~2 s), so ``-n 8`` on 2 cores ran slower than
    ``-n 2``. When nothing calls a live model, cap the workers at the CPU count (through
    xdist's own ``--maxprocesses``, which an explicit value overrides)."""
    option = config.option
    wanted = getattr(option, "numprocesses", None)
    if not isinstance(wanted, int) or getattr(option, "maxprocesses", 0) or is_live(config):
        return
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if cpus and wanted > cpus:
        option.maxprocesses = option.numprocesses = cpus
        tx = getattr(option, "tx", None)
        if tx and all(spec == "popen" for spec in tx):  # xdist's hook already ran
            option.tx = tx[:cpus]
        config.issue_config_time_warning(
            pytest.PytestConfigWarning(
                f"ptp: -n {wanted} on {cpus} CPUs: replaying is CPU-bound, running {cpus} "
                "workers (pass --maxprocesses to choose)"
            ),
            stacklevel=2,
        )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "ptp_grid(suite, axes, tasks, models, compare, stats, reference, caps): expand into "
        "eval cases; see ptp.pytest_plugin",
    )
    config.stash[_MODELS] = {}
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:  # an xdist worker: the controller chose the directory
        config.stash[_RESULTS] = Path(workerinput["ptp_results"])
        return
    run = run_config(config)
    named = config.getoption("ptp_results")
    if named and _rootdir_moved_by_option_value(config):
        raise pytest.UsageError(
            f"--ptp-results {named}: pytest read this existing directory as a test path when "
            f"it chose its rootdir ({config.rootpath}; plugin options are unknown at that "
            "point), so cassettes and the ini file would be looked for there. Write "
            f"--ptp-results={named}, or name the tests: pytest evals --ptp-results {named}"
        )
    if named:
        claim = ResultsDirClaim(Path(named).resolve(), run, resume=config.getoption("ptp_resume"))
    else:
        if config.getoption("ptp_resume"):
            raise pytest.UsageError("--ptp-resume needs --ptp-results DIR (the run to continue)")
        claim = ResultsDirClaim(
            new_results_dir(Path(config.rootpath) / "results"), run, resume=False
        )
    config.stash[_RESULTS] = claim.results_dir
    options = {"record_mode": record_mode(config), **run.as_dict()}
    session = ResultsSession(claim.results_dir, Path(config.rootpath), options)
    config.pluginmanager.register(ResultsCollector(session, claim), "ptp-results-collector")


def _rootdir_moved_by_option_value(config: pytest.Config) -> bool:
    """Whether pytest's rootdir differs from the one its own test paths give: it chooses the
    rootdir before plugins add their options, so ``--ptp-results DIR`` (an existing DIR, no
    test path) can move it. Uses pytest's ``determine_setup`` (internal; unchecked when its
    signature differs)."""
    try:
        from _pytest.config.findpaths import determine_setup

        rootpath = determine_setup(
            inifile=config.option.inifilename, override_ini=config.option.override_ini,
            args=config.option.file_or_dir or [], rootdir_cmd_arg=config.option.rootdir or None,
            invocation_dir=config.invocation_params.dir,
        )[0]  # fmt: skip
    except (ImportError, TypeError):
        return False
    return Path(rootpath) != Path(config.rootpath)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """An xdist worker is done and about to exit: freeze its heap, so that the interpreter's
    exit-time garbage collection skips it (it took 1.4 s of each worker after a replay of
    the shipped grid, while the controller waited; 0.1 s frozen)."""
    if getattr(config, "workerinput", None) is not None:
        gc.freeze()


@pytest.hookimpl(optionalhook=True)  # an xdist hook: pytest -p no:xdist must still run
def pytest_configure_node(node: Any) -> None:
    """xdist (controller): tell each worker where results go."""
    node.workerinput["ptp_results"] = str(node.config.stash[_RESULTS])


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    mark_absent_http_clients()
    vcr.register_matcher("ptp_json_body", json_body_matcher)
    vcr.register_persister(CheckedPersister(replay=not is_live(config)))


# -- collection -------------------------------------------------------------------------------
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("ptp_grid")
    if marker is None or "ptp_case" not in metafunc.fixturenames:
        return
    config = metafunc.config
    spec = GridSpec.from_marker(*marker.args, **marker.kwargs)
    if spec.fixes_models and config.getoption("ptp_model"):
        warnings.warn(
            pytest.PytestConfigWarning(
                f"ptp_grid {spec.suite!r} ({metafunc.definition.nodeid}) fixes the model of "
                "each cell (models=<function>); --ptp-model does not apply to it"
            ),
            stacklevel=1,
        )
    cases = expand(
        spec,
        config.getoption("ptp_model"),
        config.getoption("ptp_epochs"),
        config.getoption("ptp_seed"),
    )
    marks = [pytest.mark.vcr]
    if not is_live(config):
        marks.append(pytest.mark.block_network)
    params = [
        pytest.param(
            case,
            id=case.case_id,
            marks=[*marks, pytest.mark.default_cassette(f"{case.case_id}.yaml")],
        )
        for case in cases
    ]
    metafunc.parametrize("ptp_case", params)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    live_ok = config.getoption("ptp_live") or is_live(config)
    skip_live = pytest.mark.skip(reason="calls a real model server; run with --ptp-live")
    for item in items:
        if "live" in item.keywords and not live_ok:
            item.add_marker(skip_live)
    if not config.getoption("ptp_resume"):
        return
    done = finished_case_ids(config.stash[_RESULTS])
    keep, skipped = [], []
    for item in items:
        case = _case_of(item)
        (skipped if case and (case.suite, case.case_id, case.seed) in done else keep).append(item)
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = keep


def _case_of(item: pytest.Item) -> EvalCase | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("ptp_case") if callspec else None


# -- fixtures -------------------------------------------------------------------------------
# pytest-recording defines these two as well; a project's conftest.py should import ours
# (`from ptp.pytest_plugin import vcr_cassette_dir, vcr_config`) because between two plugins
# pytest's choice depends on load order, while a conftest always wins.
@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """Cassettes live at ``<rootdir>/cassettes/<test module>/``."""
    return str(Path(request.config.rootpath) / "cassettes" / Path(str(request.path)).stem)


@pytest.fixture
def vcr_config() -> dict[str, Any]:
    """ptp's cassette policy: canonical-JSON body matching, credentials scrubbed."""
    return vcr_kwargs()


@pytest.fixture
def ptp_case(request: pytest.FixtureRequest) -> EvalCase:
    """The eval case (parametrized by ``ptp_grid``)."""
    return request.param


@pytest.fixture(scope="session")
def ptp_local_server(request: pytest.FixtureRequest) -> str:
    """Base URL of the Gemma server (``local:gemma-3-270m``), started for this session if
    needed (stopped when the session ends); other local models:
    ``local_server_url(request, spec)``."""
    return local_server_url(request, "local:gemma-3-270m")


def eval_model(request: pytest.FixtureRequest, spec: str, seed: int = 0) -> Model:
    """The client for ``spec`` in this session (one per spec and seed, reused by every case):
    every call carries ``seed``; replay never retries, sends no real key and reports the
    latency recorded in the cassette; recording against the embedded model starts its server.
    """
    live = is_live(request.config)
    if live and spec.startswith("local:"):
        local_server_url(request, spec)  # this model's server, started once per session
    models = request.config.stash[_MODELS]
    model = models.get((spec, seed))
    if model is None:
        defaults = {"seed": seed}
        if live:
            model = get_model(spec, defaults=defaults)
        else:
            model = get_model(
                spec, max_retries=0, api_key="replay-no-key", defaults=defaults, replay=True
            )
        models[(spec, seed)] = model
    return model


@pytest.fixture
def ptp_model(request: pytest.FixtureRequest) -> Callable[[str], Model]:
    """Factory for tests outside grids: ``model = ptp_model("local:gemma-3-270m")``."""
    return lambda spec: eval_model(request, spec, request.config.getoption("ptp_seed"))


@pytest.fixture
def ptp_eval(request: pytest.FixtureRequest, ptp_case: EvalCase) -> EvalRun:
    """Runs the case: ``.model``, ``.recording()``, ``.score(...)``; the row is built from it.

    A model that acts for one task at a time (an expert policy, ``expert:<family>``) has a
    ``for_task`` method: ``.model`` is then the copy bound to the case's task.
    """
    model = eval_model(request, ptp_case.model, ptp_case.seed) if ptp_case.model else None
    bind = getattr(model, "for_task", None)
    if callable(bind):
        model = bind(ptp_case.task)
    run = EvalRun(ptp_case, model, request.config.stash[_RESULTS], Path(str(request.path)).stem)
    request.node.stash[_RUN] = run
    return run


# -- rows: built where the test ran, written by the controller ------------------------------
@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Every collected eval case ends as exactly one row: at ``call``, or at ``setup`` when
    the case failed before its solver ran (a broken cassette, a model that cannot be built)."""
    report = yield
    if report.skipped:
        return report
    error = None if call.excinfo is None else f"{call.excinfo.typename}: {call.excinfo.value}"
    run = item.stash.get(_RUN, None)
    if report.when == "call" and run is not None:
        record = run.to_record(error)
        # the row carries what the report needs; a run kept on its item for the rest of the
        # session (its trace: ~400 objects a case) made each full GC pass slower
        del item.stash[_RUN]
    elif report.when == "setup" and report.failed and (case := _case_of(item)) is not None:
        record = setup_error_record(case, f"setup: {error}", wall_s=call.duration)
    else:
        return report
    report.user_properties.append((_ROW, record.model_dump_json()))
    marker = item.get_closest_marker("ptp_grid")
    if marker is not None:
        spec = GridSpec.from_marker(*marker.args, **marker.kwargs)
        report.user_properties.append((_SUITE, json.dumps(spec.suite_info())))
    return report


def _import_reports() -> None:
    import matplotlib.backends.backend_agg
    import matplotlib.figure  # noqa: F401

    import ptp.report  # noqa: F401


class ResultsCollector:
    """Registered on the controller only: xdist forwards every worker's reports to it."""

    def __init__(self, session: ResultsSession, claim: ResultsDirClaim) -> None:
        self.session = session
        self.claim = claim
        self.pytest_session: pytest.Session | None = None

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if getattr(session.config.option, "numprocesses", None):
            # Under xdist the controller waits while workers run the cases: import the report
            # stack (scipy, matplotlib: ~2 s) meanwhile, so the tables follow the last case.
            threading.Thread(target=_import_reports, name="ptp-report-imports", daemon=True).start()
        if self.claim.repaired is not None:
            session.config.get_terminal_writer().line(
                f"ptp: {self.claim.results_dir / 'results.jsonl'} ended in a half-written "
                f"row; moved it to {self.claim.repaired} and resuming"
            )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        if _ROW in props:
            suite_info = json.loads(props[_SUITE]) if _SUITE in props else None
            self.session.add(EvalRecord.model_validate_json(props[_ROW]), suite_info)

    @pytest.hookimpl(tryfirst=True)  # the plot is drawn while xdist stops its workers
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.pytest_session = session
        for problem in self.session.check_stats():
            warnings.warn(pytest.PytestConfigWarning(problem), stacklevel=1)
        self.session.finish()

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        try:
            self.session.wait_for_plot()  # without a terminal reporter, nothing waited yet
        finally:
            results = self.claim.results_dir
            if not self.session.rows and all(p.name == LOCK_FILE for p in results.iterdir()):
                with contextlib.suppress(OSError):  # a run that wrote nothing leaves nothing
                    (results / LOCK_FILE).unlink()
                    results.rmdir()
            self.claim.release()

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        try:
            self.session.wait_for_plot()
        except Exception as err:
            terminalreporter.write_sep("=", "ptp: the plot was not drawn", red=True)
            terminalreporter.write_line(
                f"{type(err).__name__}: {err}\n(every row and the text reports are written; "
                f"`ptp report {self.claim.results_dir}` draws the plot again)"
            )
            if self.pytest_session is not None:  # set by sessionfinish, which started it
                self.pytest_session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
        text = self.session.summary_text()
        if text:
            terminalreporter.write_sep("=", "ptp results")
            terminalreporter.write_line(text)
