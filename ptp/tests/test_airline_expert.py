"""``expert:airline`` playing the L3 ReAct agent: right on every kind of problem, within the
step budget, acting on the tools' observations."""

from __future__ import annotations

import json

import pytest

from ptp.agents import MAX_ACTIONS
from ptp.models import ModelError, get_model
from ptp.tasks import get_family
from ptp.tasks.airline import (
    AirlineProblem,
    airline_expert,
    compute_total,
    generate,
    l3_step_budget,
    render_template,
    trip_route,
)
from ptp.tasks.airline._generate import generated_route
from ptp.trace import recorder

AIRLINE = get_family("airline")
EXPERT = get_model("expert:airline")
RULEARENA = AIRLINE.read_fixtures("fixtures/airline/airline-c0-rulearena.jsonl")


def _play(problem: AirlineProblem) -> tuple:
    with recorder() as trace:
        result = AIRLINE.solvers["L3"](problem, EXPERT.for_task(problem))
    return result, trace


def _check(problem: AirlineProblem) -> tuple:
    result, trace = _play(problem)
    assert AIRLINE.score(result.answer, problem).value == 1, problem.task_id
    assert result.stop_reason == "answered" and result.extra["tool_errors"] == 0
    assert result.extra["agent_steps"] <= l3_step_budget(problem)
    assert trace.find("llm") and trace.find("tool")
    assert {e.name for e in trace.find("llm")} == {"expert:airline"}
    return result, trace


@pytest.mark.parametrize("style", ["template", "paraphrase"])
@pytest.mark.parametrize("complexity", [0, 1, 2])
def test_generated_problems_score_one_within_the_step_budget(complexity: int, style: str) -> None:
    thoughts = []
    for problem in generate(8, complexity, 31, style):
        _, trace = _check(problem)
        replies = trace.find("llm")
        assert all(len(e.output["tool_calls"]) <= MAX_ACTIONS for e in replies)
        assert all(e.output["text"] for e in replies)  # every reply has a thought
        thoughts += [e.output["text"] for e in replies]
    if complexity:  # some trip has free and paid positions: bags go where they cost least
        assert any("both ways" in t for t in thoughts)


def test_the_real_rulearena_problems_score_one() -> None:
    for problem in RULEARENA:
        _check(problem)


def test_a_run_has_the_five_phases_and_the_final_total_is_the_calculators() -> None:
    problem = RULEARENA[0]  # 4 checked bags: one reply per phase
    result, trace = _check(problem)
    calls = [[c["name"] for c in e.output["tool_calls"]] for e in trace.find("llm")]
    assert calls[0] == ["region_of", "region_of"]
    assert set(calls[1]) == {"base_fee"} and len(calls[1]) == 4
    assert set(calls[2]) == {"oversize_fee", "overweight_fee"}
    assert calls[-2:] == [["calculator"], ["final_answer"]]
    (calculator,) = [e for e in trace.find("tool") if e.name == "calculator"]
    assert "max" not in calculator.inputs["expression"]
    assert result.answer == calculator.output == problem.answer


def test_cities_come_from_the_generator_the_template_or_the_text() -> None:
    template, paraphrase = generate(1, 1, 4, "template")[0], generate(1, 1, 4, "paraphrase")[0]
    route = generated_route(template.task_id, template.info)
    assert route is not None and trip_route(paraphrase) == route
    imported = paraphrase.model_copy(update={"task_id": "imported-7"})
    assert generated_route("imported-7", imported.info) is None
    assert trip_route(imported) == route  # the first two known city names in the text
    other = generate(1, 1, 5, "template")[0]
    assert generated_route(template.task_id, other.info) is None  # not this id's trip
    assert trip_route(RULEARENA[0]) == ("Orlando", "Philadelphia")
    _check(imported)


def _call(name: str, call_id: str, **arguments: object) -> dict:
    function = {"name": name, "arguments": json.dumps(arguments)}
    return {"id": call_id, "type": "function", "function": function}


def test_after_an_error_observation_it_answers_with_the_reference() -> None:
    problem = RULEARENA[0]
    policy = airline_expert(problem)
    messages = [
        {"role": "system", "content": "..."},
        {"role": "user", "content": problem.prompt},
        {"role": "assistant", "content": "x", "tool_calls": [_call("region_of", "a", city="X")]},
        {"role": "tool", "tool_call_id": "a", "content": "Error: unknown city 'X'"},
    ]
    reply = policy(messages, {"tools": []})
    (call,) = reply.tool_calls
    assert call.name == "final_answer" and "reference" in reply.text
    assert json.loads(call.arguments) == {"answer": compute_total(problem.info)}
    with pytest.raises(ModelError, match="'tools' mode"):
        policy(messages, {})


def test_a_trip_outside_the_fee_tables_ends_answered_without_a_total() -> None:
    base = generate(1, 1, 3, "template")[0]
    info = base.info.model_copy(update={"routine": "Cuba", "direction": 0})  # 7 bags to Cuba
    problem = AirlineProblem(
        task_id="cuba-7", prompt=render_template(info, "Sarah", "Miami", "Havana"), info=info,
        answer=0, complexity=1, style="template", source="rulearena",
    )  # fmt: skip
    assert AIRLINE.solvers["L0"](problem, None).stop_reason == "invalid_value"
    result, _ = _play(problem)
    assert result.stop_reason == "answered" and str(result.answer).startswith("no total:")
    assert AIRLINE.score(result.answer, problem).value == 0


@pytest.mark.parametrize("style", ["template", "paraphrase"])
def test_answers_l1_ptool_calls_with_the_facts_as_written(style):
    airline = get_family("airline")
    for problem in [p for c in (0, 1, 2) for p in airline.generate(4, seed=9, complexity=c,
                                                                  style=style)]:  # fmt: skip
        model = get_model("expert:airline").for_task(problem)
        result = airline.solvers["L1"](problem, model)
        assert airline.score(result.answer, problem).correct, problem.task_id


def test_item_readings_keep_the_units_as_written():
    from ptp.tasks.airline._expert_reader import read_item

    problem = next(p for p in get_family("airline").generate(40, seed=2, style="paraphrase")
                   if " cm" in p.prompt and " kg" in p.prompt)  # fmt: skip
    from ptp.tasks.airline._spans import find_item_spans

    readings = [read_item(problem, s.text) for s in find_item_spans(problem.prompt)]
    metric = [r for r in readings if r and r["size_unit"] == "cm"]
    assert metric and all(str(r["size"][0]) in problem.prompt for r in metric)
    assert read_item(problem, "a bag that is not in the text") is None
