"""Model specs: ``provider:name`` strings, parsed once."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ptp.errors import ConfigError
from ptp.models._errors import UnknownProviderError

LOCAL_MODELS = ("gemma-3-270m",)
LOCAL_HOST = "127.0.0.1"
DEFAULT_LOCAL_PORT = 8765  # fixed: cassettes match on the URL, so it must not drift


def local_port() -> int:
    """The embedded server's port: ``PTP_LOCAL_PORT`` or 8765.

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
FORMS = "local:gemma-3-270m, openai:<model>, together:<model>, vllm:<base_url>#<model>"
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
        example = "local:gemma-3-270m" if provider == "local" else f"{provider}:<model>"
        raise UnknownProviderError(f"model spec {spec!r} lacks a model name; e.g. {example}")
    if provider == "local":
        if rest not in LOCAL_MODELS:
            raise UnknownProviderError(
                f"model spec {spec!r}: the embedded models are {', '.join(LOCAL_MODELS)}"
            )
        return ModelSpec("local", rest, f"http://{LOCAL_HOST}:{local_port()}/v1")
    return ModelSpec(provider, rest)


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
