"""ReAct (L3): the model alternates Thought / Action lines; ptp runs the action's tool and
answers with an Observation, until ``final_answer(...)`` or a step or token limit.

    agent = ReActAgent(model, tools, instructions="Compute the total bag fees.")
    result = agent.run(problem_text)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ptp.agents._actions import ActionParseError, parse_action
from ptp.agents._result import AgentResult
from ptp.models import Model
from ptp.tools import Tool, ToolError, tool_table
from ptp.trace import span

FINAL = "final_answer"

PROMPT = """{instructions}

You can call these tools:
{tools}
- {final}(answer): finish with the answer.

Work step by step. Each reply has exactly two lines:
Thought: what to do next
Action: a call such as tool_name(arg=value)
After each action you get an Observation line with its result."""


@dataclass
class ReActAgent:
    """A generic ReAct loop over any tool set; it knows tasks only through ``tools``."""

    model: Model
    tools: Sequence[Tool]
    instructions: str
    max_steps: int = 8
    max_tokens: int = 20_000
    params: dict[str, Any] | None = None

    def system_prompt(self) -> str:
        return PROMPT.format(
            instructions=self.instructions, tools=tool_table(self.tools), final=FINAL
        )

    def run(self, task: str) -> AgentResult:
        """Solve ``task``; every step is a ``step`` event with its LLM and tool calls inside."""
        by_name = {t.name: t for t in self.tools}
        messages = [
            {"role": "system", "content": self.system_prompt()},
            {"role": "user", "content": task},
        ]
        tokens = 0
        params = {"stop": ["Observation:"], **(self.params or {})}
        with span("agent", "react", {"task": task}) as agent_event:
            for step in range(1, self.max_steps + 1):
                with span("step", f"react step {step}") as event:
                    reply = self.model.chat(messages, **params)
                    tokens += reply.prompt_tokens + reply.completion_tokens
                    messages.append({"role": "assistant", "content": reply.text.strip()})
                    done, observation = self._act(reply.text, by_name)
                    if event is not None:
                        event.output = observation
                if done is not None:
                    result = AgentResult(done, "final_answer", step, messages, tokens)
                    break
                messages.append({"role": "user", "content": f"Observation: {observation}"})
                if tokens >= self.max_tokens:
                    result = AgentResult(None, "token_limit", step, messages, tokens)
                    break
            else:
                result = AgentResult(None, "step_limit", self.max_steps, messages, tokens)
            if agent_event is not None:
                agent_event.output = {"answer": result.answer, "stop_reason": result.stop_reason}
        return result

    def _act(self, reply: str, tools: dict[str, Tool]) -> tuple[Any, str]:
        """Run the reply's action: (final answer or None, observation text)."""
        try:
            action = parse_action(reply)
        except ActionParseError as err:
            return None, f"Error: {err}"
        if action.name == FINAL:
            values = [*action.args, *action.kwargs.values()]
            if len(values) != 1:
                return None, f"Error: {FINAL} takes exactly one argument, the answer"
            return values[0], ""
        tool = tools.get(action.name)
        if tool is None:
            names = ", ".join([*tools, FINAL])
            return None, f"Error: unknown tool {action.name!r}; the tools are {names}"
        try:
            return None, repr(tool(*action.args, **action.kwargs))
        except (ToolError, ValueError, TypeError, KeyError) as err:
            return None, f"Error: {err}"
