"""The telecom scenario family: generation, tools, the judge, the reference and the expert."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from ptp.adf._language import LanguagePolicy, language_problems
from ptp.models import get_model
from ptp.tasks import get_family
from ptp.tasks.scenarios import (
    RECAP_HEADING,
    Final,
    Observed,
    ScenarioTask,
    run_episode,
    scenario_instructions,
    templates_of,
)
from ptp.tasks.telecom import TelecomEnv, policy_credit, reference, step
from ptp.tools import ToolError

TELECOM = get_family("telecom")
SCENARIOS = ["outage-credit", "no-outage-credit", "plan-downgrade"]
TASKS = {s: [t for seed in (0, 1) for t in TELECOM.generate(n=25, seed=seed, scenario=s)]
         for s in SCENARIOS}  # fmt: skip
ALL = [t for s in SCENARIOS for t in TASKS[s]]


def _task(scenario: str, index: int = 0) -> ScenarioTask:
    return TASKS[scenario][index]


def _other_active(env: TelecomEnv) -> str:
    target = env.task.expected["account_id"]
    return next(i for i, a in env.state["accounts"].items()
                if i != target and a["status"] == "active")  # fmt: skip


def _failed(env: TelecomEnv, answer: str | None = "Done: outage credit handled.") -> set[str]:
    verdict = TELECOM.score(env, env.task) if answer is None else env.outcome(answer)
    return {k[6:] for k, v in verdict.metadata.items() if k.startswith("check_") and not v}


# -- templates, tools, generation ------------------------------------------------------------


def test_templates_load_with_rubrics_and_existing_tools() -> None:
    templates = templates_of(TELECOM)
    assert list(templates) == SCENARIOS
    assert [t.difficulty for t in templates.values()] == ["easy", "medium", "hard"]
    for template in templates.values():
        assert 3 <= len(template.rubric) <= 4 and all(c.description for c in template.rubric)
        assert len(template.tools) <= 6
        for name in template.tools:
            assert inspect.isfunction(getattr(TelecomEnv, name)), name


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_tools_are_the_templates(scenario: str) -> None:
    tools = TELECOM.tools(_task(scenario))
    assert [t.name for t in tools] == list(templates_of(TELECOM)[scenario].tools)
    by_name = {t.name: t for t in tools}
    assert by_name["issue_credit"].parameters["properties"]["amount"] == {"type": "number"}
    assert all(t.description for t in tools)


def test_generation_is_deterministic_and_seeded() -> None:
    for scenario in SCENARIOS:
        again = TELECOM.generate(n=25, seed=0, scenario=scenario)
        assert [t.model_dump() for t in again] == [t.model_dump() for t in TASKS[scenario][:25]]
        other = TELECOM.generate(n=25, seed=2, scenario=scenario)
        assert [t.user for t in other] != [t.user for t in again]


def test_generated_tasks_are_consistent() -> None:
    for task in ALL:
        state, expected = task.state, task.expected
        me = state["accounts"][expected["account_id"]]
        assert me["phone"] in task.user and me["holder"] in task.user
        assert me["pin"] in expected["secrets"] and len(expected["secrets"]) == len(
            state["accounts"]
        )
        assert not any(s in task.user for s in expected["secrets"])
        price = state["plans"][me["plan"]]["monthly_price"]
        mine = [o["hours"] for o in state["outages"] if o["area"] == me["area"]]
        assert expected["credit"] == policy_credit(price, mine)
        assert (expected["credit"] > 0) == (task.scenario != "no-outage-credit")
        if task.scenario == "plan-downgrade":
            need = expected["min_data_gb"]
            fit = {n: p["monthly_price"] for n, p in state["plans"].items() if p["data_gb"] >= need}
            assert expected["plan"] == min(fit, key=fit.__getitem__) != me["plan"]
            assert str(need) in task.user and me["plan"] in fit
        else:
            assert expected["plan"] == me["plan"]


def test_policy_credit() -> None:
    assert policy_credit(30.0, [48]) == 2.0
    assert policy_credit(30.0, [47]) == 1.0  # whole days only
    assert policy_credit(30.0, [23, 5]) == 0.0  # under 24 hours: nothing
    assert policy_credit(24.99, [72, 10]) == 2.5  # 2.499 -> 2.50
    assert policy_credit(0.45, [24]) == 0.02  # 0.015 rounds half up
    assert policy_credit(30.0, [24 * 40]) == 30.0  # capped at one month


def test_tools_reject_bad_input() -> None:
    env = TelecomEnv(_task("plan-downgrade"))
    expected = env.task.expected
    me = expected["account_id"]
    with pytest.raises(ToolError, match="no account has the phone number"):
        env.find_account("555-000-0000")
    assert env.find_account(expected["phone"].replace("-", " "))["account_id"] == me
    with pytest.raises(ToolError, match="find_account"):
        env.get_account("A-00000")
    with pytest.raises(ToolError, match="unknown area"):
        env.check_outages("Atlantis")
    for amount, message in ((-5.0, "positive"), (1.234, "fractions of a cent"),
                            ("lots", "not a number")):  # fmt: skip
        with pytest.raises(ToolError, match=message):
            env.issue_credit(me, amount, "outage")  # type: ignore[arg-type]
    with pytest.raises(ToolError, match="unknown plan"):
        env.change_plan(me, "Platinum Deluxe")
    with pytest.raises(ToolError, match="already on"):
        env.change_plan(me, env.state["accounts"][me]["plan"])
    suspended = [i for i, a in env.state["accounts"].items() if a["status"] != "active"]
    for account_id in suspended[:1]:
        with pytest.raises(ToolError, match="suspended"):
            env.issue_credit(account_id, 1.0, "outage")
    assert env.state == env.task.state  # nothing was changed by the refused calls


# -- the judge -------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_doing_nothing_fails(scenario: str) -> None:
    for task in TASKS[scenario][:5]:
        verdict = TELECOM.score(TELECOM.environment(task), task)
        assert not verdict.correct and verdict.value < 1
        assert not TELECOM.score(None, task).correct


def test_reference_scores_one_everywhere() -> None:
    for task in ALL:
        verdict = TELECOM.score(reference(task), task)
        assert verdict.correct and verdict.value == 1.0, task.task_id


def test_out_of_policy_credits_fail() -> None:
    task = _task("outage-credit")
    me, credit = task.expected["account_id"], task.expected["credit"]
    env = TelecomEnv(task)
    env.issue_credit(me, round(credit + 0.01, 2), "outage")
    assert _failed(env) == {"credit_amount"}
    env = TelecomEnv(task)
    env.issue_credit(_other_active(env), credit, "outage")
    assert _failed(env) == {"credit_to_right_account", "others_unchanged", "credit_amount"}
    env = TelecomEnv(task)
    half = round(credit / 2, 2)
    env.issue_credit(me, half, "outage")
    env.issue_credit(me, round(credit - half, 2), "outage")
    assert _failed(env) == {"one_credit", "credit_amount"}
    env = reference(task)
    assert _failed(env, f"Done. Your PIN is {task.state['accounts'][me]['pin']}.") == {
        "pin_not_disclosed"
    }


def test_a_credit_without_a_qualifying_outage_fails() -> None:
    task = _task("no-outage-credit")
    env = TelecomEnv(task)
    env.issue_credit(task.expected["account_id"], 5.0, "goodwill")
    assert _failed(env) == {"no_credit"}
    assert _failed(reference(task), "Done.") == {"explained"}


def test_wrong_plan_or_credit_on_the_new_price_fails() -> None:
    task = _task("plan-downgrade")
    expected = task.expected
    me, need = expected["account_id"], expected["min_data_gb"]
    env = TelecomEnv(task)
    plans = env.state["plans"]
    current = env.state["accounts"][me]["plan"]
    pricier = [n for n, p in plans.items()
               if p["data_gb"] >= need and n not in (expected["plan"], current)]  # fmt: skip
    hours = [o["hours"] for o in env.check_outages(expected["area"])]
    new_price = policy_credit(plans[expected["plan"]]["monthly_price"], hours)
    env.issue_credit(me, new_price, "outage")  # on the new plan's price: too little
    env.change_plan(me, pricier[0] if pricier else expected["plan"])
    assert _failed(env) == ({"credit_amount", "right_plan"} if pricier else {"credit_amount"})
    env = TelecomEnv(task)
    env.issue_credit(me, expected["credit"], "outage")
    assert _failed(env) == {"right_plan"}  # the credit alone is not the goal


# -- the expert ------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_expert_solves_every_task(scenario: str) -> None:
    for task in TASKS[scenario]:
        model = get_model("expert:telecom").for_task(task)
        result = TELECOM.solvers["L3"](task, model)
        verdict = TELECOM.score(result.answer, task)
        assert verdict.correct, (task.task_id, verdict.metadata)
        assert result.stop_reason == "answered" and result.extra["agent_steps"] <= 8
        assert result.extra["tool_errors"] == 0
        answer = result.answer.answer
        assert not any(s in answer for s in task.expected["secrets"])


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_experts_replies_keep_the_language_policy_and_the_pin(scenario: str) -> None:
    task = _task(scenario, 3)
    policy = LanguagePolicy(primary="en", recap="zh")
    env = TelecomEnv(task)
    instructions = f"{scenario_instructions(env.template)}\n{policy.instruction()}"
    result = run_episode(env, get_model("expert:telecom").for_task(task), instructions=instructions)
    assert RECAP_HEADING in result.answer
    assert language_problems(result.answer, policy) == []
    thoughts = [str(m.get("content") or "") for m in result.messages if m["role"] == "assistant"]
    assert all(thoughts)  # every reply says why it acts
    assert not any(s in " ".join([*thoughts, result.answer]) for s in task.expected["secrets"])
    assert TELECOM.score(env, task).correct


def _observed(task: ScenarioTask, failing: str) -> list[Observed]:
    """The expert's own calls replayed in a fresh environment until ``failing`` errs."""
    env, seen = TelecomEnv(task), []
    while not isinstance(decided := step(task, seen), Final):
        for call in decided.calls:
            if call.tool == failing:
                seen.append(Observed(call.tool, call.arguments, error="Error: service busy"))
                return seen
            value: Any = getattr(env, call.tool)(**call.arguments)
            seen.append(Observed(call.tool, call.arguments, value))
    raise AssertionError(f"{failing} was never called")


def test_after_an_error_the_expert_stops_and_says_what_happened() -> None:
    task = _task("plan-downgrade")
    final = step(task, _observed(task, "find_account"))
    assert isinstance(final, Final) and "service busy" in final.answer
    assert "nothing was changed" in final.answer
    final = step(task, _observed(task, "change_plan"))
    assert isinstance(final, Final)
    assert f"${task.expected['credit']:.2f} was issued" in final.answer
    assert re.search(r"[\u4e00-\u9fff]{4}", final.recap)
