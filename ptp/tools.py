"""The tools protocol: how agents see a task's environment.

A task family hands an agent a list of :class:`Tool`; the agent knows nothing else about the
task. A tool that rejects its input raises :class:`ToolError`, which agents show the model as
an observation instead of crashing.

    tools = [Tool.from_function(base_fee), Tool.from_function(finish, name="final_answer")]
    tools[0](bag_position=1, region="U.S.", customer_class="Main Cabin", direction=0)
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ptp.trace import span, to_jsonable


class ToolError(Exception):
    """A tool refused its input; the message is what the model should read."""


@dataclass(frozen=True)
class Tool:
    """A named callable with the signature and description an agent prompt shows."""

    name: str
    fn: Callable[..., Any]
    description: str

    @classmethod
    def from_function(cls, fn: Callable[..., Any], name: str | None = None) -> Tool:
        """Wrap a typed function; its docstring becomes the description."""
        return cls(name or fn.__name__, fn, inspect.cleandoc(fn.__doc__ or "").strip())

    @property
    def signature(self) -> str:
        """``name(arg: type, ...) -> type`` as the model should call it."""
        return f"{self.name}{inspect.signature(self.fn)}".replace("'", "")

    @property
    def parameters(self) -> dict[str, Any]:
        """The arguments as a JSON Schema object (for ``tools=`` and structured output).

        Types come from the annotations (int, float, str, bool, Literal); an argument without
        a known type accepts any JSON value. Arguments without a default are required.
        """
        try:
            hints = typing.get_type_hints(self.fn)
        except (NameError, TypeError):  # an annotation that does not resolve: leave it open
            hints = {}
        properties: dict[str, Any] = {}
        required = []
        for name, param in inspect.signature(self.fn).parameters.items():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            properties[name] = json_type(hints.get(name, Any))
            if param.default is param.empty:
                required.append(name)
        return {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the tool, recording a ``tool`` event when a trace is being recorded."""
        inputs = {"args": list(args), **kwargs} if args else dict(kwargs)
        with span("tool", self.name, inputs) as event:
            result = self.fn(*args, **kwargs)
            if event is not None:
                event.output = to_jsonable(result)
            return result


def tool_table(tools: Sequence[Tool]) -> str:
    """The tools as prompt text: one signature line and its description per tool."""
    blocks = []
    for tool in tools:
        first = tool.description.splitlines()[0] if tool.description else ""
        blocks.append(f"- {tool.signature}: {first}" if first else f"- {tool.signature}")
    return "\n".join(blocks)


_JSON_TYPES: dict[Any, str] = {bool: "boolean", int: "integer", float: "number", str: "string"}


def json_type(annotation: Any) -> dict[str, Any]:
    """The JSON Schema of one annotated argument; ``{}`` (any value) when not a simple type."""
    if typing.get_origin(annotation) is Literal:
        return {"enum": list(typing.get_args(annotation))}
    name = _JSON_TYPES.get(annotation)
    return {"type": name} if name else {}
