"""The task-family protocol: registry, one fixture reader/writer, one Score, solvers' stop
reasons, and evals that use public names only."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from ptp.errors import ConfigError, TaskDataError
from ptp.results import Score
from ptp.tasks import (
    STOP_REASONS,
    Family,
    FixtureExistsError,
    Param,
    SolverResult,
    TaskFileError,
    families,
    get_family,
    read_jsonl,
    watch_replies,
    write_jsonl,
)
from ptp.tasks.airline import AirlineDataError, AirlineProblem, cot_messages, l3_step_budget
from ptp.tasks.knapsack import KnapsackDataError, KnapsackEnv, KnapsackTask
from ptp.testing import FakeModel
from ptp.tools import Tool

ROOT = Path(__file__).resolve().parents[2]
PARAMS = {"airline": {"complexity": 1, "style": "paraphrase"}, "knapsack": {"difficulty": "easy"}}


# --- registry and protocol -----------------------------------------------------------------


def test_registry_lists_every_family_by_name() -> None:
    registry = families()
    assert list(registry) == ["airline", "knapsack", "reasoning", "terminal", "telecom", "booking"]
    for name, family in registry.items():
        assert isinstance(family, Family) and family.name == name
        assert get_family(name) is family


def test_unknown_family_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="unknown task family 'chess'; the families are airline"):
        get_family("chess")


@pytest.mark.parametrize("name", ["airline", "knapsack"])  # reasoning has no tools: own tests
def test_family_implements_the_protocol(name: str, tmp_path: Path) -> None:
    family = get_family(name)
    tasks = family.generate(3, 7, **PARAMS[name])
    assert [type(t) for t in tasks] == [family.task_type] * 3
    assert len({t.task_id for t in tasks}) == 3
    assert family.generate(3, 7) == family.generate(
        3, 7, **{p.name: p.default for p in family.params}
    )
    for task in tasks:
        verdict = family.score(family.reference(task), task)
        assert isinstance(verdict, Score) and verdict.correct and verdict.value == 1.0
        assert isinstance(family.prompt(task), str) and family.prompt(task)
        tools = family.tools(task)
        assert tools and all(isinstance(t, Tool) and t.description for t in tools)
    assert family.solvers and all(callable(s) for s in family.solvers.values())
    assert set(family.caps) <= set(family.solvers)
    assert family.exact_solver is None or family.exact_solver in family.solvers
    assert issubclass(family.data_error, TaskFileError)
    # fixtures: written all or nothing, read back equal
    path = family.write_fixtures(tmp_path / "new" / "dir", 3, 7, **PARAMS[name])
    assert path == family.fixture_path(tmp_path / "new" / "dir", **PARAMS[name])
    assert family.read_fixtures(path) == tasks


@pytest.mark.parametrize("name", ["airline", "knapsack", "reasoning"])
def test_undeclared_parameters_are_refused(name: str) -> None:
    family = get_family(name)
    with pytest.raises(ConfigError, match=f"{name}: no parameter 'colour'; its parameters are"):
        family.generate(1, 1, colour="red")


def test_param_parses_command_line_text() -> None:
    param = Param("complexity", int, (0, 1, 2), 0)
    assert param.parse("2") == 2
    for bad in ("5", "two"):
        with pytest.raises(ConfigError, match=f"--complexity {bad}: not one of 0, 1, 2; use one"):
            param.parse(bad)


# --- one fixture reader and writer ---------------------------------------------------------


def test_family_errors_are_task_data_errors() -> None:
    for error in (AirlineDataError, KnapsackDataError, FixtureExistsError):
        assert issubclass(error, TaskFileError) and issubclass(error, TaskDataError)
    err = AirlineDataError("f.jsonl", 3, "info.direction", "bad value", "use 0 or 1")
    assert str(err) == "f.jsonl:3: field 'info.direction': bad value; use 0 or 1"
    assert (err.path, err.line, err.field, err.fix) == (
        Path("f.jsonl"),
        3,
        "info.direction",
        "use 0 or 1",
    )


@pytest.mark.parametrize(
    ("name", "mutate", "needle"),
    [
        ("airline", lambda row: row["info"].update(direction=2), "use 0 when the U.S. city"),
        ("airline", lambda row: row.pop("answer"), "add the field 'answer'"),
        ("knapsack", lambda row: row["public"].update(capacity="lots"), "write a whole number"),
        ("knapsack", lambda row: row.update(colour=1), "remove this field"),
    ],
)
def test_bad_fixture_line_names_file_line_field_and_fix(
    name: str, mutate: Any, needle: str, tmp_path: Path
) -> None:
    family = get_family(name)
    path = family.write_fixtures(tmp_path, 2, 1)
    lines = path.read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[1])
    mutate(row)
    path.write_text(f"{lines[0]}\n\n{json.dumps(row)}\n", encoding="utf-8")
    with pytest.raises(family.data_error) as caught:
        family.read_fixtures(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:3: field ")
    assert needle in message
    assert f"or regenerate the file with ptp tasks generate --family {name}" in message


def test_unreadable_and_non_json_files(tmp_path: Path) -> None:
    with pytest.raises(TaskFileError, match=r"missing\.jsonl: cannot read \(No such file"):
        read_jsonl(tmp_path / "missing.jsonl", AirlineProblem)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(KnapsackDataError, match=r"bad\.jsonl:1: not JSON"):
        get_family("knapsack").read_fixtures(bad)


def test_writer_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    family = get_family("knapsack")
    path = family.write_fixtures(tmp_path, 2, 1)
    before = path.read_bytes()
    path.write_text("edited\n", encoding="utf-8")
    with pytest.raises(FixtureExistsError, match=r"knapsack-easy\.jsonl: already exists; pass"):
        family.write_fixtures(tmp_path, 2, 1)
    assert path.read_text(encoding="utf-8") == "edited\n"
    assert family.write_fixtures(tmp_path, 2, 1, overwrite=True).read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["knapsack-easy.jsonl"]  # no temp files


def test_failed_generation_leaves_no_folder(tmp_path: Path) -> None:
    family = get_family("knapsack")
    with pytest.raises(ValueError, match="n must be in"):
        family.write_fixtures(tmp_path / "a" / "b", 5000, 1)
    assert list(tmp_path.iterdir()) == []

    def broken():
        yield from get_family("airline").generate(1, 1)
        raise RuntimeError("generator broke")

    with pytest.raises(RuntimeError, match="generator broke"):
        write_jsonl(tmp_path / "c" / "x.jsonl", broken())
    assert list(tmp_path.iterdir()) == []


def test_failed_write_removes_the_folders_it_made(tmp_path: Path, monkeypatch) -> None:
    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "write_text", refuse)
    with pytest.raises(TaskFileError, match=r"x\.jsonl: cannot write \(Permission denied\)"):
        write_jsonl(tmp_path / "c" / "d" / "x.jsonl", get_family("airline").generate(1, 1))
    assert list(tmp_path.iterdir()) == []


def test_both_line_formats_are_kept(tmp_path: Path) -> None:
    airline = get_family("airline").write_fixtures(tmp_path, 1, 1)
    knapsack = get_family("knapsack").write_fixtures(tmp_path, 1, 1)
    row = airline.read_text(encoding="utf-8").splitlines()[0]
    assert list(json.loads(row)) == sorted(json.loads(row)) and '", "' in row
    task = get_family("knapsack").read_fixtures(knapsack)[0]
    assert knapsack.read_text(encoding="utf-8") == task.model_dump_json() + "\n"


# --- one Score -----------------------------------------------------------------------------


def _knapsack_task() -> KnapsackTask:
    return get_family("knapsack").generate(1, 5)[0]


def test_knapsack_scores_a_state_ids_or_a_summary_alike() -> None:
    family, task = get_family("knapsack"), _knapsack_task()
    env = KnapsackEnv(task)
    for item_id in task.reference.optimal_ids[:2]:
        env.take_item(item_id)
    by_state = family.score(env.outcome("ignored"), task)
    by_ids = family.score(task.reference.optimal_ids[:2], task)
    by_summary = family.score(env.finish(), task)
    assert by_state == by_ids == by_summary
    assert 0 < by_state.value < 1 and not by_state.correct
    assert by_state.answer == env.total_value
    assert by_state.expected == task.reference.optimal_value
    assert by_state.metadata["optimality"] == by_state.value
    assert by_state.metadata["items_taken"] == 2


def test_knapsack_refused_takes_count_as_violations() -> None:
    family, task = get_family("knapsack"), _knapsack_task()
    first = task.reference.optimal_ids[0]
    verdict = family.score([first, first, "nope"], task)
    assert verdict.metadata["violations"] == 2 and verdict.metadata["items_taken"] == 1
    assert family.score(None, task).value == 0.0


def test_knapsack_refuses_an_episode_of_another_task() -> None:
    family, task = get_family("knapsack"), _knapsack_task()
    other = family.generate(2, 6)[1]
    with pytest.raises(ValueError, match="score each episode against its own task"):
        family.score(KnapsackEnv(other), task)


def test_airline_score_keeps_the_raw_answer() -> None:
    family = get_family("airline")
    problem = family.generate(1, 3)[0]
    verdict = family.score(f"The total cost is ${problem.answer:,}.", problem)
    assert verdict.correct and verdict.value == 1.0 and verdict.expected == problem.answer
    assert verdict.answer.startswith("The total cost")
    assert not family.score(None, problem).correct


# --- solvers: stop reasons and finish reasons -----------------------------------------------


class LengthModel(FakeModel):
    """A fake whose every reply was cut at max_tokens."""

    def _respond(self, payload: dict[str, Any]) -> Any:
        response = super()._respond(payload)
        response.choices[0].finish_reason = "length"
        return response


def test_solver_result_row_extra() -> None:
    assert SolverResult(3).row_extra() == {"stop_reason": "answered"}
    result = SolverResult(None, "step_limit", "length", "no answer", {"code_blocks": 2})
    assert result.row_extra() == {
        "stop_reason": "step_limit",
        "finish_reason": "length",
        "failure": "no answer",
        "code_blocks": 2,
    }
    assert set(STOP_REASONS) >= {"answered", "step_limit", "length", "parse_failure"}


def test_watch_replies_keeps_the_last_finish_reason_and_forwards_the_rest() -> None:
    model = LengthModel(["a"])
    watched = watch_replies(model)
    assert watched.finish_reason is None and watched.spec == model.spec
    assert watched.chat([{"role": "user", "content": "hi"}]).text == "a"
    assert watched.finish_reason == "length"


def test_airline_solvers_report_why_they_stopped() -> None:
    family = get_family("airline")
    template, paraphrase = family.generate(1, 2)[0], family.generate(1, 2, style="paraphrase")[0]
    solvers = family.solvers
    assert solvers["L0"](template, None).stop_reason == "answered"
    failed = solvers["L0"](paraphrase, None)
    assert failed.stop_reason == "parse_failure"
    assert failed.answer.total is None and failed.answer.trip is None
    assert failed.failure.startswith("L0ParseError")

    cot = solvers["CoT0"](template, FakeModel([f"The total cost is ${template.answer}."]))
    assert (cot.stop_reason, cot.finish_reason) == ("answered", "stop")
    assert family.score(cot.answer, template).correct
    cut = solvers["CoT1"](template, LengthModel(["The ticket costs"]))
    assert (cut.stop_reason, cut.finish_reason) == ("length", "length")

    l1 = solvers["L1"](template, LengthModel(["not json", "still not json"]))
    assert (l1.stop_reason, l1.finish_reason) == ("parse_failure", "length")
    bad_city = json.dumps(
        {"customer_class": "Business", "origin_city": "Gotham", "destination_city": "Paris",
         "ticket_price": 100}
    )  # fmt: skip
    assert solvers["L1"](template, FakeModel([bad_city])).stop_reason == "invalid_value"

    steps = ["Thought: add\nAction: calculator(expression='1+1')"] * l3_step_budget(template)
    l3 = solvers["L3"](template, FakeModel(steps))
    assert (l3.stop_reason, l3.finish_reason, l3.failure) == ("step_limit", "stop", "step_limit")
    done = solvers["L3"](template, FakeModel(["Thought: done\nAction: final_answer(7)"]))
    assert (done.stop_reason, done.answer) == ("answered", 7)


def test_knapsack_solver_returns_the_state_and_block_stats() -> None:
    family, task = get_family("knapsack"), _knapsack_task()
    ids = list(task.reference.optimal_ids)
    code = f"```python\nfor i in {ids!r}:\n    take_item(i)\nfinish()\n```"
    result = family.solvers["reset"](task, FakeModel([code]))
    assert isinstance(result.answer, KnapsackEnv)
    assert (result.stop_reason, result.finish_reason) == ("answered", "stop")
    assert result.extra["code_blocks"] == 1
    assert family.score(result.answer, task).correct


def test_caps_quote_the_settings_the_solvers_use() -> None:
    from ptp.tasks.airline import COT_MAX_TOKENS, L1_MAX_TOKENS, L1_RETRIES, L3_STEP_RULE
    from ptp.tasks.knapsack import MAX_STEPS, PARAMS

    airline, knapsack = get_family("airline"), get_family("knapsack")
    assert L3_STEP_RULE in airline.caps["L3"]
    assert f"max_tokens={COT_MAX_TOKENS}" in airline.caps["CoT0"]
    assert f"retries={L1_RETRIES}" in airline.caps["L1"]
    assert f"max_tokens={L1_MAX_TOKENS}" in airline.caps["L1"]
    assert "L0" not in airline.caps
    for cap in knapsack.caps.values():
        assert f"max_steps={MAX_STEPS}" in cap and f"max_tokens={PARAMS['max_tokens']}" in cap


def test_sent_requests_do_not_depend_on_the_caches() -> None:
    """Cached prompt parts give the same messages every time, and callers may mutate them."""
    problem = get_family("airline").generate(1, 1)[0]
    first = cot_messages(problem, 1)
    first[0]["content"] = "mutated"
    again = cot_messages(problem, 1)
    assert again[0]["content"].startswith("You are given the airline's baggage policy")
    assert [m["role"] for m in again] == ["system", "user", "assistant", "user"]
    fake = FakeModel(['{"x": 1}', '{"x": 1}'])
    get_family("airline").solvers["L1"](problem, fake)
    from ptp.tasks.airline import L1_MAX_TOKENS

    assert fake.requests[0]["max_tokens"] == L1_MAX_TOKENS
    assert fake.requests[0]["temperature"] == 0


# --- evals use the public interface --------------------------------------------------------


@pytest.mark.parametrize("name", ["test_airline.py", "test_knapsack.py"])
def test_evals_import_public_names_only(name: str) -> None:
    tree = ast.parse((ROOT / "evals" / name).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module == "__future__":
                continue
            assert not any(part.startswith("_") for part in module.split(".")), module
            assert not any(alias.name.startswith("_") for alias in node.names), module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                assert not any(p.startswith("_") for p in alias.name.split(".")), alias.name


def test_environment_protocol_of_a_stateless_family() -> None:
    family = get_family("airline")
    problem = family.generate(1, 1)[0]
    env = family.environment(problem)
    assert [t.name for t in env.tools()] == [
        "base_fee", "oversize_fee", "overweight_fee", "calculator", "region_of"
    ]  # fmt: skip
    assert env.outcome(42) == 42
    assert family.environment(problem) is env  # stateless: one per process
