"""Constrained decoding: a ptool sends its return type's schema as ``response_format``."""

import asyncio
import json
from dataclasses import dataclass, field
from enum import Enum
from types import SimpleNamespace
from typing import Any, Literal

import httpx
import pytest
from openai import OpenAI
from pydantic import BaseModel, Field

import ptp
from ptp.models import Model, ModelSpec, capabilities, parse_spec
from ptp.models._capabilities import strict_schema
from ptp.ptool import ptool, ptool_overrides
from ptp.tasks._family import watch_replies
from ptp.testing import FakeModel

SPECS = {
    "local": ModelSpec("local", "gemma-3-270m", "http://127.0.0.1:8765/v1"),
    "openai": ModelSpec("openai", "gpt-4o-mini"),
    "vllm": ModelSpec("vllm", "Qwen/Qwen2.5-1.5B-Instruct", "http://127.0.0.1:8000/v1"),
    "together": ModelSpec("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo"),
}


@dataclass
class FakeChat:
    """A model that records the params of every call and answers from a script."""

    replies: list[str]
    spec: Any = None
    defaults: dict[str, Any] = field(default_factory=dict)
    calls: list[dict[str, Any]] = field(default_factory=list)

    def chat(self, messages: list[dict[str, str]], **params: Any) -> Any:
        self.calls.append(params)
        return SimpleNamespace(text=self.replies.pop(0))

    async def achat(self, messages: list[dict[str, str]], **params: Any) -> Any:
        return self.chat(messages, **params)


class Trip(BaseModel):
    cabin: str
    bags: int


TRIP_SCHEMA = {
    "properties": {"cabin": {"type": "string"}, "bags": {"type": "integer"}},
    "required": ["cabin", "bags"],
    "type": "object",
}
TRIP_REPLY = '{"cabin": "Main", "bags": 3}'


def extract_tool(model: Any, **options: Any) -> Any:
    @ptool(model=model, **options)
    def extract(text: str) -> Trip:
        """Read the cabin and the number of bags."""

    return extract


def sent(tool: Any, provider: str, reply: str) -> Any:
    """The response_format one call of ``tool`` through a ``provider`` model sends (or None)."""
    fake = FakeChat([reply], spec=SPECS[provider])
    tool.options(model=fake)("x")
    return fake.calls[0].get("response_format")


def test_each_provider_gets_its_own_form():
    extract = extract_tool(None)
    assert sent(extract, "local", TRIP_REPLY) == {"type": "json_object", "schema": TRIP_SCHEMA}
    strict = {**TRIP_SCHEMA, "additionalProperties": False}
    assert sent(extract, "openai", TRIP_REPLY) == {
        "type": "json_schema",
        "json_schema": {"name": "extract", "schema": strict, "strict": True},
    }
    plain = {"type": "json_schema", "json_schema": {"name": "extract", "schema": TRIP_SCHEMA}}
    assert sent(extract, "vllm", TRIP_REPLY) == plain
    assert sent(extract, "together", TRIP_REPLY) == plain


class Color(Enum):
    RED = "red"
    BLUE = "blue"


@pytest.mark.parametrize(
    ("tp", "reply", "schema"),
    [
        (int, "42", {"type": "integer"}),
        (bool, "true", {"type": "boolean"}),
        (Literal["yes", "no"], '"no"', {"enum": ["yes", "no"], "type": "string"}),
        (Color, '"blue"', {"enum": ["red", "blue"], "type": "string"}),
        (list[int], "[1]", {"items": {"type": "integer"}, "type": "array"}),
    ],
)
def test_non_object_returns_go_only_where_any_root_is_taken(tp, reply, schema):
    def stub(text: str): ...

    stub.__annotations__["return"] = tp
    stub.__doc__ = "Answer."
    tool = ptool(stub)
    assert sent(tool, "local", reply) == {"type": "json_object", "schema": schema}
    assert sent(tool, "vllm", reply)["json_schema"]["schema"] == schema
    assert sent(tool, "openai", reply) is None  # strict mode needs an object root
    assert sent(tool, "together", reply) is None


