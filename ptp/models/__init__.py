"""Model clients: ``get_model(spec)`` -> ``Model`` with chat/complete (sync and async), each
call returning a ``Completion`` with text, tokens, cost and latency, recorded in the trace.

    model = get_model("openai:gpt-4o-mini")
    reply = model.chat([{"role": "user", "content": "2+2?"}], temperature=0)
"""

from ptp.models._capabilities import CAPABILITIES, Capabilities, capabilities
from ptp.models._client import (
    DEFAULT_TIMEOUT_S,
    LATENCY_HEADER,
    Model,
    current_call_elapsed_ms,
    default_timeout_s,
    get_model,
    latency_from_headers,
)
from ptp.models._completion import Completion, ToolCall
from ptp.models._errors import (
    CassetteMissError,
    MissingAPIKeyError,
    ModelCallError,
    ModelError,
    ModelTimeoutError,
    ServerUnreachableError,
    UnknownProviderError,
)
from ptp.models._expert import ExpertModel, ExpertNotBoundError, ExpertReply, Policy
from ptp.models._local import LocalServer, gguf_path, is_healthy
from ptp.models._pricing import Price, cost_usd, price_table
from ptp.models._spec import ModelSpec, local_port, model_note, parse_spec

__all__ = [
    "CAPABILITIES",
    "DEFAULT_TIMEOUT_S",
    "LATENCY_HEADER",
    "Capabilities",
    "CassetteMissError",
    "Completion",
    "ExpertModel",
    "ExpertNotBoundError",
    "ExpertReply",
    "LocalServer",
    "MissingAPIKeyError",
    "Model",
    "ModelCallError",
    "ModelError",
    "ModelSpec",
    "ModelTimeoutError",
    "Policy",
    "Price",
    "ServerUnreachableError",
    "ToolCall",
    "UnknownProviderError",
    "capabilities",
    "cost_usd",
    "current_call_elapsed_ms",
    "default_timeout_s",
    "get_model",
    "gguf_path",
    "is_healthy",
    "latency_from_headers",
    "local_port",
    "model_note",
    "parse_spec",
    "price_table",
]
