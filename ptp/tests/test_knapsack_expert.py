"""``expert:knapsack`` playing the CodeAct agent in both interpreter regimes."""

from __future__ import annotations

import inspect
import re

import pytest

from ptp.agents.codeact import REGIME_SENTENCES, extract_code
from ptp.models import get_model
from ptp.sandbox import Interpreter
from ptp.tasks import get_family
from ptp.tasks.knapsack import MAX_STEPS, PARAMS, KnapsackTask, knapsack_expert
from ptp.tasks.knapsack._expert import CALLS_PER_BLOCK
from ptp.trace import recorder

KNAPSACK = get_family("knapsack")
EXPERT = get_model("expert:knapsack")
SOURCE = re.compile(r"inspect\(i\) for i in (.+?)\}")
TASKS = [
    task
    for difficulty in ("easy", "medium")
    for task in KNAPSACK.read_fixtures(f"fixtures/knapsack/knapsack-{difficulty}.jsonl")
]


@pytest.mark.parametrize("regime", ["persistent", "reset"])
@pytest.mark.parametrize("task", TASKS, ids=[t.task_id for t in TASKS])
def test_both_regimes_take_an_optimal_set(task: KnapsackTask, regime: str) -> None:
    with recorder() as trace:
        result = KNAPSACK.solvers[regime](task, EXPERT.for_task(task))
    verdict = KNAPSACK.score(result.answer, task)
    assert verdict.value == 1 and verdict.metadata["violations"] == 0
    assert result.stop_reason == "answered" and result.answer.finished
    stats = result.extra
    assert stats["block_errors"] == 0 and stats["replies_without_code"] == 0
    codes = [e.inputs["code"] for e in trace.find("code")]
    assert len(codes) == stats["code_blocks"] <= MAX_STEPS
    assert {e.name for e in trace.find("llm")} == {"expert:knapsack"}
    if regime == "persistent":  # later blocks use what earlier blocks defined
        assert "seen.items()" in codes[-2] and "for i in chosen:" in codes[-1]
    else:  # every block stands alone: names it uses come from itself or the tools
        assert codes[-2].startswith("seen = ") and "for i in [" in codes[-1]
        assert not any("seen.update" in c or "in chosen" in c for c in codes)
        if len(codes) == 4:  # one inspection block: the program's block inspects it again
            assert codes[1].count(SOURCE.search(codes[2])[1]) == 1
        public = task.public
        if public.inspect_budget >= public.n_items < CALLS_PER_BLOCK:  # ids from the tools
            assert "for i in list_items()" in codes[1]


@pytest.mark.parametrize("model", ["local:smollm2-135m", "local:gemma-3-270m"])
def test_the_reply_limit_holds_every_expert_reply(model: str) -> None:
    """A level must not cap its own teacher: the episode's max_tokens holds the expert's
    longest reply on the fixtures, in either embedded model's tokens (at 200 it cut every
    reset episode's dynamic program)."""
    pytest.importorskip("transformers")
    from ptp.train import load_tokenizer

    tokenizer = load_tokenizer(model)
    longest = 0
    for task in TASKS:
        for regime in ("persistent", "reset"):
            with recorder() as trace:
                KNAPSACK.solvers[regime](task, EXPERT.for_task(task))
            replies = [str(e.output) for e in trace.find("llm")]
            longest = max(longest, *(len(tokenizer(r)["input_ids"]) for r in replies))
    assert 300 < longest <= PARAMS["max_tokens"]


def test_a_block_stays_within_the_interpreters_tool_call_limit() -> None:
    default = inspect.signature(Interpreter).parameters["max_tool_calls"].default
    assert default == CALLS_PER_BLOCK


def test_after_a_failed_block_it_takes_the_reference_set_and_finishes() -> None:
    task = TASKS[0]
    policy = knapsack_expert(task)
    messages = [
        {"role": "system", "content": REGIME_SENTENCES["reset"]},
        {"role": "user", "content": task.nl},
        {"role": "assistant", "content": "```python\n1/0\n```"},
        {"role": "user", "content": "Observation:\nZeroDivisionError: division by zero"},
    ]
    reply = policy(messages, {})
    code, _ = extract_code(reply.text)
    assert code is not None and "reference" in reply.text
    assert repr(list(task.reference.optimal_ids)) in code and "finish()" in code
