"""``expert:<family>`` model specs: parsing, binding, the llm events, report labels, and the
pytest plugin binding an expert to each eval case's task."""

from __future__ import annotations

import json

import pytest

from ptp.agents import choose_mode
from ptp.errors import SpecError
from ptp.models import (
    ExpertModel,
    ExpertNotBoundError,
    ModelError,
    capabilities,
    get_model,
    model_note,
    parse_spec,
)
from ptp.report._rows import shown_value
from ptp.results import read_results
from ptp.tasks import families, get_family
from ptp.tasks.airline import generate, parse_route
from ptp.trace import recorder

PROBLEM = generate(1, 0, 5, "template")[0]
HELLO = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": PROBLEM.prompt}]
TOOLS = [{"type": "function", "function": {"name": "region_of", "parameters": {}}}]


def test_expert_specs_parse_and_name_their_family() -> None:
    spec = parse_spec("expert:airline")
    assert (spec.provider, spec.name, spec.spec) == ("expert", "airline", "expert:airline")
    assert spec.slug == "expert-airline"  # a case id never reads as if "airline" were a model
    with pytest.raises(SpecError, match=r"'expert:' lacks a family name; e\.g\. expert:airline"):
        parse_spec("expert:")
    with pytest.raises(SpecError, match=r"expert:<family>"):
        parse_spec("teacher:airline")


def test_unknown_family_or_none_with_an_expert_lists_the_experts() -> None:
    experts = [f"expert:{n}" for n, f in families().items() if f.expert is not None]
    assert {"expert:airline", "expert:knapsack"} <= set(experts)
    with pytest.raises(SpecError, match="no such task family; the expert policies are ") as err:
        get_model("expert:chess")
    assert all(e in str(err.value) for e in experts)


def test_experts_call_tools_natively_and_send_no_schema() -> None:
    model = get_model("expert:airline")
    assert isinstance(model, ExpertModel) and choose_mode(model) == "tools"
    assert capabilities("expert:knapsack").response_format({"type": "object"}, "x") is None


def test_an_unbound_expert_says_how_to_bind_it() -> None:
    model = get_model("expert:airline", defaults={"seed": 3}, replay=True, api_key="k")
    with pytest.raises(ExpertNotBoundError, match=r"model\.for_task\(task\)"):
        model.chat(HELLO)
    bound = model.for_task(PROBLEM)
    assert bound is not model and bound.task is PROBLEM and model.task is None
    assert bound.defaults == {"seed": 3}
    with pytest.raises(TypeError, match="not a AirlineProblem"):
        model.for_task({"task_id": "x"})
    knapsack = get_family("knapsack").read_fixtures("fixtures/knapsack/knapsack-easy.jsonl")[0]
    with pytest.raises(TypeError, match="pass a task of the airline family"):
        model.for_task(knapsack)
    with pytest.raises(ModelError, match="answers chats only"):
        bound.complete("Hi")


def test_each_reply_is_an_llm_event_that_spends_nothing() -> None:
    model = get_model("expert:airline", defaults={"seed": 3}).for_task(PROBLEM)
    with recorder() as trace:
        reply = model.chat(HELLO, tools=TOOLS, temperature=0)
    assert reply.model == "expert:airline" and reply.finish_reason == "tool_calls"
    assert (reply.prompt_tokens, reply.completion_tokens, reply.cost_usd) == (0, 0, 0.0)
    assert reply.latency_s == 0.0 and [c.name for c in reply.tool_calls] == ["region_of"] * 2
    (event,) = trace.find("llm")
    assert event.name == "expert:airline" and event.error is None
    assert event.inputs == {"messages": HELLO, "seed": 3, "tools": TOOLS, "temperature": 0}
    assert event.output["text"] == reply.text
    calls = [json.loads(c["arguments"]) for c in event.output["tool_calls"]]
    assert calls == [{"city": c} for c in parse_route(PROBLEM.prompt)]
    assert (event.usage.prompt_tokens, event.usage.completion_tokens) == (0, 0)
    assert (event.cost_usd, event.latency_s) == (0.0, 0.0)
    totals = trace.totals()
    assert (totals.llm_calls, totals.cost_usd, totals.latency_s) == (1, 0.0, 0.0)


def test_reports_label_an_expert_as_not_a_model() -> None:
    assert model_note("expert:airline") == "expert policy, not a model"
    assert model_note("local:gemma-3-270m") is None and model_note("") is None
    labelled = "expert:airline (expert policy, not a model)"
    assert shown_value("model", "expert:airline") == labelled
    assert shown_value("level", "expert:airline") == "expert:airline"
    assert shown_value("model", "openai:gpt-4o-mini") == "openai:gpt-4o-mini"


GRID = """
import pytest
from ptp.tasks import get_family
from ptp.tasks.airline import generate

AIRLINE = get_family("airline")

@pytest.mark.ptp_grid(suite="airline", axes={"level": ["L3"]},
                      tasks=lambda cell: generate(2, 0, 9, "paraphrase"),
                      models=["expert:airline"])
def test_expert(ptp_case, ptp_eval):
    with ptp_eval.recording():
        result = AIRLINE.solvers[ptp_case["level"]](ptp_case.task, ptp_eval.model)
    verdict = AIRLINE.score(result.answer, ptp_case.task)
    ptp_eval.score(verdict, family="airline", **result.row_extra())
"""


def test_the_plugin_binds_an_expert_to_each_cases_task(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("from ptp.pytest_plugin import vcr_cassette_dir, vcr_config")
    pytester.makepyfile(test_grid=GRID)
    result = pytester.runpytest_subprocess("--ptp-results", "r", "-n", "0")
    result.assert_outcomes(passed=2)
    rows = read_results(pytester.path / "r")
    assert [r.case_id for r in rows] == [
        "L3-expert-airline-gen-p-c0-s9-000",
        "L3-expert-airline-gen-p-c0-s9-001",
    ]
    for row in rows:
        assert row.model == "expert:airline" and row.correct and row.error is None
        assert row.extra["stop_reason"] == "answered" and row.llm_calls >= 4
        assert (row.prompt_tokens, row.completion_tokens, row.cost_usd) == (0, 0, 0.0)
    assert "expert:airline (expert policy, not a model)" in result.stdout.str()