def test_a_str_return_is_never_constrained():
    @ptool
    def summarize(text: str) -> str:
        """Summarize."""

    for provider in SPECS:
        assert sent(summarize, provider, "short") is None


def test_no_spec_no_structured_output():
    fake = FakeChat([TRIP_REPLY])  # a test double without a spec
    extract_tool(fake)("x")
    odd = FakeChat([TRIP_REPLY], spec=object())  # a spec that is not one
    extract_tool(odd)("x")
    assert "response_format" not in fake.calls[0] and "response_format" not in odd.calls[0]


def test_a_wrapper_that_forwards_attributes_is_seen_through():
    fake = FakeModel([TRIP_REPLY])
    extract_tool(watch_replies(fake))("x")
    assert fake.requests[0]["response_format"] == {"type": "json_object", "schema": TRIP_SCHEMA}


def test_opt_out_on_the_decorator_and_per_variant():
    assert sent(extract_tool(None, structured=False), "local", TRIP_REPLY) is None
    extract = extract_tool(None)
    assert sent(extract.options(structured=False), "openai", TRIP_REPLY) is None
    off = extract_tool(None, structured=False)
    assert sent(off.options(structured=True), "local", TRIP_REPLY) is not None


def test_an_explicit_response_format_wins():
    mine = {"type": "json_object"}
    assert sent(extract_tool(None, response_format=mine), "local", TRIP_REPLY) == mine
    extract = extract_tool(None)
    with ptool_overrides(params={"response_format": mine}):
        assert sent(extract, "openai", TRIP_REPLY) == mine
    with ptool_overrides(params={"response_format": None}):  # None: send none at all
        assert sent(extract, "local", TRIP_REPLY) is None
    fake = FakeChat([TRIP_REPLY], spec=SPECS["local"], defaults={"response_format": mine})
    extract.options(model=fake)("x")
    assert "response_format" not in fake.calls[0]  # the model sends its own default


def test_computed_once_per_ptool(monkeypatch):
    import ptp.ptool._ptool as module

    seen: list[Any] = []
    real = module.structured_schema
    monkeypatch.setattr(module, "structured_schema", lambda tp: seen.append(tp) or real(tp))
    fake = FakeChat([TRIP_REPLY] * 3, spec=SPECS["local"])
    extract = extract_tool(fake)
    for _ in range(3):
        extract("x")
    assert seen == [Trip]
    assert fake.calls[0]["response_format"] is fake.calls[2]["response_format"]


def test_reask_keeps_the_format_and_the_trace_shows_it():
    fake = FakeModel(["no idea", TRIP_REPLY])
    extract = extract_tool(fake)
    with ptp.recorder() as trace:
        assert extract("Main, 3 bags") == Trip(cabin="Main", bags=3)
    expected = {"type": "json_object", "schema": TRIP_SCHEMA}
    assert [r["response_format"] for r in fake.requests] == [expected, expected]
    assert [e.inputs["response_format"] for e in trace.find("llm")] == [expected, expected]
    assert "Reply with only a JSON value matching this JSON schema" in extract.system


def test_async_calls_send_it_too():
    fake = FakeChat([TRIP_REPLY], spec=SPECS["vllm"])
    assert asyncio.run(extract_tool(fake).acall("x")).bags == 3
    assert fake.calls[0]["response_format"]["type"] == "json_schema"


# -- OpenAI strict mode ----------------------------------------------------------------------
class Bag(BaseModel):
    kind: Literal["carry-on", "checked"]
    weight_lb: float = Field(default=0.0, ge=0, description="pounds")


class Booking(BaseModel):
    passenger: str = Field(min_length=1)
    bags: list[Bag] = Field(default_factory=list, max_length=4)
    note: str | None = None
    first_bag: Bag | None = None
    tags: list[str] = []


