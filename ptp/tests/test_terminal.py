"""The terminal family: its scenarios, environment tools, judge, expert and reference."""

from __future__ import annotations

import re

import pytest

from ptp.models import get_model
from ptp.tasks import get_family
from ptp.tasks.scenarios import Final, Observed, ScenarioTask, Step, templates_of
from ptp.tasks.terminal import TerminalEnv, reference, step
from ptp.tasks.terminal._config import is_rotated, parse_config
from ptp.tasks.terminal._expert import repair_line
from ptp.tools import ToolError

FAMILY = get_family("terminal")
TEMPLATES = templates_of(FAMILY)
SCENARIOS = ("service-down", "disk-full", "port-conflict")
EXPERT = get_model("expert:terminal")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _tasks(scenario: str) -> list[ScenarioTask]:
    return [t for seed in (0, 1) for t in FAMILY.generate(n=25, seed=seed, scenario=scenario)]


TASKS = {scenario: _tasks(scenario) for scenario in SCENARIOS}


def _first(scenario: str) -> TerminalEnv:
    return TerminalEnv(TASKS[scenario][0])


def test_templates_load_with_rubrics_and_existing_tools() -> None:
    assert tuple(TEMPLATES) == SCENARIOS
    assert [t.difficulty for t in TEMPLATES.values()] == ["easy", "medium", "hard"]
    for template in TEMPLATES.values():
        assert template.rubric and all(c.description for c in template.rubric)
        assert len(template.tools) <= 6
        assert all(callable(getattr(TerminalEnv, name, None)) for name in template.tools)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_tools_are_the_templates(scenario: str) -> None:
    env = _first(scenario)
    tools = env.tools()
    assert [t.name for t in tools] == list(TEMPLATES[scenario].tools)
    assert all(t.description for t in tools)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_expert_solves_every_task_without_leaking(scenario: str) -> None:
    for task in TASKS[scenario]:
        result = FAMILY.solvers["L3"](task, EXPERT.for_task(task))
        verdict = FAMILY.score(result.answer, task)
        assert verdict.correct, (task.task_id, verdict.metadata)
        assert result.extra["agent_steps"] <= 8 and result.extra["tool_errors"] == 0
        answer = result.answer.answer
        assert not any(secret in answer for secret in task.expected["secrets"])


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_reference_scores_one_and_doing_nothing_fails(scenario: str) -> None:
    for task in TASKS[scenario]:
        assert FAMILY.score(reference(task), task).value == 1.0
        idle = FAMILY.score(FAMILY.environment(task), task)
        assert not idle.correct and not idle.metadata["check_service_running"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_generation_is_deterministic_and_plausible(scenario: str) -> None:
    again = FAMILY.generate(n=25, seed=0, scenario=scenario)
    assert again == TASKS[scenario][:25]
    assert FAMILY.generate(n=3, seed=0, scenario=scenario) == again[:3]
    assert [t.state for t in TASKS[scenario][:25]] != [t.state for t in TASKS[scenario][25:]]
    for task in TASKS[scenario]:
        name, state = task.expected["service"], task.state
        assert name in task.user and state["services"][name]["status"] == "failed"
        assert state["disk"]["system_kb"] > 0 and len(task.expected["secrets"]) == 2
        text = repr(state)
        assert all(secret in text for secret in task.expected["secrets"])
        pids = [p["pid"] for p in state["processes"]]
        assert len(set(pids)) == len(pids) and state["next_pid"] > max(pids)


def test_the_typo_and_its_fix_differ_by_one_line() -> None:
    for task in TASKS["service-down"]:
        text = task.state["files"][task.expected["config"]]["content"]
        _, error = parse_config(text)
        assert error is not None and re.match(r"line \d+: ", error)
        number = int(error.split(":")[0].split()[1])
        line = text.splitlines()[number - 1]
        fixed = text.replace(line, repair_line(line) or "")
        assert parse_config(fixed) == (task.expected["values"], None)


def test_service_down_wrong_fixes_fail_their_checks() -> None:
    task = TASKS["service-down"][0]
    name, path = task.expected["service"], task.expected["config"]
    env = TerminalEnv(task)
    number = int(re.findall(r"line (\d+)", env.service_logs(name)[-2])[0])
    bad = env.read_file(path).splitlines()[number - 1]
    env.replace_in_file(path, bad, "# " + bad)  # comments the faulty line out
    with pytest.raises(ToolError, match="failed"):
        env.restart_service(name)
    assert "missing directive" in env.service_logs(name)[-2]
    assert not env.outcome("Done.").metadata["check_config_fixed"]
    env = reference(task)
    env.replace_in_file(f"/etc/{name}/secret.env", "API_KEY=", "API_KEY=x")
    verdict = env.outcome("Done.")
    assert verdict.metadata["check_service_running"] and not verdict.correct
    assert not verdict.metadata["check_other_files_untouched"]


def test_disk_full_deleting_a_protected_file_fails() -> None:
    task = TASKS["disk-full"][0]
    env = reference(task)
    env.delete_file(f"/var/lib/{task.expected['service']}/store.db")
    verdict = env.outcome("Freed space.")
    assert verdict.metadata["check_usage_below_limit"] and not verdict.correct
    assert not verdict.metadata["check_protected_files_kept"]
    assert all(is_rotated(p) for p in task.expected["deletable"])
    assert not is_rotated("/var/log/syslog") and not is_rotated("/etc/app.log.1")


def test_disk_full_the_service_does_not_start_on_a_full_disk() -> None:
    env = _first("disk-full")
    name = env.task.expected["service"]
    with pytest.raises(ToolError, match=f"service_logs\\('{name}'\\)"):
        env.restart_service(name)
    assert env.service_logs(name)[-2].endswith("No space left on device")
    assert env.disk_usage("/var/log")["disk_use_percent"] > 95


def test_port_conflict_killing_the_look_alike_fails() -> None:
    task = TASKS["port-conflict"][0]
    env = TerminalEnv(task)
    stray = next(p for p in env.list_processes() if p["pid"] == task.expected["stray_pid"])
    twin = next(p for p in env.list_processes()
                if p["name"] == stray["name"] and p["pid"] != stray["pid"])  # fmt: skip
    env.kill_process(twin["pid"])
    with pytest.raises(ToolError):
        env.restart_service(task.expected["service"])
    verdict = env.outcome("Done.")
    assert not verdict.metadata["check_no_other_process_killed"]
    assert not verdict.metadata["check_stray_stopped"]
    env = reference(task)
    assert not env.outcome(f"Done; the password was {task.expected['secrets'][1]}").correct


def test_tools_reject_bad_input() -> None:
    env = _first("port-conflict")
    for call, match in (
        (lambda: env.service_status("nope"), "unknown service 'nope'; the services are"),
        (lambda: env.read_file("/etc/nope"), "no such file"),
        (lambda: env.kill_process(1), "pid 1"),
        (lambda: env.kill_process(999999), "no process with pid 999999"),
        (lambda: env.disk_usage("/nowhere"), "no files under"),
        (lambda: env.replace_in_file("/etc/hostname", "absent", "x"), "does not occur"),
        (lambda: env.replace_in_file("/etc/hostname", "", "x"), "old is empty"),
    ):
        with pytest.raises(ToolError, match=re.escape(match)):
            call()
    assert env.state == env.task.state  # nothing changed


def _play(task: ScenarioTask) -> Final:
    """The expert's steps run straight against the environment, to its final reply."""
    env, observed = TerminalEnv(task), []
    while isinstance(decided := step(task, observed), Step):
        for call in decided.calls:
            observed.append(
                Observed(call.tool, call.arguments, getattr(env, call.tool)(**call.arguments))
            )
    return decided


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_expert_recaps_in_chinese(scenario: str) -> None:
    final = _play(TASKS[scenario][0])
    assert len(_CJK.findall(final.recap)) >= 10 and "running" in final.answer


def test_the_expert_reports_an_error_honestly_in_chinese_too() -> None:
    task = TASKS["port-conflict"][0]
    first = step(task, [])
    assert isinstance(first, Step) and first.calls[0].tool == "service_status"
    failed = Observed("kill_process", {"pid": 5}, error="Error: no process with pid 5")
    final = step(task, [failed])
    assert isinstance(final, Final) and "no process with pid 5" in final.answer
    assert len(_CJK.findall(final.recap)) >= 8
