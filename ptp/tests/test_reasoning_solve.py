"""Reasoning styles as ptools: prompts, schema-constrained answers per provider, budgets,
solvers and their stop reasons, on fake models (no HTTP)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from ptp.models import ModelCallError
from ptp.tasks.reasoning import (
    ANSWER_RULES,
    SOLVERS,
    STYLES,
    ask_style,
    core_prompt,
    ptool_for,
    score,
    shipped_questions,
)
from ptp.testing import FakeModel


def _reply(answer: str, reasoning: str = "Let me think. 3 * 4 = 12.") -> str:
    return json.dumps({"reasoning": reasoning, "answer": answer})


class FakeCutModel(FakeModel):
    """A fake whose every reply stops at its token budget (finish_reason "length")."""

    def _respond(self, payload: dict[str, Any]) -> Any:
        response = super()._respond(payload)
        response.choices[0].finish_reason = "length"
        return response


class FakeBrokenModel(FakeModel):
    """A fake whose server answers every call with an error status."""

    def _respond(self, payload: dict[str, Any]) -> Any:
        raise ModelCallError("HTTP 400: the prompt is too long")


GSM = shipped_questions("gsm8k")[0]  # gold 14
ARC = shipped_questions("arc_challenge")[0]  # gold A
NLI = shipped_questions("anli")[0]  # gold entailment
YES = shipped_questions("strategy_qa")[0]  # gold no


def test_at_least_six_styles_with_budgets() -> None:
    assert len(STYLES) >= 6
    assert {"step_by_step", "plan_then_solve", "reverse_check", "analogies",
            "equations_first", "concise"} <= set(STYLES)  # fmt: skip
    assert all(128 <= s.max_tokens <= 2048 for s in STYLES.values())
    assert max(s.max_tokens for s in STYLES.values()) >= 1000
    assert STYLES["concise"].max_tokens < STYLES["step_by_step"].max_tokens
    assert set(SOLVERS) == {*STYLES, "reference"}


@pytest.mark.parametrize("style", list(STYLES))
def test_a_style_wraps_the_core_prompt(style: str) -> None:
    system, user = ptool_for(ARC, style).messages(question=core_prompt(ARC))
    assert STYLES[style].instruction in system["content"]
    assert ANSWER_RULES["choice"] in system["content"]
    assert '"enum":["A","B","C","D"]' in system["content"]
    assert user["content"] == f"question: {core_prompt(ARC)}"
    assert "Options:\n(A) luster\n(B) mass" in user["content"]


def test_core_prompts_by_dataset() -> None:
    assert core_prompt(GSM).startswith("Question: Lena buys")
    assert core_prompt(shipped_questions("math")[0]).startswith("Problem: Compute")
    assert core_prompt(NLI).startswith("Premise: The museum")
    assert "\nHypothesis: " in core_prompt(NLI)
    table = shipped_questions("table_mwp")[0]
    assert core_prompt(table).startswith("Table:\nName | Books read\n")


@pytest.mark.parametrize(
    ("spec", "kind"),
    [("local:gemma-3-270m", "json_object"), ("openai:gpt-4o-mini", "json_schema")],
)
def test_the_answer_field_is_schema_constrained_where_the_provider_supports_it(
    spec: str, kind: str
) -> None:
    fake = FakeModel([_reply("A")], spec=spec)
    reply = ask_style(ARC, "concise", fake)
    assert reply.structured and reply.answer == "A"
    (request,) = fake.requests
    fmt = request["response_format"]
    assert fmt["type"] == kind
    schema = fmt["schema"] if kind == "json_object" else fmt["json_schema"]["schema"]
    assert list(schema["properties"]) == ["reasoning", "answer"]
    assert schema["properties"]["answer"]["enum"] == ["A", "B", "C", "D"]
    assert request["max_tokens"] == STYLES["concise"].max_tokens
    assert request["temperature"] == 0


def test_label_schemas_by_kind() -> None:
    for task, enum in [(NLI, ["entailment", "neutral", "contradiction"]), (YES, ["yes", "no"])]:
        fake = FakeModel([_reply(enum[0])])
        ask_style(task, "step_by_step", fake)
        schema = fake.requests[0]["response_format"]["schema"]
        assert schema["properties"]["answer"]["enum"] == enum
    fake = FakeModel([_reply("14")])
    ask_style(GSM, "step_by_step", fake)
    assert fake.requests[0]["response_format"]["schema"]["properties"]["answer"] == {
        "description": "the final answer only",
        "type": "string",
    }


def test_a_prose_reply_is_read_as_text_without_a_reask() -> None:
    fake = FakeModel(["First 3 * 4 = 12, then 12 + 2 = 14. The answer is 14."])
    reply = ask_style(GSM, "step_by_step", fake)
    assert not reply.structured and reply.reasoning is None
    assert reply.answer == reply.response and len(fake.requests) == 1
    assert score(reply.answer, GSM).correct


def test_usage_and_messages_are_kept() -> None:
    fake = FakeModel([_reply("14")])
    reply = ask_style(GSM, "plan_then_solve", fake)
    assert reply.prompt_tokens > 0 and reply.completion_tokens > 0
    assert reply.messages == fake.requests[0]["messages"]
    assert reply.finish_reason == "stop" and reply.error is None


@pytest.mark.parametrize("style", list(STYLES))
def test_every_style_solver_answers_and_scores(style: str) -> None:
    result = SOLVERS[style](GSM, FakeModel([_reply("14")]))
    assert result.stop_reason == "answered" and result.answer == "14"
    assert result.extra == {"structured": 1, "reasoning_chars": 25}
    assert score(result.answer, GSM).correct


def test_solver_stop_reasons() -> None:
    cut = SOLVERS["analogies"](GSM, FakeCutModel(['{"reasoning": "Similar problems: 3 * 4 =']))
    assert (cut.stop_reason, cut.finish_reason) == ("length", "length")
    assert cut.extra["structured"] == 0
    broken = SOLVERS["concise"](GSM, FakeBrokenModel([]))
    assert broken.stop_reason == "model_error" and broken.answer is None
    assert "HTTP 400" in broken.failure
    empty = SOLVERS["concise"](GSM, FakeModel([""]))
    assert empty.stop_reason == "parse_failure"
    with pytest.raises(ValueError, match="needs a model"):
        SOLVERS["concise"](GSM, None)


def test_the_reference_solver_needs_no_model() -> None:
    for task in (GSM, ARC, NLI, YES):
        result = SOLVERS["reference"](task, None)
        assert score(result.answer, task).correct


def test_unknown_style() -> None:
    with pytest.raises(KeyError):
        ask_style(GSM, "telepathy", SimpleNamespace())
