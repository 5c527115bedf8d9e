"""Expert policies of the scenario families (``expert:<family>``): the family's reference
solution acting through ReAct's native tool calls, one reply at a time, each decided from the
observations so far (so its traces have the shape an LLM's would).

A family writes one function ``step(task, observed) -> Step | Final``; :func:`scenario_expert`
turns it into a :class:`ptp.models.Policy`. When the system prompt asks for a Chinese recap
(:data:`RECAP_HEADING`), the final answer ends with the family's recap under that heading.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ptp._safe_ast import literal_eval
from ptp.agents import FINAL
from ptp.models import ExpertReply, ModelError, Policy, ToolCall

from ._template import RECAP_HEADING, ScenarioTask

__all__ = ["Call", "Final", "Observed", "Step", "scenario_expert"]


@dataclass(frozen=True)
class Call:
    """One tool call the expert makes."""

    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """The next reply: a short thought and the calls to run now (in order)."""

    thought: str
    calls: tuple[Call, ...]


@dataclass(frozen=True)
class Final:
    """The last reply: the message to the user (English) and its short Chinese recap."""

    thought: str
    answer: str
    recap: str


@dataclass(frozen=True)
class Observed:
    """A call made earlier in the conversation and what the tool answered: ``value`` is the
    observation read as a Python literal (else the text), ``error`` the text of an error."""

    tool: str
    arguments: Mapping[str, Any]
    value: Any = None
    error: str | None = None


ExpertStep = Callable[[ScenarioTask, list[Observed]], Step | Final]


def observed_calls(messages: Sequence[Mapping[str, Any]]) -> list[Observed]:
    """Every answered native tool call in the conversation, in order."""
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    for message in messages:
        for call in message.get("tool_calls") or () if message.get("role") == "assistant" else ():
            function = call.get("function") or {}
            try:
                arguments = json.loads(function.get("arguments") or "{}")
            except json.JSONDecodeError:
                arguments = {}
            calls[str(call.get("id"))] = (str(function.get("name")), arguments)
    seen = []
    for message in messages:
        made = calls.get(str(message.get("tool_call_id")))
        if message.get("role") != "tool" or made is None:
            continue
        text = str(message.get("content") or "").strip()
        if text.startswith("Error:"):
            seen.append(Observed(made[0], made[1], error=text))
            continue
        try:
            value = literal_eval(text)
        except (ValueError, SyntaxError):
            value = text
        seen.append(Observed(made[0], made[1], value))
    return seen


def _call_id(turn: int, number: int) -> str:
    return f"call_{turn}_{number}"


def scenario_expert(family: str, step: ExpertStep) -> Callable[[ScenarioTask], Policy]:
    """``Family.expert`` for a scenario family whose next reply ``step`` decides."""

    def expert(task: ScenarioTask) -> Policy:
        def policy(messages: list[dict[str, Any]], params: dict[str, Any]) -> ExpertReply:
            if "tools" not in params:
                raise ModelError(
                    f"expert:{family} acts through native tool calls (ReAct's 'tools' mode, "
                    "which ReActAgent(mode=None) picks for this spec); it writes no other reply"
                )
            turn = 1 + sum(m.get("role") == "assistant" for m in messages)
            decided = step(task, observed_calls(messages))
            if isinstance(decided, Final):
                system = str(messages[0].get("content") or "") if messages else ""
                answer = decided.answer
                if RECAP_HEADING in system:
                    answer = f"{answer}\n{RECAP_HEADING}{decided.recap}"
                calls: Sequence[tuple[str, dict[str, Any]]] = [(FINAL, {"answer": answer})]
            else:
                calls = [(c.tool, c.arguments) for c in decided.calls]
            return ExpertReply(
                decided.thought,
                tuple(
                    ToolCall(_call_id(turn, n), name, json.dumps(arguments))
                    for n, (name, arguments) in enumerate(calls, 1)
                ),
            )

        return policy

    return expert
