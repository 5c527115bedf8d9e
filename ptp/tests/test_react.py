"""The ReAct agent's loop: action forms, ordering, stop reasons, and native tool calls through
the real openai SDK over a mock HTTP transport (no network)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

import httpx2
import openai
import pytest

from ptp.agents import FINAL, ReActAgent, actions_schema, choose_mode, tool_definitions
from ptp.models import Completion, Model, parse_spec
from ptp.models._completion import ToolCall
from ptp.testing import FakeModel
from ptp.tools import Tool, ToolError
from ptp.trace import recorder

Call = tuple[str, dict[str, Any]]


class TextModel:
    """A model without a ``spec`` (so the agent uses text mode) replaying scripted texts."""

    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []

    def chat(self, messages: list[dict[str, Any]], **params: Any) -> Completion:
        self.requests.append({"messages": [dict(m) for m in messages], **params})
        text = self.replies.pop(0)
        return Completion(text, 100, 10, None, None, "fake", "stop")


def make_tools(log: list[str]) -> list[Tool]:
    """add, fail (always raises) and echo; each call is logged in order."""

    def add(a: int, b: int) -> int:
        """Add two integers."""
        log.append(f"add({a}, {b})")
        return a + b

    def fail(reason: str) -> int:
        """Always refuses."""
        log.append("fail")
        raise ToolError(f"refused: {reason}")

    def echo(word: Literal["x", "y"], times: float = 1.0) -> str:
        """Echo a word."""
        log.append(f"echo({word})")
        return word * int(times)

    return [Tool.from_function(f) for f in (add, fail, echo)]


def json_reply(*calls: Call) -> str:
    actions = [{"tool": name, "arguments": args} for name, args in calls]
    return json.dumps({"thought": "go", "actions": actions})


# -- a real openai client on a mock transport -------------------------------------------------
def chat_response(content: str | None, calls: list[Call] = (), prompt_tokens: int = 50) -> dict:
    """An OpenAI chat.completion body with ``content`` and native ``calls``."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if calls:
        message["tool_calls"] = [
            {
                "id": f"call_{n}_{name}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)},
            }
            for n, (name, args) in enumerate(calls)
        ]
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "test",
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if calls else "stop",
            }
        ],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 20, "total_tokens": 70},
    }


