"""Reading ``Action: name(arg=value, ...)`` lines: Python call syntax, literal arguments only."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

_ACTION = re.compile(r"Action:\s*(.+)", re.IGNORECASE)


class ActionParseError(ValueError):
    """The reply holds no well-formed action; the message tells the model what to write."""


@dataclass(frozen=True)
class Action:
    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


def parse_action(reply: str) -> Action:
    """The first ``Action:`` line of a reply, as a call with literal arguments."""
    match = _ACTION.search(reply)
    if match is None:
        raise ActionParseError("no 'Action:' line; write one like Action: tool_name(arg=value)")
    text = match.group(1).strip().rstrip(".;`")
    try:
        node = ast.parse(text, mode="eval").body
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
