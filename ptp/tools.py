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
from functools import lru_cache
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
        return f"{self.name}{_cached(_signature_text, self.fn)}"

    @property
    def parameters(self) -> dict[str, Any]:
        """The arguments as a JSON Schema object (for ``tools=`` and structured output).

        Types come from the annotations (int, float, str, bool, Literal); an argument without
        a known type accepts any JSON value. Arguments without a default are required.
        """
        arguments = _cached(_arguments, self.fn)
        return {
            "type": "object",
            "properties": {name: json_type(annotation) for name, annotation, _ in arguments},
            "required": [name for name, _, required in arguments if required],
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


# Signatures and annotations are read once per function (tools are rebuilt per task, as
# methods bound to each task's environment): keyed by the plain function, ``self`` dropped.
def _cached(read: Callable[[Callable[..., Any], bool], Any], fn: Callable[..., Any]) -> Any:
    func = getattr(fn, "__func__", None)
    key, bound = (func, True) if func is not None else (fn, False)
    try:
        hash(key)
    except TypeError:  # an unhashable callable object: read it every time
        return read.__wrapped__(key, bound)  # type: ignore[attr-defined]
    return read(key, bound)


def _parameters(fn: Callable[..., Any], bound: bool) -> list[inspect.Parameter]:
    parameters = list(inspect.signature(fn).parameters.values())
    return parameters[1:] if bound else parameters


@lru_cache(maxsize=4096)
def _signature_text(fn: Callable[..., Any], bound: bool) -> str:
    signature = inspect.signature(fn).replace(parameters=_parameters(fn, bound))
    return str(signature).replace("'", "")


@lru_cache(maxsize=4096)
def _arguments(fn: Callable[..., Any], bound: bool) -> tuple[tuple[str, Any, bool], ...]:
    """(name, annotation, required) per argument, ``*args``/``**kwargs`` left out."""
    try:
        hints = typing.get_type_hints(fn)
    except (NameError, TypeError):  # an annotation that does not resolve: leave it open
        hints = {}
    return tuple(
        (param.name, hints.get(param.name, Any), param.default is param.empty)
        for param in _parameters(fn, bound)
        if param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD)
    )


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