def objects(node: Any) -> list[dict[str, Any]]:
    """Every object schema in ``node``."""
    if isinstance(node, list):
        return [o for v in node for o in objects(v)]
    if not isinstance(node, dict):
        return []
    own = [node] if node.get("type") == "object" else []
    return own + [o for v in node.values() for o in objects(v)]


def test_strict_transform_closes_every_object_and_requires_every_field():
    raw = Booking.model_json_schema()
    strict = strict_schema(raw)
    assert strict is not None
    found = objects(strict)
    assert len(found) == 2  # Booking and Bag
    for obj in found:
        assert obj["additionalProperties"] is False
        assert obj["required"] == list(obj["properties"])
    text = json.dumps(strict)
    assert '"default"' not in text and "minLength" not in text
    props = strict["properties"]
    assert props["note"] == {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Note"}
    assert props["first_bag"]["anyOf"] == [{"$ref": "#/$defs/Bag"}, {"type": "null"}]
    assert props["bags"]["maxItems"] == 4 and props["bags"]["items"] == {"$ref": "#/$defs/Bag"}
    weight = strict["$defs"]["Bag"]["properties"]["weight_lb"]
    assert weight == {"description": "pounds", "minimum": 0, "title": "Weight Lb", "type": "number"}
    assert raw["required"] == ["passenger"]  # the input is not mutated


@pytest.mark.parametrize(
    "tp", [dict[str, int], tuple[int, str], list[Any]], ids=["open-keys", "tuple", "any-items"]
)
def test_strict_transform_refuses_what_strict_mode_cannot_express(tp):
    class Holder(BaseModel):
        value: tp  # type: ignore[valid-type]

    schema = Holder.model_json_schema()
    assert strict_schema(schema) is None
    assert capabilities(SPECS["openai"]).response_format(schema, "x") is None
    assert capabilities(SPECS["together"]).response_format(schema, "x") is not None
    assert strict_schema({"type": "integer"}) is None  # strict mode needs an object root


class Node(BaseModel):
    label: str
    child: "Node | None" = None


def test_a_recursive_model_is_inlined_at_the_root_for_strict_mode():
    fmt = capabilities(SPECS["openai"]).response_format(Node.model_json_schema(), "tree")
    assert fmt is not None
    schema = fmt["json_schema"]["schema"]
    assert schema["type"] == "object" and schema["required"] == ["label", "child"]
    assert schema["properties"]["child"]["anyOf"][0] == {"$ref": "#/$defs/Node"}


def test_schema_name_is_what_openai_accepts():
    fmt = capabilities(SPECS["openai"]).response_format(TRIP_SCHEMA, "ex.tract " + "x" * 80)
    name = fmt["json_schema"]["name"]
    assert name.startswith("ex_tract_") and len(name) == 64


# -- through the real SDK --------------------------------------------------------------------
def test_the_http_request_body_carries_response_format_for_a_local_spec():
    bodies: list[dict[str, Any]] = []

    def server(request: httpx.Request) -> httpx.Response:
        assert request.url == "http://127.0.0.1:8765/v1/chat/completions"
        bodies.append(json.loads(request.content))
        message = {"role": "assistant", "content": TRIP_REPLY}
        return httpx.Response(
            200,
            json={
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": "gemma-3-270m",
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 9, "completion_tokens": 8, "total_tokens": 17},
            },
        )

    model = Model(parse_spec("local:gemma-3-270m"))
    model._client = OpenAI(  # type: ignore[misc]
        api_key="unused",
        base_url=model.spec.base_url,
        http_client=httpx.Client(transport=httpx.MockTransport(server)),
    )
    assert extract_tool(model, temperature=0)("Main, 3 bags") == Trip(cabin="Main", bags=3)
    (body,) = bodies
    assert body["response_format"] == {"type": "json_object", "schema": TRIP_SCHEMA}
    assert body["temperature"] == 0 and body["model"] == "gemma-3-270m"
