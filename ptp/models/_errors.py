"""Errors raised by model clients; each says what went wrong and what to do, on one line.

They sit in ptp's error tree (:mod:`ptp.errors`): every one is a ``PtpError``; a bad spec is
also a ``SpecError`` and a missing key a ``ConfigError``, so a run's configuration check can
catch those two without knowing about models.
"""

from __future__ import annotations

from ptp.errors import ConfigError, PtpError, SpecError


class ModelError(PtpError, RuntimeError):
    """Base class of every model-client error."""


class UnknownProviderError(ModelError, SpecError):
    """The spec is malformed (no provider, no model, a bad URL) or names an unknown provider."""


class MissingAPIKeyError(ModelError, ConfigError):
    """The provider needs a key and its environment variable is unset."""

    def __init__(self, provider: str, variable: str) -> None:
        super().__init__(
            f"{provider}: no API key; set the environment variable {variable} "
            f"(export {variable}=...) or pass api_key= to get_model()"
        )
        self.variable = variable


class ServerUnreachableError(ModelError):
    """No server answered at the model's base URL (connection refused, no route, DNS)."""

    def __init__(self, url: str, hint: str, cause: BaseException | None = None) -> None:
        detail = f" ({type(cause).__name__}: {cause})" if cause else ""
        super().__init__(f"cannot reach the model server at {url}{detail}; {hint}")
        self.url = url


class ModelTimeoutError(ModelError):
    """The server accepted the request but did not answer within the client's timeout."""

    def __init__(self, spec: str, url: str, timeout_s: float, attempts: int) -> None:
        tries = "" if attempts == 1 else f", each of {attempts} attempts"
        super().__init__(
            f"{spec}: the model server at {url} answered too slowly: no reply within the "
            f"{timeout_s:g} s timeout{tries}; raise the limit with "
            "get_model(..., timeout_s=SECONDS) or the environment variable PTP_TIMEOUT_S"
        )
        self.url = url
        self.timeout_s = timeout_s
        self.attempts = attempts


class CassetteMissError(ModelError):
    """In replay, the request has no recorded answer (usually: the prompt changed)."""


class ModelCallError(ModelError):
    """The server answered with an error status after retries."""
