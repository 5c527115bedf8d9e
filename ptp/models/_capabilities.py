"""What each provider's API accepts beyond plain chat, as data: structured output (how a JSON
Schema is sent) and native tool calling.

    caps = capabilities(model.spec)
    params["response_format"] = caps.response_format(schema, name="Trip")  # None: no support

Facts behind the table (measured or from the providers' docs):
- OpenAI: ``response_format={"type": "json_schema", "json_schema": {"name", "schema",
  "strict": true}}``; ``tools=`` with function definitions.
- Together: ``response_format`` ``json_schema`` in OpenAI's form and ``tools=`` (from its
  docs, not tested here; older docs show ``{"type": "json_object", "schema": ...}``).
- vLLM (OpenAI-compatible): ``response_format`` ``json_schema`` as OpenAI's (``guided_json``
  on servers before 0.6); ``tools=`` needs the server started with
  ``--enable-auto-tool-choice``, so it is off by default here.
- llama-cpp-python 0.3.36's server: only ``{"type": "json_object", "schema": ...}`` works
  (``"json_schema"`` answers HTTP 500); its schema-to-grammar converter ignores
  ``minimum``/``maximum`` and an array without ``maxItems`` never closes. Tool calling needs a
  function-calling chat format, which the embedded models' templates are not.
- ``expert:<family>`` (a family's expert policy, :mod:`ptp.models._expert`): it replies with
  native tool calls, so ReAct runs it in its ``tools`` mode; it sends no schema anywhere (its
  replies are written by code, well-formed by construction).

Schema roots: OpenAI strict mode needs an object at the root; Together is held to objects too
(not verified otherwise); llama.cpp's converter takes any root (``{"type": "integer"}``,
``{"enum": [...]}``) and so do vLLM's guided-decoding backends (from their docs, not measured).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from ptp.models._spec import ModelSpec, parse_spec

__all__ = ["CAPABILITIES", "Capabilities", "StructuredOutput", "capabilities", "strict_schema"]

StructuredOutput = Literal["json_schema_strict", "json_schema", "json_object_schema"]


@dataclass(frozen=True)
class Capabilities:
    """What a provider accepts.

    Attributes:
        structured_output: how a JSON Schema is sent (None: the provider has no such option;
            the prompt alone asks for the format).
        tool_calling: the API takes ``tools=`` and replies with ``tool_calls``.
        any_root: a schema's root may be something other than an object (an array, a number,
            an enum); False: only object roots are sent.
    """

    structured_output: StructuredOutput | None = None
    tool_calling: bool = False
    any_root: bool = False

    def response_format(self, schema: dict[str, Any], name: str) -> dict[str, Any] | None:
        """The ``response_format`` request parameter that enforces ``schema``; None when the
        provider cannot enforce one or cannot take this schema (a non-object root where only
        objects go; for strict mode, a schema :func:`strict_schema` cannot convert).

        ``name`` is cut to what OpenAI accepts (``[A-Za-z0-9_-]``, 64 characters).
        """
        if self.structured_output is None:
            return None
        schema = _inline_root(schema)
        if not self.any_root and schema.get("type") != "object":
            return None
        if self.structured_output == "json_schema_strict":
            strict = strict_schema(schema)
            if strict is None:
                return None
            return {
                "type": "json_schema",
                "json_schema": {"name": _schema_name(name), "schema": strict, "strict": True},
            }
        if self.structured_output == "json_schema":
            return {
                "type": "json_schema",
                "json_schema": {"name": _schema_name(name), "schema": schema},
            }
        if self.structured_output == "json_object_schema":
            return {"type": "json_object", "schema": schema}
        return None


CAPABILITIES: dict[str, Capabilities] = {
    "openai": Capabilities("json_schema_strict", tool_calling=True),
    "together": Capabilities("json_schema", tool_calling=True),
    "vllm": Capabilities("json_schema", tool_calling=False, any_root=True),
    "local": Capabilities("json_object_schema", tool_calling=False, any_root=True),
    "expert": Capabilities(None, tool_calling=True),
}
"""Provider -> capabilities. Edit the data, not the callers."""


def capabilities(spec: ModelSpec | str) -> Capabilities:
    """The capabilities of the provider of ``spec`` (a spec string or a parsed spec)."""
    parsed = spec if isinstance(spec, ModelSpec) else parse_spec(spec)
    return CAPABILITIES.get(parsed.provider, Capabilities())


def _inline_root(schema: dict[str, Any]) -> dict[str, Any]:
    """A root that is only a ``$ref`` into ``$defs`` (pydantic's form for a recursive model)
    replaced by the definition it names, so that the root is the object itself."""
    ref = schema.get("$ref")
    defs = schema.get("$defs", {})
    if not isinstance(ref, str) or not ref.startswith("#/$defs/") or len(schema) != 2:
        return schema
    target = defs.get(ref.removeprefix("#/$defs/"))
    return {**target, "$defs": defs} if isinstance(target, dict) else schema


def _schema_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)[:64] or "output"


# Kept as they are in strict mode; other annotations and bounds (default, minLength, uniqueItems,
# examples, discriminator, ...) are dropped: the reply is validated against the full type anyway.
_STRICT_KEEP = frozenset(
    {"type", "required", "enum", "const", "description", "title", "pattern", "minimum"}
    | {"maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems"}
)
# Structure that strict mode cannot express: no schema is sent for a type that needs it.
_STRICT_REJECT = frozenset(
    {"prefixItems", "patternProperties", "propertyNames", "not", "if", "then", "else"}
    | {"dependentSchemas", "unevaluatedProperties", "unevaluatedItems"}
)
_STRICT_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
)


class _NotStrict(Exception):
    pass


def strict_schema(schema: dict[str, Any]) -> dict[str, Any] | None:
    """``schema`` rewritten for OpenAI's strict mode, or None when it cannot be.

    Every object gets ``additionalProperties: false`` and lists all its properties in
    ``required`` (an optional field stays nullable through its ``anyOf [..., null]``); ``oneOf``
    becomes ``anyOf``; a single ``allOf`` is inlined; ``$ref`` loses its siblings; keywords
    outside :data:`_STRICT_KEEP` are dropped (extra keys beside named fields are closed off).
    None for: a root that is not an object, an object without named fields (``dict[str, X]``),
    a tuple of mixed item types (``prefixItems``; a tuple of one type becomes an array with
    ``minItems``/``maxItems``), an untyped value (``Any``).
    """
    if schema.get("type") != "object":
        return None
    try:
        return _strict(schema)
    except _NotStrict:
        return None


def _same_type_tuple(node: dict[str, Any]) -> dict[str, Any]:
    """A fixed-length tuple of one item type (``tuple[float, float, float]``) as the array it
    is: strict mode has no ``prefixItems`` but keeps ``minItems``/``maxItems``."""
    prefix = node.get("prefixItems")
    if not isinstance(prefix, list) or not prefix or any(p != prefix[0] for p in prefix):
        return node
    rest = {k: v for k, v in node.items() if k not in ("prefixItems", "items")}
    return {**rest, "items": prefix[0], "minItems": len(prefix), "maxItems": len(prefix)}


def _strict(node: Any) -> dict[str, Any]:
    if isinstance(node, dict):
        node = _same_type_tuple(node)
    if not isinstance(node, dict) or _STRICT_REJECT & node.keys():
        raise _NotStrict
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    if "allOf" in node:
        if len(node["allOf"]) != 1:
            raise _NotStrict
        merged = {**node, **node["allOf"][0]}
        del merged["allOf"]
        return _strict(merged)
    if "oneOf" in node:
        node = {**{k: v for k, v in node.items() if k != "oneOf"}, "anyOf": node["oneOf"]}
    if not {"type", "anyOf", "enum", "const"} & node.keys():
        raise _NotStrict  # Any: strict mode has no "any value"
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("$defs", "properties"):
            out[key] = {name: _strict(sub) for name, sub in value.items()}
        elif key == "items":
            out[key] = _strict(value)
        elif key == "anyOf":
            out[key] = [_strict(v) for v in value]
        elif key in _STRICT_KEEP or (key == "format" and value in _STRICT_FORMATS):
            out[key] = value
    if out.get("type") == "object" or "properties" in out:
        if not out.get("properties"):
            raise _NotStrict  # open keys only (dict[str, X]): closed, only {} would fit
        out["additionalProperties"] = False
        out["required"] = list(out["properties"])
    return out
