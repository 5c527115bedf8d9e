"""L3 on the airline task: the step budget rule, and a complexity-2 problem (10 checked bags)
finished within its budget by a scripted sequence of correct tool calls, in each action form:
native tool calls and JSON actions through the real openai SDK on a mock transport, and text
lines."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ptp.agents import FINAL
from ptp.tasks.airline import (
    AirlineProblem,
    Bag,
    TripInfo,
    bag_charges,
    compute_total,
    generate,
    score,
)
from ptp.tasks.airline._l3 import (
    L3_REPLY_TOKENS,
    L3_STEP_RULE,
    L3_TOKENS_PER_STEP,
    l3_step_budget,
    l3_token_budget,
    solve_level3,
)
from ptp.tests.test_react import TextModel, chat_response, mock_model

Call = tuple[str, dict[str, Any]]

# (length, width, height, weight): sizes and weights around every fee threshold
_BAGS = [
    (30, 20, 10, 45), (40, 15, 9, 52), (45, 30, 25, 60), (28, 20, 14, 75), (36, 16, 12, 51),
    (50, 30, 20, 48), (24, 16, 10, 71), (33, 22, 9, 53), (40, 25, 20, 95), (30, 18, 12, 40),
]  # fmt: skip


def ten_bag_problem() -> AirlineProblem:
    """A complexity-2 trip built by hand (10 checked bags, two of them complimentary)."""
    bags = [Bag(id=1, name="backpack", size=(20, 12, 8), weight=9)]
    bags += [
        Bag(id=i, name="luggage box", size=(ln, w, h), weight=kg)
        for i, (ln, w, h, kg) in enumerate(_BAGS, 2)
    ]
    info = TripInfo(
        base_price=640, customer_class="Business", routine="Europe", direction=0, bag_list=bags
    )
    lines = [f"{n}. A {b.name}: {' x '.join(map(str, b.size))} inches, {b.weight} lbs;"
             for n, b in enumerate(bags, 1)]  # fmt: skip
    prompt = (
        "Priya is a Business Class passenger flying from Chicago to Paris with the following "
        "items:\n" + "\n".join(lines) + "\nPriya's flight ticket is $640."
    )
    return AirlineProblem(
        task_id="test-c2-10-bags", prompt=prompt, info=info, answer=compute_total(info),
        complexity=2, style="template", source="test",
    )  # fmt: skip


def correct_calls(problem: AirlineProblem, city: str) -> list[Call]:
    """What a careful agent calls: the region, three fees per bag, the sum, the answer."""
    info, region = problem.info, problem.info.routine
    cls = info.customer_class
    calls: list[Call] = [("region_of", {"city": city})]
    parts = [str(info.base_price)]
    for bag, charge in zip(info.bag_list[1:], bag_charges(info), strict=True):
        length, width, height = bag.size
        calls += [
            ("base_fee", {"bag_position": charge.position, "region": region,
                          "customer_class": cls, "direction": info.direction}),
            ("oversize_fee", {"length": length, "width": width, "height": height,
                              "region": region}),
            ("overweight_fee", {"weight": bag.weight, "region": region, "customer_class": cls,
                                "complimentary": charge.base == 0}),
        ]  # fmt: skip
        parts.append(f"{charge.base} + {max(charge.oversize, charge.overweight)}")
    calls.append(("calculator", {"expression": " + ".join(parts)}))
    calls.append((FINAL, {"answer": problem.answer}))
    return calls


def chunks(calls: list[Call], size: int) -> list[list[Call]]:
    """The region first, then the fee calls ``size`` at a time, then the sum, then the answer."""
    fees = calls[1:-2]
    return [
        calls[:1],
        *(fees[i : i + size] for i in range(0, len(fees), size)),
        *([c] for c in calls[-2:]),
    ]


def text_line(call: Call) -> str:
    name, args = call
    return f"Thought: next\nAction: {name}({', '.join(f'{k}={v!r}' for k, v in args.items())})"


def test_step_budget_rule_is_three_replies_a_checked_bag_plus_five() -> None:
    problem = ten_bag_problem()
    assert l3_step_budget(problem) == 35 == l3_step_budget(problem.info)
    assert eval(L3_STEP_RULE, {"checked_bags": 10}) == 35  # the words say what the code does
    carry_on_only = problem.info.model_copy(update={"bag_list": problem.info.bag_list[:1]})
    assert l3_step_budget(carry_on_only) == 5
    assert l3_token_budget(35) == 35 * L3_TOKENS_PER_STEP
    # a correct one-action-a-reply run fits with two replies to spare
    assert len(correct_calls(problem, "Paris")) == l3_step_budget(problem) - 2


def test_generated_complexity_2_problems_get_their_own_budget() -> None:
    for problem in generate(4, complexity=2, seed=3):
        assert l3_step_budget(problem) == 3 * (len(problem.info.bag_list) - 1) + 5


@pytest.mark.parametrize(
    ("spec", "size"),
    [("openai:gpt-4o-mini", 1), ("openai:gpt-4o-mini", 8),
     ("local:gemma-3-270m", 1), ("local:gemma-3-270m", 8)],
    ids=["tools-1", "tools-8", "json-1", "json-8"],
)  # fmt: skip
def test_l3_finishes_ten_bags_within_budget_over_http(spec: str, size: int) -> None:
    problem = ten_bag_problem()
    replies = chunks(correct_calls(problem, "Paris"), size)
    native = spec.startswith("openai")

    def respond(body: dict[str, Any]) -> dict:
        assert body["max_tokens"] == L3_REPLY_TOKENS
        assert ("tools" in body) == native and ("response_format" in body) != native
        calls = replies.pop(0)
        if native:
            return chat_response(None, calls)
        return chat_response(json.dumps({"thought": "next", "actions": [
            {"tool": name, "arguments": args} for name, args in calls]}))  # fmt: skip

    model, bodies = mock_model(spec, respond)
    result = solve_level3(problem, model)
    assert (result.stop_reason, result.answer) == ("answered", problem.answer)
    assert score(result.answer, problem).correct
    steps = len(bodies)
    assert steps == (33 if size == 1 else 7) and steps <= result.extra["step_budget"] == 35
    assert result.extra == {
        "step_budget": 35, "agent_steps": steps, "agent_tool_calls": 32,
        "tool_errors": 0, "parse_errors": 0,
    }  # fmt: skip
    observations = [m["content"] for m in bodies[-1]["messages"][2:] if m["role"] != "assistant"]
    assert observations and not any("Error" in text for text in observations)
    assert observations[-1].endswith(repr(float(problem.answer)))  # the tools' own sum agrees
    if native:  # every call was answered by its own tool message
        assert len(observations) == 32 and bodies[1]["messages"][-1]["content"] == "'Europe'"
    if native:
        final = bodies[0]["tools"][-1]["function"]
    else:
        assert bodies[0]["response_format"]["type"] == "json_object"
        final = bodies[0]["response_format"]["schema"]["properties"]["actions"]["items"]
        final = {"name": FINAL, "parameters": final["anyOf"][-1]["properties"]["arguments"]}
    # a number, not a string a small model could fill with digits until the reply is cut
    assert final["name"] == FINAL and final["parameters"]["properties"]["answer"] == {
        "type": "number"
    }


def test_l3_finishes_ten_bags_in_text_mode_one_action_a_reply() -> None:
    problem = ten_bag_problem()
    model = TextModel([text_line(c) for c in correct_calls(problem, "Paris")])
    result = solve_level3(problem, model)
    assert (result.stop_reason, result.answer, result.extra["agent_steps"]) == (
        "answered", problem.answer, 33,
    )  # fmt: skip
    assert model.requests[0]["max_tokens"] == L3_REPLY_TOKENS


def test_l3_stops_at_its_derived_budget_and_reports_why() -> None:
    problem = ten_bag_problem()
    looping = TextModel([text_line(("calculator", {"expression": "1+1"}))] * 40)
    result = solve_level3(problem, looping)
    assert (result.stop_reason, result.failure, result.answer) == ("step_limit", "step_limit", None)
    assert len(looping.requests) == 35 == result.extra["agent_steps"]

    unknown = solve_level3(problem, TextModel(["Action: wing_fee(bag=1)"] * 3))
    assert (unknown.stop_reason, unknown.extra["tool_errors"]) == ("tool_error", 3)
    garbled = solve_level3(problem, TextModel(["Let me think."] * 3))
    assert (garbled.stop_reason, garbled.extra["parse_errors"]) == ("parse_failure", 3)
