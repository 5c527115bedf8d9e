"""The CodeAct agent on a real knapsack environment and a real sandboxed interpreter.

The model is a FakeModel (scripted replies): these tests check the loop, not a model.
"""

from __future__ import annotations

import difflib
import os

import pytest

from ptp.agents import CodeActAgent
from ptp.agents.codeact import NO_CODE, REGIME_SENTENCES, extract_code
from ptp.tasks.knapsack import KnapsackEnv, generate
from ptp.testing import FakeModel
from ptp.tools import Tool
from ptp.trace import recorder

LIST = "Let me list the items.\n```python\nids = list_items()\nlen(ids)\n```"
INSPECT = "Inspect the first.\n```python\nfirst = inspect(ids[0])\nfirst['weight']\n```"
FINISH = "Done.\n```python\nfinish()\n```"


@pytest.fixture
def env() -> KnapsackEnv:
    return KnapsackEnv(generate(seed=1, difficulty="easy"))


def _agent(replies: list[str], env: KnapsackEnv, regime: str, **kw) -> CodeActAgent:
    return CodeActAgent(FakeModel(replies), env.tools(), regime=regime, **kw)


def test_persistent_episode_keeps_state_and_finishes(env: KnapsackEnv) -> None:
    with recorder() as trace:
        result = _agent([LIST, INSPECT, FINISH], env, "persistent").run(env.task.nl)
    assert result.stop_reason == "final_answer" and result.steps == 3
    assert result.answer == env.finish() and result.answer["items_inspected"] == 1
    first = env.task.public.item_ids[0]
    assert env.inspected == {first}  # the state lives here, in the parent
    weight = env.items[first].weight
    assert [o.value for o in result.observations][:2] == [str(env.task.public.n_items), str(weight)]
    stats = result.block_stats()
    assert stats["tool_calls"] == 3 == trace.totals().tool_calls
    assert stats["name_errors"] == 0 and stats["code_blocks"] == 3
    assert trace.totals().steps == 3 and trace.totals().llm_calls == 3


def test_reset_regime_forgets_globals_and_counts_name_errors(env: KnapsackEnv) -> None:
    result = _agent([LIST, INSPECT, FINISH], env, "reset").run(env.task.nl)
    assert result.stop_reason == "final_answer"
    assert result.observations[1].error_type == "NameError"
    assert result.block_stats()["name_errors"] == 1
    assert env.inspected == set()


def test_prompts_differ_in_exactly_the_regime_sentence(env: KnapsackEnv) -> None:
    persistent = _agent([], env, "persistent").system_prompt().splitlines()
    reset = _agent([], env, "reset").system_prompt().splitlines()
    changed = [
        line[2:] for line in difflib.ndiff(persistent, reset) if line.startswith(("- ", "+ "))
    ]
    assert changed == [REGIME_SENTENCES["persistent"], REGIME_SENTENCES["reset"]]


def test_reply_without_code_is_told_and_counted(env: KnapsackEnv) -> None:
    agent = _agent(["I will think about it.", FINISH], env, "persistent")
    result = agent.run(env.task.nl)
    assert result.replies_without_code == 1 and result.steps == 2
    assert result.messages[3] == {"role": "user", "content": f"Observation:\n{NO_CODE}"}


def test_step_and_token_limits(env: KnapsackEnv) -> None:
    looping = _agent([LIST] * 3, env, "persistent", max_steps=3).run(env.task.nl)
    assert looping.stop_reason == "step_limit" and looping.answer is None and looping.steps == 3
    capped = _agent([LIST] * 3, env, "persistent", max_tokens=1).run(env.task.nl)
    assert capped.stop_reason == "token_limit" and capped.steps == 1


