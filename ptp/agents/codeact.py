"""CodeAct: the model acts by writing Python blocks that run in a sandboxed interpreter.

    agent = CodeActAgent(model, env.tools(), regime="persistent")
    result = agent.run(task.nl)

Each step the model replies with a thought and one fenced ``python`` block; the block runs in a
:class:`ptp.sandbox.Interpreter` (tools proxied back to this process) and the model reads the
observation: printed output, the value of the last expression, or the error. The episode ends
when the code calls the stop tool (``finish`` by default; ``final_answer(answer)`` is added
when the tool set has no stop tool), or at the step or token limit.

The two regimes differ in the interpreter and in exactly one sentence of the system prompt,
:data:`REGIME_SENTENCES`: ``persistent`` says globals survive between blocks; ``reset`` says
every block starts from an empty namespace while the tools' effects stay done.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ptp.agents._result import AgentResult
from ptp.models import Model
from ptp.sandbox import Interpreter, Observation, Regime
from ptp.tools import Tool, tool_table
from ptp.trace import span

FINAL_ANSWER = "final_answer"

PROMPT = """{instructions}You act by writing Python code. Each reply is one short thought and then exactly one code block:
```python
# your code
```
The block runs at once and you see what it printed, the value of its last line, or its error.
These functions are already defined in the interpreter:
{tools}
{regime_sentence}
When you are done, call {stop} in a code block."""  # noqa: E501

REGIME_SENTENCES: dict[str, str] = {
    "persistent": (
        "The interpreter keeps its state: variables, functions and imports from earlier blocks "
        "stay available in later blocks."
    ),
    "reset": (
        "The interpreter is reset before every block: variables, functions and imports from "
        "earlier blocks are gone, so each block must stand alone (what the tools did stays done)."
    ),
}

NO_CODE = "No code block found. Reply with one ```python code block."
PYTHON_TAGS = frozenset({"", "python", "python3", "py", "ipython"})


def extract_code(reply: str) -> tuple[str | None, str]:
    """The first fenced Python block and the reply cut after it.

    Fences are paired line by line; a block tagged with another language (```json) is
    skipped, and tags are case-insensitive. A block left open (the reply hit max_tokens)
    runs to the end. The cut drops whatever the model wrote after its block (often an
    invented output), so the conversation shows only the block and the real observation.
    """
    lines = reply.splitlines(keepends=True)
    start: int | None = None
    tag = ""
    for number, line in enumerate(lines):
        stripped = line.strip()
        if not stripped.startswith("```"):
            continue
        if start is None:
            start, tag = number, stripped[3:].strip().lower()
            continue
        if tag in PYTHON_TAGS:
            fence_end = line.index("```") + 3  # text after a closing fence is dropped too
            shown = "".join(lines[:number]) + line[:fence_end]
            return "".join(lines[start + 1 : number]), shown.strip()
        start = None  # the end of a block in another language
    if start is not None and tag in PYTHON_TAGS:
        return "".join(lines[start + 1 :]), reply.strip()
    return None, reply.strip()


@dataclass
class CodeActResult(AgentResult):
    """An :class:`AgentResult` plus every block's observation, in order."""

    observations: list[Observation] = field(default_factory=list)
    replies_without_code: int = 0

    def block_stats(self) -> dict[str, int]:
        """Counts over the blocks run: errors by kind, timeouts, lost state, tool calls.

        ``name_errors`` is the "forgot its state" signal (a name from an earlier block used
        after a reset). ``tool_calls`` are the calls the interpreter's parent executed.
        """
        obs = self.observations
        return {
            "code_blocks": len(obs),
            "replies_without_code": self.replies_without_code,
            "block_errors": sum(not o.ok for o in obs),
            "name_errors": sum(o.error_type == "NameError" for o in obs),
            "timeouts": sum(o.timed_out for o in obs),
            "state_lost": sum(o.state_lost for o in obs),
            "tool_calls": sum(o.tool_calls for o in obs),
        }


@dataclass
class CodeActAgent:
    """A CodeAct loop over any tool set; it knows tasks only through ``tools``."""

    model: Model
    tools: Sequence[Tool]
    regime: Regime = "persistent"
    instructions: str = ""
    max_steps: int = 10
    max_tokens: int = 30_000
    stop_tool: str = "finish"
    params: dict[str, Any] | None = None
    interpreter_options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.regime not in REGIME_SENTENCES:
            raise ValueError(
                f"regime must be one of {sorted(REGIME_SENTENCES)}, got {self.regime!r}"
            )

    @property
    def stop_name(self) -> str:
        """The tool whose call ends the episode."""
        names = {t.name for t in self.tools}
        return self.stop_tool if self.stop_tool in names else FINAL_ANSWER

    def _tool_set(self, on_stop: Callable[[Any], None]) -> list[Tool]:
        """The tools (plus final_answer if needed) with the stop tool reporting its call."""
        tools = list(self.tools)
        if self.stop_name == FINAL_ANSWER:
            tools.append(Tool.from_function(final_answer))
        return [
            Tool(t.name, _reporting(t.fn, on_stop, t.name == FINAL_ANSWER), t.description)
            if t.name == self.stop_name
            else t
            for t in tools
        ]

    def system_prompt(self) -> str:
        """The system prompt of this agent's regime."""
        head = f"{self.instructions.strip()}\n\n" if self.instructions.strip() else ""
        return PROMPT.format(
            instructions=head,
            tools=tool_table(self._tool_set(lambda _: None)),
            regime_sentence=REGIME_SENTENCES[self.regime],
            stop=f"{FINAL_ANSWER}(answer)"
            if self.stop_name == FINAL_ANSWER
            else f"{self.stop_name}()",
        )

    def run(self, task: str) -> CodeActResult:
        """Solve ``task``; each step is a ``step`` event holding its LLM call and code run."""
        stopped: list[Any] = []
        tools = self._tool_set(stopped.append)
        messages = [
            {"role": "system", "content": self.system_prompt()},
            {"role": "user", "content": task},
        ]
        result = CodeActResult(None, "step_limit", 0, messages)
        with (
            span("agent", "codeact", {"task": task, "regime": self.regime}) as agent_event,
            Interpreter(self.regime, tools=tools, **self.interpreter_options) as python,
        ):
            for number in range(1, self.max_steps + 1):
                result.steps = number
                with span("step", f"codeact step {number}") as event:
                    # a failed model call is a harness error (the case's row says so), not a score
                    reply = self.model.chat(messages, **(self.params or {}))
                    result.tokens += reply.prompt_tokens + reply.completion_tokens
                    code, shown = extract_code(reply.text)
                    messages.append({"role": "assistant", "content": shown})
                    if code is None:
                        result.replies_without_code += 1
                        text = NO_CODE
                    else:
                        observation = python.run(code)
                        result.observations.append(observation)
                        text = observation.render()
                    if event is not None:
                        event.output = text
                if stopped:
                    result.answer, result.stop_reason = stopped[0], "final_answer"
                    break
                messages.append({"role": "user", "content": f"Observation:\n{text}"})
                if result.tokens >= self.max_tokens:
                    result.stop_reason = "token_limit"
                    break
            if agent_event is not None:
                agent_event.output = {"answer": result.answer, "stop_reason": result.stop_reason}
        return result


def final_answer(answer: Any) -> str:
    """Finish with the answer."""
    return "answer recorded"


def _reporting(
    fn: Callable[..., Any], on_stop: Callable[[Any], None], argument: bool
) -> Callable[..., Any]:
    """``fn`` that passes its result (``argument``: its first argument) to ``on_stop``."""

    @functools.wraps(fn)
    def stop(*args: Any, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        on_stop([*args, *kwargs.values()][0] if argument else result)
        return result

    return stop
