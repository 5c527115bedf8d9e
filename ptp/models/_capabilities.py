"""What each provider's API accepts beyond plain chat, as data: structured output (how a JSON
Schema is sent) and native tool calling.

    caps = capabilities(model.spec)
    params["response_format"] = caps.response_format(schema, name="Trip")  # None: no support

Facts behind the table (measured or from the providers' docs):
- OpenAI: ``response_format={"type": "json_schema", "json_schema": {"name", "schema",
  "strict": true}}``; ``tools=`` with function definitions.
- Together: ``response_format`` ``json_schema`` in OpenAI's form; ``tools=``.
- vLLM (OpenAI-compatible): ``response_format`` ``json_schema`` as OpenAI's (``guided_json``
  on servers before 0.6); ``tools=`` needs the server started with
  ``--enable-auto-tool-choice``, so it is off by default here.
- llama-cpp-python 0.3.36's server: only ``{"type": "json_object", "schema": ...}`` works
  (``"json_schema"`` answers HTTP 500); its schema-to-grammar converter ignores
  ``minimum``/``maximum`` and an array without ``maxItems`` never closes. Tool calling needs a
  function-calling chat format, which the embedded models' templates are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ptp.models._spec import ModelSpec, parse_spec

__all__ = ["CAPABILITIES", "Capabilities", "StructuredOutput", "capabilities"]

StructuredOutput = Literal["json_schema_strict", "json_schema", "json_object_schema"]


@dataclass(frozen=True)
class Capabilities:
    """What a provider accepts.

    Attributes:
        structured_output: how a JSON Schema is sent (None: the provider has no such option;
            the prompt alone asks for the format).
        tool_calling: the API takes ``tools=`` and replies with ``tool_calls``.
    """

    structured_output: StructuredOutput | None = None
    tool_calling: bool = False

    def response_format(self, schema: dict[str, Any], name: str) -> dict[str, Any] | None:
        """The ``response_format`` request parameter that enforces ``schema``; None when the
        provider cannot enforce one."""
        if self.structured_output == "json_schema_strict":
            return {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": schema, "strict": True},
            }
        if self.structured_output == "json_schema":
            return {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}
        if self.structured_output == "json_object_schema":
            return {"type": "json_object", "schema": schema}
        return None


CAPABILITIES: dict[str, Capabilities] = {
    "openai": Capabilities("json_schema_strict", tool_calling=True),
    "together": Capabilities("json_schema", tool_calling=True),
    "vllm": Capabilities("json_schema", tool_calling=False),
    "local": Capabilities("json_object_schema", tool_calling=False),
}
"""Provider -> capabilities. Edit the data, not the callers."""


def capabilities(spec: ModelSpec | str) -> Capabilities:
    """The capabilities of the provider of ``spec`` (a spec string or a parsed spec)."""
    parsed = spec if isinstance(spec, ModelSpec) else parse_spec(spec)
    return CAPABILITIES.get(parsed.provider, Capabilities())
