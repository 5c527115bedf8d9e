"""Prompt text for a ptool: the signature and docstring, the output format, few-shot examples
and the call's arguments."""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any, Literal, get_args, get_origin

from pydantic import TypeAdapter

from ptp.trace import to_jsonable


@dataclass(frozen=True)
class Example:
    """One few-shot demonstration: keyword arguments and the output they should give."""

    inputs: dict[str, Any]
    output: Any


def _drop_titles(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _drop_titles(v) for k, v in schema.items() if k != "title"}
    if isinstance(schema, list):
        return [_drop_titles(v) for v in schema]
    return schema


@lru_cache(maxsize=256)
def return_schema(tp: Any) -> dict[str, Any] | None:
    """The JSON schema of return type ``tp``, titles dropped (shared: do not mutate); None when
    pydantic cannot describe the type."""
    try:
        return _drop_titles(TypeAdapter(tp).json_schema())
    except Exception:  # a type pydantic cannot describe
        return None


def structured_schema(tp: Any) -> dict[str, Any] | None:
    """The schema a ptool returning ``tp`` sends as its structured-output request; None for
    ``str`` (free text stays free), an empty schema (``Any``) or a type without a schema.

    Scalars (int, float, bool, Literal, Enum) get one too: llama.cpp and vLLM take any schema
    root; providers that take only object roots (OpenAI strict, Together) then send nothing
    (see :class:`ptp.models.Capabilities`). Measured on llama-cpp-python 0.3.36's server: its
    schema-to-grammar converter ignores ``minimum``/``maximum``, and an array without
    ``maxItems`` never closes, so return types meant for it should bound every list with
    ``Field(max_length=N)``.
    """
    if tp is str:
        return None
    return return_schema(tp) or None


@lru_cache(maxsize=256)
def output_instruction(tp: Any) -> str:
    """How the model should format its reply for return type ``tp``."""
    if tp is str:
        return "Reply with the answer text only."
    if tp in (int, float):
        return "Reply with the number only."
    if tp is bool:
        return "Reply with true or false only."
    if get_origin(tp) is Literal:
        return "Reply with exactly one of: " + ", ".join(json.dumps(a) for a in get_args(tp)) + "."
    if isinstance(tp, type) and issubclass(tp, Enum):
        return "Reply with exactly one of: " + ", ".join(json.dumps(m.value) for m in tp) + "."
    schema = _drop_titles(TypeAdapter(tp).json_schema())
    return "Reply with only a JSON value matching this JSON schema:\n" + json.dumps(
        schema, separators=(",", ":")
    )


BUDGET_FLOOR = 128
BUDGET_CEILING = 1024


@lru_cache(maxsize=256)
def completion_budget(tp: Any) -> int:
    """The default ``max_tokens`` of a ptool returning ``tp``.

    Rule: half a token per character of the return type's compact JSON schema (titles dropped),
    at least 128 and at most 1024 tokens. A reply is a value of that schema plus perhaps a
    sentence around it, so its length follows the schema's; without any budget a base model
    writes until the context is full. A ``str`` or a number gets the floor; an object with a
    dozen fields gets a few hundred tokens.
    """
    schema = return_schema(tp)
    if schema is None:  # a type pydantic cannot describe still gets a budget
        return BUDGET_FLOOR
    size = len(json.dumps(schema, separators=(",", ":")))
    return max(BUDGET_FLOOR, min(BUDGET_CEILING, size // 2))


def render_arguments(arguments: dict[str, Any]) -> str:
    """``name: value`` lines; strings verbatim, everything else as JSON."""
    lines = []
    for name, value in arguments.items():
        text = value if isinstance(value, str) else json.dumps(to_jsonable(value))
        lines.append(f"{name}: {text}")
    return "\n".join(lines)


def render_output(value: Any) -> str:
    """An example output as the model should write it."""
    data = to_jsonable(value)
    return data if isinstance(data, str) else json.dumps(data)


def system_text(name: str, signature: inspect.Signature, doc: str, return_type: Any) -> str:
    """The fixed part of the prompt: computed once per ptool."""
    # Module paths ("__main__.Trip", "typing.Literal") are noise to the model.
    shown = _MODULE_PATH.sub("", f"{name}{signature}")
    return f"You implement the function {shown}.\n{inspect.cleandoc(doc)}\n\n" + (
        output_instruction(return_type)
    )


_MODULE_PATH = re.compile(r"\b(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_])")


def build_messages(
    system: str, examples: tuple[Example, ...], arguments: dict[str, Any]
) -> list[dict[str, str]]:
    """Chat messages: instructions, then examples as user/assistant turns, then the call."""
    messages = [{"role": "system", "content": system}]
    for example in examples:
        messages.append({"role": "user", "content": render_arguments(example.inputs)})
        messages.append({"role": "assistant", "content": render_output(example.output)})
    messages.append({"role": "user", "content": render_arguments(arguments)})
    return messages