def mock_model(spec: str, respond: Callable[[dict[str, Any]], dict]) -> tuple[Model, list[dict]]:
    """A real :class:`Model` whose openai client sends every request to ``respond(body)``.

    Returns the model and the list of request bodies it sent (appended as they go).
    """
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        bodies.append(body)
        return httpx2.Response(200, json=respond(body))

    model = Model(parse_spec(spec), api_key="test", max_retries=0)
    client = openai.OpenAI(
        api_key="test",
        base_url="http://mock.test/v1",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    model.__dict__["_client"] = client  # the cached_property's slot
    return model, bodies


def scripted(replies: list[dict]) -> Callable[[dict[str, Any]], dict]:
    queue = list(replies)
    return lambda body: queue.pop(0)


# -- modes and schemas ------------------------------------------------------------------------
def test_mode_follows_the_providers_capabilities() -> None:
    assert choose_mode(FakeModel([], spec="openai:gpt-4o-mini")) == "tools"
    assert choose_mode(FakeModel([], spec="together:meta/llama")) == "tools"
    assert choose_mode(FakeModel([])) == "json"  # local:gemma-3-270m
    assert choose_mode(FakeModel([], spec="vllm:http://h:8000/v1#m")) == "json"
    assert choose_mode(TextModel([])) == "text"


def test_tool_parameters_come_from_the_annotations() -> None:
    add, _, echo = make_tools([])
    assert add.parameters == {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
        "additionalProperties": False,
    }
    assert echo.parameters["properties"] == {
        "word": {"enum": ["x", "y"]},
        "times": {"type": "number"},
    }
    assert echo.parameters["required"] == ["word"]


def test_schema_bounds_the_actions_and_names_each_tool() -> None:
    tools = make_tools([])
    schema = actions_schema(tools, 5)
    actions = schema["properties"]["actions"]
    assert (actions["minItems"], actions["maxItems"]) == (1, 5)
    variants = actions["items"]["anyOf"]
    assert [v["properties"]["tool"]["enum"] for v in variants] == [
        ["add"],
        ["fail"],
        ["echo"],
        [FINAL],
    ]
    assert variants[0]["properties"]["arguments"] == tools[0].parameters
    names = [d["function"]["name"] for d in tool_definitions(tools)]
    assert names == ["add", "fail", "echo", FINAL]


def test_schema_converts_to_a_llama_cpp_grammar() -> None:
    grammar = pytest.importorskip("llama_cpp.llama_grammar")
    gbnf = grammar.json_schema_to_gbnf(json.dumps(actions_schema(make_tools([]), 3)))
    assert '"\\"add\\""' in gbnf and "root ::=" in gbnf


# -- running actions --------------------------------------------------------------------------
def test_json_reply_runs_several_actions_in_order_and_sends_the_schema() -> None:
    log: list[str] = []
    reply = json_reply(("echo", {"word": "y"}), ("add", {"a": 2, "b": 3}), ("echo", {"word": "x"}))
    model = FakeModel([reply, json_reply((FINAL, {"answer": 5}))])
    result = ReActAgent(model, make_tools(log), "Add.").run("task")
    assert log == ["echo(y)", "add(2, 3)", "echo(x)"]
    assert (result.stop_reason, result.answer, result.steps, result.tool_calls) == (
        "final_answer",
        5,
        2,
        3,
    )
    observation = result.messages[3]["content"]
    assert observation == (
        "Observation:\n1. echo(word='y') -> 'y'\n2. add(a=2, b=3) -> 5\n3. echo(word='x') -> 'x'"
    )
    form = model.requests[0]["response_format"]
    assert (
        form["type"] == "json_object" and form["schema"]["properties"]["actions"]["maxItems"] == 8
    )
    assert "stop" not in model.requests[0]


def test_final_answer_among_actions_ends_the_run_and_skips_the_rest() -> None:
    log: list[str] = []
    reply = json_reply(("add", {"a": 1, "b": 1}), (FINAL, {"answer": 2}), ("add", {"a": 9, "b": 9}))
    result = ReActAgent(FakeModel([reply]), make_tools(log), "Add.").run("task")
    assert (result.stop_reason, result.answer, result.steps) == ("final_answer", 2, 1)
    assert log == ["add(1, 1)"]


def test_unknown_tool_is_an_error_observation_and_the_run_goes_on() -> None:
    log: list[str] = []
    replies = [
        "Thought: x\nAction: multiply(a=2, b=3)",
        "Thought: x\nAction: add(a=2, b=3)",
        "Thought: x\nAction: final_answer(5)",
    ]
    model = TextModel(replies)
    result = ReActAgent(model, make_tools(log), "Add.").run("task")
    observation = model.requests[1]["messages"][-1]["content"]
    assert observation.startswith("Observation: Error: unknown tool 'multiply'; the tools are add")
    assert (result.stop_reason, result.answer) == ("final_answer", 5)
    assert (result.tool_calls, result.tool_errors, result.parse_errors) == (2, 1, 0)
    assert model.requests[0]["stop"] == ["Observation:"] and "tools" not in model.requests[0]


def test_step_limit_in_text_mode() -> None:
    replies = ["Thought: x\nAction: add(a=1, b=1)"] * 4
    result = ReActAgent(TextModel(replies), make_tools([]), "Add.", max_steps=4).run("task")
    assert (result.stop_reason, result.steps, result.answer) == ("step_limit", 4, None)


def test_parse_failure_after_three_unreadable_replies_in_a_row() -> None:
    replies = ["I think", "Thought: x\nAction: add(a=1, b=1)", "hmm", "Action: add(", "no idea"]
    result = ReActAgent(TextModel(replies), make_tools([]), "Add.", max_steps=10).run("task")
    assert (result.stop_reason, result.steps, result.parse_errors) == ("parse_failure", 5, 4)
    assert result.messages[-1]["content"].startswith("Observation: Error: ")


def test_tool_error_after_three_failing_replies_in_a_row() -> None:
    log: list[str] = []
    bad = "Thought: x\nAction: fail(reason='no')"
    replies = [bad, bad, "Thought: x\nAction: add(a=1, b=1)", bad, bad, bad]
    result = ReActAgent(TextModel(replies), make_tools(log), "Add.", max_steps=10).run("task")
    assert (result.stop_reason, result.steps) == ("tool_error", 6)
    assert (result.tool_calls, result.tool_errors) == (6, 5)
    assert "Observation: Error: refused: no" in result.messages[-1]["content"]


def test_token_limit_and_model_error() -> None:
    replies = ["Thought: x\nAction: add(a=1, b=1)"] * 3
    capped = ReActAgent(TextModel(replies), make_tools([]), "Add.", max_tokens=200).run("task")
    assert (capped.stop_reason, capped.steps, capped.tokens) == ("token_limit", 2, 220)
    broken = ReActAgent(FakeModel([]), make_tools([]), "Add.").run("task")  # runs out of replies
    assert (broken.stop_reason, broken.steps, broken.answer) == ("model_error", 1, None)
    assert "ran out of scripted replies" in broken.error


def test_json_mode_reads_a_text_action_and_says_when_a_reply_was_cut() -> None:
    result = ReActAgent(FakeModel(["Action: final_answer(3)"]), make_tools([]), "x").run("t")
    assert (result.stop_reason, result.answer) == ("final_answer", 3)

    class Cut(FakeModel):
        def _respond(self, payload: dict[str, Any]) -> Any:
            response = super()._respond(payload)
            response.choices[0].finish_reason = "length"
            return response

    cut = ReActAgent(Cut(['{"thought": "a", "actions": [{"to'] * 3), make_tools([]), "x").run("t")
    assert cut.stop_reason == "parse_failure"
    assert "cut at max_tokens" in cut.messages[-1]["content"]


# -- native tool calls through the openai SDK -------------------------------------------------
def test_completion_carries_the_sdks_tool_calls() -> None:
    calls = [("add", {"a": 1, "b": 2}), ("echo", {"word": "x"})]
    model, bodies = mock_model("openai:gpt-4o-mini", scripted([chat_response(None, calls)]))
    with recorder() as trace:
        reply = model.chat([{"role": "user", "content": "hi"}], tools=[])
    assert reply.text == "" and reply.finish_reason == "tool_calls"
    assert reply.tool_calls == (
        ToolCall("call_0_add", "add", '{"a": 1, "b": 2}'),
        ToolCall("call_1_echo", "echo", '{"word": "x"}'),
    )
    assert trace.find("llm")[0].output["tool_calls"][1]["name"] == "echo"
    assert bodies[0]["model"] == "gpt-4o-mini"
    plain, _ = mock_model("openai:gpt-4o-mini", scripted([chat_response("hello")]))
    assert plain.chat([{"role": "user", "content": "hi"}]).tool_calls == ()


def test_native_calls_are_answered_by_tool_messages_in_order() -> None:
    log: list[str] = []
    replies = [
        chat_response(
            "thinking", [("add", {"a": 1, "b": 2}), ("nope", {}), ("echo", {"word": "y"})]
        ),
        chat_response(
            None, [("add", {"a": 3, "b": 3}), (FINAL, {"answer": 6}), ("fail", {"reason": "z"})]
        ),
    ]
    model, bodies = mock_model("openai:gpt-4o-mini", scripted(replies))
    result = ReActAgent(model, make_tools(log), "Add.").run("task")
    assert (result.stop_reason, result.answer, result.steps) == ("final_answer", 6, 2)
    assert log == ["add(1, 2)", "echo(y)", "add(3, 3)"]
    assert [d["function"]["name"] for d in bodies[0]["tools"]] == ["add", "fail", "echo", FINAL]
    assert "response_format" not in bodies[0] and "stop" not in bodies[0]
    sent = bodies[1]["messages"]
    assert sent[2]["tool_calls"][1]["function"]["name"] == "nope"
    tool_messages = [(m["tool_call_id"], m["content"]) for m in sent[3:]]
    assert tool_messages[0] == ("call_0_add", "3") and tool_messages[2] == ("call_2_echo", "'y'")
    assert tool_messages[1][0] == "call_1_nope" and "unknown tool 'nope'" in tool_messages[1][1]
    assert (result.tool_calls, result.tool_errors) == (4, 1)


def test_native_mode_without_a_call_or_with_bad_arguments() -> None:
    bad = chat_response(None, [("add", {"a": 1, "b": 2})])
    bad["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = "{a: 1"
    replies = [chat_response("I am not sure."), bad, chat_response("Action: final_answer(1)")]
    model, bodies = mock_model("openai:gpt-4o-mini", scripted(replies))
    result = ReActAgent(model, make_tools([]), "Add.").run("task")
    assert (result.stop_reason, result.answer, result.parse_errors) == ("final_answer", 1, 2)
    assert bodies[1]["messages"][-1]["content"].startswith("Observation: Error: no tool call")
    last = bodies[2]["messages"][-1]
    assert last["role"] == "tool" and "not JSON" in last["content"]
