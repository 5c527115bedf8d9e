"""Actions in the three forms a ReAct reply can carry them, and the schemas that ask for them.

- text: an ``Action: name(arg=value, ...)`` line, Python call syntax, literal arguments only;
- JSON: ``{"thought": ..., "actions": [{"tool": name, "arguments": {...}}, ...]}``, the form
  :func:`actions_schema` enforces through structured output;
- native tool calls: OpenAI function definitions from :func:`tool_definitions`.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ptp._safe_ast import parse as parse_ast
from ptp.tools import Tool

FINAL = "final_answer"
"""The action that ends a run with its one argument, the answer."""

ANSWER_SCHEMA: dict[str, Any] = {"type": ["number", "string"]}
"""What ``final_answer(answer)`` accepts by default (no arrays or objects, which a grammar
may never close); an agent whose answers are numbers should say ``{"type": "number"}``: a
small model under a grammar can fill a string with digits until the reply is cut."""

THOUGHT_CHARS = 400
"""The longest thought a JSON reply may hold (``maxLength``)."""

_ACTION = re.compile(r"Action:\s*(.+)", re.IGNORECASE)
_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")


class ActionParseError(ValueError):
    """The reply holds no well-formed action; the message tells the model what to write."""


@dataclass(frozen=True)
class Action:
    """One requested call; ``call_id`` is the native tool call's id (None in text or JSON)."""

    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    call_id: str | None = None

    def render(self) -> str:
        """The call as Python-like text, for observations: ``name(a=1, b='x')``."""
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{self.name}({', '.join(parts)})"


def parse_action(reply: str) -> Action:
    """The first ``Action:`` line of a reply, as a call with literal arguments."""
    match = _ACTION.search(reply)
    if match is None:
        raise ActionParseError("no 'Action:' line; write one like Action: tool_name(arg=value)")
    text = match.group(1).strip().rstrip(".;`")
    try:
        node = parse_ast(text, "eval").body
    except SyntaxError as err:
        raise ActionParseError(f"'{text}' is not a call: {err.msg}") from err
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise ActionParseError(f"'{text}' is not a call like tool_name(arg=value)")
    try:
        args = tuple(ast.literal_eval(a) for a in node.args)
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
    except ValueError as err:
        raise ActionParseError(f"arguments of {text!r} must be literals") from err
    return Action(node.func.id, args, kwargs)


def parse_json_actions(reply: str) -> list[Action]:
    """The actions of a JSON reply, in order (a bare ``{"tool", "arguments"}`` is one action).

    Raises:
        ActionParseError: the reply is not such a JSON object; the message says what to send.
    """
    text = _FENCE.sub("", reply.strip())
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ActionParseError(f"the reply is not JSON ({err.msg}); {_JSON_HINT}") from err
    items = [data] if isinstance(data, dict) and "tool" in data else None
    if isinstance(data, dict) and isinstance(data.get("actions"), list):
        items = data["actions"]
    if not items:
        raise ActionParseError(f"the reply lists no actions; {_JSON_HINT}")
    actions = []
    for item in items:
        name = item.get("tool") if isinstance(item, dict) else None
        arguments = item.get("arguments", {}) if isinstance(item, dict) else None
        if not isinstance(name, str) or not isinstance(arguments, dict):
            raise ActionParseError(f"action {item!r} is not {_ONE_ACTION}")
        actions.append(Action(name, (), arguments))
    return actions


def parse_arguments(call_id: str, name: str, arguments: str) -> Action:
    """A native tool call as an :class:`Action`.

    Raises:
        ActionParseError: the arguments are not a JSON object.
    """
    try:
        kwargs = json.loads(arguments or "{}")
    except json.JSONDecodeError as err:
        raise ActionParseError(f"the arguments of {name} are not JSON ({err.msg})") from err
    if not isinstance(kwargs, dict):
        raise ActionParseError(f"the arguments of {name} must be a JSON object")
    return Action(name, (), kwargs, call_id)


def _final_parameters(answer: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"answer": answer},
        "required": ["answer"],
        "additionalProperties": False,
    }


def actions_schema(
    tools: Sequence[Tool], max_actions: int, answer: dict[str, Any] = ANSWER_SCHEMA
) -> dict[str, Any]:
    """The JSON Schema of a reply: a thought and 1..``max_actions`` actions, each one tool's
    name with that tool's arguments (``anyOf`` over the tools and ``final_answer``, whose
    argument follows ``answer``)."""
    signatures = [(t.name, t.parameters) for t in tools] + [(FINAL, _final_parameters(answer))]
    variants = [
        {
            "type": "object",
            "properties": {"tool": {"enum": [name]}, "arguments": parameters},
            "required": ["tool", "arguments"],
            "additionalProperties": False,
        }
        for name, parameters in signatures
    ]
    return {
        "type": "object",
        "properties": {
            "thought": {"type": "string", "maxLength": THOUGHT_CHARS},
            "actions": {
                "type": "array",
                "items": {"anyOf": variants},
                "minItems": 1,
                "maxItems": max_actions,  # llama.cpp's grammar never closes an unbounded array
            },
        },
        "required": ["thought", "actions"],
        "additionalProperties": False,
    }


def tool_definitions(
    tools: Sequence[Tool], answer: dict[str, Any] = ANSWER_SCHEMA
) -> list[dict[str, Any]]:
    """The tools plus ``final_answer`` (its argument following ``answer``) as OpenAI
    ``tools=`` function definitions."""
    functions = [(t.name, t.description, t.parameters) for t in tools]
    functions.append((FINAL, "Finish with the answer.", _final_parameters(answer)))
    return [
        {
            "type": "function",
            "function": {"name": name, "description": description, "parameters": parameters},
        }
        for name, description, parameters in functions
    ]


_ONE_ACTION = '{"tool": "<tool name>", "arguments": {...}}'
_JSON_HINT = f'send {{"thought": "...", "actions": [{_ONE_ACTION}]}}'
