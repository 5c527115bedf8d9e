import asyncio
from typing import Literal

import pytest
from pydantic import BaseModel

import ptp
from ptp.ptool import Learned, PToolConfigError, PToolError, Python, ptool_overrides
from ptp.testing import FakeModel


class Trip(BaseModel):
    cabin: str
    bags: int


def make(fake, **options):
    @ptp.ptool(
        model=fake, examples=[({"text": "First, 1 bag"}, Trip(cabin="First", bags=1))], **options
    )
    def extract(text: str) -> Trip:
        """Read the cabin and the number of bags."""

    return extract


def test_prompt_holds_signature_doc_schema_examples_and_arguments():
    messages = make(FakeModel([])).messages("Main, 3 bags")
    system = messages[0]["content"]
    assert "extract(text: str) -> Trip" in system
    assert "Read the cabin" in system and '"bags"' in system
    assert messages[1:] == [
        {"role": "user", "content": "text: First, 1 bag"},
        {"role": "assistant", "content": '{"cabin": "First", "bags": 1}'},
        {"role": "user", "content": "text: Main, 3 bags"},
    ]


def test_reasks_with_the_error_then_succeeds():
    fake = FakeModel(["no idea", 'Here: {"cabin": "Main", "bags": 3}'])
    with ptp.recorder() as trace:
        assert make(fake, temperature=0)("Main, 3 bags") == Trip(cabin="Main", bags=3)
    assert "could not be used" in fake.requests[1]["messages"][-1]["content"]
    assert fake.requests[0]["temperature"] == 0
    (call,) = trace.find("ptool")
    assert [e.kind for e in call.children] == ["llm", "llm"]
    assert call.output == {"cabin": "Main", "bags": 3}


def test_gives_up_with_every_raw_output():
    fake = FakeModel(["a", "b", "c"])
    with pytest.raises(PToolError) as info:
        make(fake, retries=2)("x")
    assert info.value.attempts == ["a", "b", "c"]
    assert info.value.raw == "c"


def test_python_and_learned_implementations_swap_without_touching_the_call():
    fake = FakeModel(['{"cabin": "LLM", "bags": 0}'])
    extract = make(fake)
    python = Python(lambda text: Trip(cabin="py", bags=len(text)))
    assert extract.options(implementation=python)("abc").cabin == "py"
    learned = Learned(lambda text: None if "?" in text else Trip(cabin="learned", bags=1))
    with ptool_overrides(implementations={"extract": learned}):
        assert extract("ok").cabin == "learned"
        assert extract("?").cabin == "LLM"  # the learned function had no answer
    assert fake.replies == []


def test_run_overrides_model_and_params():
    default, other = FakeModel([]), FakeModel(['{"cabin": "x", "bags": 1}'])
    extract = make(default, temperature=0)
    with ptool_overrides(model=other, params={"max_tokens": 5}):
        extract("x")
    assert other.requests[0]["max_tokens"] == 5 and other.requests[0]["temperature"] == 0


def test_async_call():
    fake = FakeModel(['{"cabin": "x", "bags": 2}'])
    assert asyncio.run(make(fake).acall("x")).bags == 2


def test_literal_output():
    @ptp.ptool(model=FakeModel(["It is positive."]))
    def sentiment(text: str) -> Literal["positive", "negative"]:
        """Classify."""

    assert sentiment("great") == "positive"


def test_configuration_errors_are_clear():
    @ptp.ptool
    def no_model(text: str) -> int:
        """Count."""

    with pytest.raises(PToolConfigError, match="no model"):
        no_model("x")

    @ptp.ptool(model=FakeModel([]))
    def no_doc(text: str) -> int: ...

    with pytest.raises(PToolConfigError, match="docstring"):
        no_doc("x")


@pytest.mark.bench
def test_overhead_per_call(benchmark):
    """ptp's own cost per LLM call: prompt build, trace, parse (the fake has no HTTP)."""
    reply = '{"cabin": "Main", "bags": 3}'
    fake = FakeModel([])
    extract = make(fake)

    def call():
        fake.replies.append(reply)
        with ptp.recorder():
            return extract("Main, 3 bags")

    assert benchmark(call).bags == 3
