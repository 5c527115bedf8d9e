import asyncio
import subprocess
import sys
from types import ModuleType
from typing import Literal

import pytest
from pydantic import BaseModel

import ptp
from ptp.ptool import Learned, PToolConfigError, PToolError, Python, ptool, ptool_overrides
from ptp.ptool._prompt import BUDGET_CEILING, BUDGET_FLOOR, completion_budget
from ptp.testing import FakeModel


class Trip(BaseModel):
    cabin: str
    bags: int


def make(fake, **options):
    @ptool(
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
    @ptool(model=FakeModel(["It is positive."]))
    def sentiment(text: str) -> Literal["positive", "negative"]:
        """Classify."""

    assert sentiment("great") == "positive"


def test_configuration_errors_are_clear():
    @ptool
    def no_model(text: str) -> int:
        """Count."""

    with pytest.raises(PToolConfigError, match="no model"):
        no_model("x")

    @ptool(model=FakeModel([]))
    def no_doc(text: str) -> int: ...

    with pytest.raises(PToolConfigError, match="docstring"):
        no_doc("x")


class Big(BaseModel):
    """Many fields, so a big schema."""

    a_long_field_name_number_one: str
    a_long_field_name_number_two: list[Trip]
    a_long_field_name_number_three: dict[str, float]
    a_long_field_name_number_four: bool


def test_default_budget_follows_the_return_schema():
    assert completion_budget(int) == completion_budget(str) == BUDGET_FLOOR == 128
    assert completion_budget(Big) > BUDGET_FLOOR
    huge = Literal[tuple(f"choice-number-{i}" for i in range(500))]
    assert completion_budget(huge) == BUDGET_CEILING == 1024


def test_a_ptool_without_max_tokens_sends_its_default_budget():
    reply = '{"cabin": "x", "bags": 1}'
    fake = FakeModel([reply] * 5)
    extract = make(fake, temperature=0)
    extract("x")
    assert fake.requests[-1]["max_tokens"] == extract.default_max_tokens == 128
    extract.options(max_tokens=32)("x")  # one call
    assert fake.requests[-1]["max_tokens"] == 32
    with ptool_overrides(params={"max_tokens": 64}):  # a block of calls
        extract("x")
    assert fake.requests[-1]["max_tokens"] == 64
    extract.options(max_tokens=None)("x")  # no limit at all
    assert "max_tokens" not in fake.requests[-1]
    make(fake, max_tokens=400)("x")  # what existing callers send stays as it was
    assert fake.requests[-1]["max_tokens"] == 400


def test_a_model_default_budget_is_not_overridden():
    fake = FakeModel(['{"cabin": "x", "bags": 1}'])
    fake.defaults["max_tokens"] = 50
    make(fake)("x")
    assert fake.requests[0]["max_tokens"] == 50  # the model's default, not the ptool's


@pytest.mark.parametrize(
    "code",
    [
        "import ptp.ptool; import ptp",
        "import ptp; import ptp.ptool",
        "from ptp.ptool import ptool; import ptp",
        "from ptp import ptool",
        "import ptp.ptool._ptool; import ptp",
    ],
)
def test_ptp_ptool_is_the_module_at_every_import_order(code):
    check = "import sys, types, ptp; assert isinstance(ptp.ptool, types.ModuleType)"
    check += "; assert callable(ptp.ptool.ptool); assert sys.modules['ptp.ptool'] is ptp.ptool"
    run = subprocess.run([sys.executable, "-c", f"{code}; {check}"], capture_output=True)
    assert run.returncode == 0, run.stderr.decode()
    assert isinstance(ptp.ptool, ModuleType)


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
