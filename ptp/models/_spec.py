"""Model specs: ``provider:name`` strings, parsed once."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ptp.models._errors import UnknownProviderError

LOCAL_MODELS = ("gemma-3-270m",)
LOCAL_HOST = "127.0.0.1"
DEFAULT_LOCAL_PORT = 8765  # fixed: cassettes match on the URL, so it must not drift


def local_port() -> int:
    """The embedded server's port: ``PTP_LOCAL_PORT`` or 8765."""
    return int(os.environ.get("PTP_LOCAL_PORT", DEFAULT_LOCAL_PORT))


@dataclass(frozen=True)
class ModelSpec:
    """A parsed spec: ``local:gemma-3-270m``, ``openai:gpt-4o-mini``, ``together:<model>``,
    ``vllm:<base_url>#<model>``."""

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
        return re.sub(r"[^A-Za-z0-9.]+", "-", tail).strip("-").lower()

    def __str__(self) -> str:
        return self.spec


PROVIDERS = ("local", "openai", "together", "vllm")


def parse_spec(spec: str) -> ModelSpec:
    """Parse a model spec string.

    Raises:
        UnknownProviderError: unknown provider or malformed spec; the message lists the forms.
    """
    forms = "local:gemma-3-270m, openai:<model>, together:<model>, vllm:<base_url>#<model>"
    provider, sep, rest = spec.partition(":")
    if not sep or not rest:
        raise UnknownProviderError(f"model spec {spec!r} has no provider; use one of: {forms}")
    if provider not in PROVIDERS:
        raise UnknownProviderError(
            f"unknown provider {provider!r} in model spec {spec!r}; use one of: {forms}"
        )
    if provider == "vllm":
        base_url, hash_, name = rest.rpartition("#")
        if not hash_ or not base_url or not name:
            raise UnknownProviderError(
                f"model spec {spec!r}: vllm needs vllm:<base_url>#<model>, "
                "e.g. vllm:http://127.0.0.1:8000/v1#Qwen/Qwen2.5-1.5B-Instruct"
            )
        return ModelSpec("vllm", name, base_url.rstrip("/"))
    if provider == "local":
        if rest not in LOCAL_MODELS:
            raise UnknownProviderError(
                f"model spec {spec!r}: the embedded models are {', '.join(LOCAL_MODELS)}"
            )
        return ModelSpec("local", rest, f"http://{LOCAL_HOST}:{local_port()}/v1")
    return ModelSpec(provider, rest)
