"""A run's conversation normalized to one readable shape, whatever the agent's reply mode
(native tool calls, JSON actions or ``Action:`` lines): system, user, turns (rationale, calls,
observations), final answer."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from ptp.agents import FINAL, ActionParseError, parse_action, parse_json_actions

__all__ = ["CallRecord", "ScenarioTrace", "Turn", "normalize", "render_transcript"]

_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")  # a JSON reply wrapped in a code fence


class CallRecord(BaseModel):
    """One call the agent asked for (an unknown tool included); ``arguments`` by name, with
    positional ones under ``"args"``."""

    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class Turn(BaseModel):
    """One agent reply: its rationale, the calls it made, and what came back."""

    rationale: str = ""
    calls: list[CallRecord] = Field(default_factory=list)
    observations: list[str] = Field(default_factory=list)
    unreadable: bool = False


class ScenarioTrace(BaseModel):
    """A normalized run."""

    system: str
    user: str
    turns: list[Turn] = Field(default_factory=list)
    final_answer: str | None = None
    stop_reason: str = ""

    def calls(self) -> list[CallRecord]:
        """Every call in order, ``final_answer`` included."""
        return [call for turn in self.turns for call in turn.calls]


def _calls_of(message: dict[str, Any]) -> tuple[str, list[CallRecord], bool]:
    """(rationale, calls, unreadable) of one assistant message in any reply form."""
    if message.get("tool_calls"):
        calls = []
        for call in message["tool_calls"]:
            function = call.get("function") or {}
            raw = function.get("arguments") or "{}"
            try:
                arguments = json.loads(raw)
            except json.JSONDecodeError:
                arguments = None
            if not isinstance(arguments, dict):
                arguments = {"unparsed": raw}
            calls.append(CallRecord(tool=str(function.get("name")), arguments=arguments))
        return str(message.get("content") or ""), calls, False
    text = str(message.get("content") or "")
    try:
        actions = parse_json_actions(text)
        thought = json.loads(_FENCE.sub("", text.strip())).get("thought", "")
    except (ActionParseError, json.JSONDecodeError, AttributeError):
        try:
            actions = [parse_action(text)]
        except ActionParseError:
            return text, [], True
        thought = text.split("Action:")[0].replace("Thought:", "").strip()
    calls = [
        CallRecord(
            tool=a.name, arguments={**({"args": list(a.args)} if a.args else {}), **a.kwargs}
        )
        for a in actions
    ]
    return str(thought), calls, False


def normalize(messages: Sequence[dict[str, Any]], answer: Any, stop_reason: str) -> ScenarioTrace:
    """The conversation an agent ran (``ReActResult.messages``) as a :class:`ScenarioTrace`."""
    system = next((str(m["content"]) for m in messages if m.get("role") == "system"), "")
    users = [m for m in messages if m.get("role") == "user"]
    trace = ScenarioTrace(
        system=system,
        user=str(users[0]["content"]) if users else "",
        final_answer=None if answer is None else str(answer),
        stop_reason=stop_reason,
    )
    seen_user = False
    for message in messages:
        role = message.get("role")
        if role == "assistant":
            rationale, calls, unreadable = _calls_of(message)
            trace.turns.append(
                Turn(rationale=rationale.strip(), calls=calls, unreadable=unreadable)
            )
        elif (role == "tool" or (role == "user" and seen_user)) and trace.turns:
            trace.turns[-1].observations.append(str(message.get("content") or ""))
        seen_user = seen_user or role == "user"
    return trace


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def render_transcript(trace: ScenarioTrace, observation_chars: int = 300) -> str:
    """The run as plain text for reviewers and QA samples (long observations clipped)."""
    lines = [f"USER: {trace.user}"]
    for number, turn in enumerate(trace.turns, 1):
        if turn.rationale:
            lines.append(f"AGENT [{number}] thinks: {_clip(turn.rationale, 400)}")
        if turn.unreadable:
            lines.append(f"AGENT [{number}] wrote no readable action")
        for call in turn.calls:
            if call.tool == FINAL:
                continue
            arguments = ", ".join(f"{k}={v!r}" for k, v in call.arguments.items())
            lines.append(f"AGENT [{number}] calls {call.tool}({arguments})")
        lines += [f"  -> {_clip(o, observation_chars)}" for o in turn.observations]
    lines.append(f"AGENT FINAL ANSWER: {trace.final_answer or '(none: ' + trace.stop_reason + ')'}")
    return "\n".join(lines)
