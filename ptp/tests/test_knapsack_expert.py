"""``expert:knapsack`` playing the CodeAct agent in both interpreter regimes."""

from __future__ import annotations

import inspect

import pytest

from ptp.agents.codeact import REGIME_SENTENCES, extract_code
from ptp.models import get_model
from ptp.sandbox import Interpreter
from ptp.tasks import get_family
from ptp.tasks.knapsack import MAX_STEPS, KnapsackTask, knapsack_expert
from ptp.tasks.knapsack._expert import CALLS_PER_BLOCK
from ptp.trace import recorder

KNAPSACK = get_family("knapsack")
EXPERT = get_model("expert:knapsack")
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
