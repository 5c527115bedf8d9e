"""Errors raised by model clients; each says what went wrong and what to do."""

from __future__ import annotations


class ModelError(RuntimeError):
    """Base class of every model-client error."""


class UnknownProviderError(ModelError, ValueError):
    """The spec names a provider ptp does not know."""


class MissingAPIKeyError(ModelError):
    """The provider needs a key and its environment variable is unset."""

    def __init__(self, provider: str, variable: str) -> None:
        super().__init__(
            f"{provider}: no API key; set the environment variable {variable} "
            f"(export {variable}=...) or pass api_key= to get_model()"
        )
        self.variable = variable


class ServerUnreachableError(ModelError):
    """No server answered at the model's base URL."""

    def __init__(self, url: str, hint: str, cause: BaseException | None = None) -> None:
        detail = f" ({type(cause).__name__}: {cause})" if cause else ""
        super().__init__(f"cannot reach the model server at {url}{detail}; {hint}")
        self.url = url


class CassetteMissError(ModelError):
    """In replay, the request has no recorded answer (usually: the prompt changed)."""


class ModelCallError(ModelError):
    """The server answered with an error status after retries."""