def test_invented_output_after_the_block_is_cut() -> None:
    code, shown = extract_code("Go.\n```python\nx = 1\nx\n```\nOutput: 2\nDone!")
    assert code == "x = 1\nx\n" and shown == "Go.\n```python\nx = 1\nx\n```"
    assert extract_code("```python\nprint(1)")[0] == "print(1)"  # cut off at max_tokens
    assert extract_code("no code")[0] is None
    assert extract_code("```python\nx\n```junk\nmore")[1] == "```python\nx\n```"
    assert extract_code("```Python\nx = 1\n```\nDone")[0] == "x = 1\n"
    assert extract_code("```python3\ny = 2\n```")[0] == "y = 2\n"
    assert extract_code('```json\n{"a": 1}\n```\nthen\n```py\nz = 3\n```')[0] == "z = 3\n"
    assert extract_code('```json\n{"a": 1}\n```\nthen prose')[0] is None


def test_final_answer_is_added_when_the_tools_have_no_stop_tool() -> None:
    def double(x: int) -> int:
        """Twice x."""
        return 2 * x

    model = FakeModel(["```python\nfinal_answer(double(21))\n```"])
    agent = CodeActAgent(model, [Tool.from_function(double)], regime="reset")
    assert "final_answer(answer: Any)" in agent.system_prompt()
    result = agent.run("What is twice 21?")
    assert result.stop_reason == "final_answer" and result.answer == 42


def test_a_hung_block_times_out_and_the_episode_goes_on(env: KnapsackEnv) -> None:
    hang = "```python\nwhile True: pass\n```"
    agent = _agent([LIST, hang, "```python\nids\n```", FINISH], env, "persistent",
                   interpreter_options={"timeout_s": 0.5})  # fmt: skip
    result = agent.run(env.task.nl)
    timed_out, after = result.observations[1], result.observations[2]
    assert timed_out.timed_out and timed_out.state_lost
    assert after.error_type == "NameError"  # the persistent state went with the worker
    assert result.stop_reason == "final_answer"
    assert result.block_stats()["state_lost"] == 1


HOSTILE = {
    "fork-bomb": "import os\nwhile True: os.fork()",
    "memory-bomb": "x = bytearray(10**11)",
    "infinite-loop": "while True: pass",
    "huge-power": "10**10**8",
    "read-keys": "import os\n{k: v for k, v in os.environ.items() if 'KEY' in k}",
    "write-outside": "open('/etc/ptp-hostile', 'w').write('x')",
    "socket": "import socket\nsocket.create_connection(('127.0.0.1', 8765), 1)",
    "replace-tools": "take_item = lambda i: {'total_value': 10**9}\ntake_item('x')",
    "signal-parent": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
}


@pytest.mark.skipif(os.geteuid() != 0, reason="the fork bomb is contained only as root")
def test_hostile_blocks_are_contained_and_the_episode_goes_on(
    env: KnapsackEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-hostile-test")
    blocks = [f"```python\n{code}\n```" for code in HOSTILE.values()]
    agent = _agent([LIST, *blocks, "```python\nlen(ids)\n```", FINISH], env, "reset",
                   max_steps=len(blocks) + 3, interpreter_options={"timeout_s": 1.0})  # fmt: skip
    result = agent.run(env.task.nl)
    assert result.stop_reason == "final_answer"
    seen = dict(zip(HOSTILE, result.observations[1:], strict=False))
    assert seen["fork-bomb"].error_type == "BlockingIOError" or seen["fork-bomb"].timed_out
    assert seen["memory-bomb"].error_type == "MemoryError"
    assert seen["infinite-loop"].timed_out and seen["huge-power"].timed_out
    assert seen["read-keys"].value == "{}"
    assert seen["write-outside"].error_type == "PermissionError"
    assert seen["socket"].error_type in {"OSError", "ConnectionRefusedError"}
    assert seen["replace-tools"].value == "{'total_value': 1000000000}" and env.taken == []
    assert seen["signal-parent"].error_type == "PermissionError"  # its parent is root-owned
    assert result.observations[-2].error_type == "NameError"  # reset: ids is gone
    assert not os.path.exists("/etc/ptp-hostile")
