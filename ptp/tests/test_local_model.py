"""The embedded model through the openai SDK, replayed from real cassettes
(cassettes/test_local_model/, recorded against local:gemma-3-270m with llama-cpp-python's
server: `pytest ptp/tests/test_local_model.py --record-mode=once`)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

import ptp
from ptp.models import CassetteMissError
from ptp.ptool import ptool
from ptp.pytest_plugin import is_live

pytestmark = pytest.mark.vcr

SPEC = "local:gemma-3-270m"


class Person(BaseModel):
    name: str
    age: int


def test_chat_and_completion(ptp_model):
    model = ptp_model(SPEC)
    with ptp.recorder() as trace:
        chat = model.chat(
            [{"role": "user", "content": "Name the capital of France."}],
            temperature=0,
            max_tokens=16,
        )
        completion = model.complete("The capital of France is", temperature=0, max_tokens=8)
    for reply in (chat, completion):
        assert reply.text
        assert reply.prompt_tokens > 0 and reply.completion_tokens > 0
        assert reply.cost_usd == 0.0  # the local model's known price
        assert reply.model == SPEC
    assert completion.finish_reason == "length"
    totals = trace.totals()
    assert totals.llm_calls == 2
    assert totals.prompt_tokens == chat.prompt_tokens + completion.prompt_tokens


def test_ptool_returns_a_pydantic_model(ptp_model, tmp_path):
    @ptool(
        model=ptp_model(SPEC),
        examples=[({"text": "Bob is 41 years old."}, Person(name="Bob", age=41))],
        temperature=0,
        max_tokens=40,
    )
    def read_person(text: str) -> Person:
        """Read the person's name and age."""

    with ptp.recorder() as trace:
        person = read_person("Alice is 30 years old.")
    assert isinstance(person, Person)
    (call,) = trace.find("ptool")
    assert call.children and call.children[0].kind == "llm"
    assert call.children[0].usage and call.children[0].usage.completion_tokens > 0
    path = trace.save(tmp_path / "trace.json")
    assert ptp.Trace.load(path) == trace


def test_a_changed_prompt_misses_the_cassette(request, ptp_model):
    if is_live(request.config):
        pytest.skip("checks replay only")
    model = ptp_model(SPEC)
    with pytest.raises(CassetteMissError, match="re-record"):
        model.chat(
            [{"role": "user", "content": "Name the capital of Spain."}],
            temperature=0,
            max_tokens=16,
        )
