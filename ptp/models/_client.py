"""``Model``: one chat / completion client per spec, sync and async, through the official SDKs
(openai for OpenAI, vLLM and the embedded server; together for Together), so every call is
plain HTTP that vcrpy can record and replay.

Latency: a live call reports its wall time. A replayed call's wall time is the cassette's, not
the model's, so a Model made with ``replay=True`` reports the latency stored with the recorded
response instead: the :data:`LATENCY_HEADER` the recorder added (the client's measurement, from
:func:`current_call_elapsed_ms`), else the server's ``openai-processing-ms``, else None. A
response that carries :data:`LATENCY_HEADER` was replayed whatever the mode (a server never
sends it; the recorder adds it to the cassette only), so a recording session reports the
recorded latency of the cases it replays.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from functools import cache, cached_property
from types import SimpleNamespace
from typing import Any, NamedTuple

from ptp.errors import ConfigError
from ptp.models._completion import Completion, ToolCall
from ptp.models._errors import (
    CassetteMissError,
    MissingAPIKeyError,
    ModelCallError,
    ModelError,
    ModelTimeoutError,
    ServerUnreachableError,
)
from ptp.models._pricing import cost_usd
from ptp.models._spec import ModelSpec, parse_spec
from ptp.trace import Usage, span

Message = dict[str, Any]

_KEY_VARIABLES = {"openai": "OPENAI_API_KEY", "together": "TOGETHER_API_KEY"}
_START_HINTS = {
    "local": "start it with `ptp serve local:<model>` (pytest starts it itself when "
    "recording: --record-mode=once)",
    "vllm": "start an OpenAI-compatible server there, e.g. `vllm serve <model> --port 8000`",
}


LATENCY_HEADER = "x-ptp-latency-ms"
"""Response header the cassette recorder adds: the client-measured latency in milliseconds."""
SERVER_LATENCY_HEADER = "openai-processing-ms"  # sent by OpenAI and llama.cpp's server
DEFAULT_TIMEOUT_S = 120.0
TIMEOUT_VARIABLE = "PTP_TIMEOUT_S"

# perf_counter() when the current Model call started sending; a ContextVar, so that sync
# calls, threads (with ptp.trace.bind) and asyncio tasks each see their own call.
_call_started: ContextVar[float | None] = ContextVar("ptp_model_call_started", default=None)


def current_call_elapsed_ms() -> float | None:
    """Milliseconds since the current :class:`Model` call started sending; None outside one.

    Meant for vcrpy's ``before_record_response``, which runs synchronously in the caller's
    context right after the real response arrived: the recorder stores the value as the
    :data:`LATENCY_HEADER` of the recorded response. The time includes the SDK's retries
    within the call.
    """
    started = _call_started.get()
    return None if started is None else (time.perf_counter() - started) * 1000.0


def latency_from_headers(headers: Mapping[str, str] | None) -> float | None:
    """The model's latency in seconds as a recorded response states it: :data:`LATENCY_HEADER`,
    else ``openai-processing-ms``; None when neither holds a non-negative number."""
    if headers is None:
        return None
    for name in (LATENCY_HEADER, SERVER_LATENCY_HEADER):
        value = headers.get(name)
        if value is None:
            continue
        try:
            ms = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(ms) and ms >= 0:
            return ms / 1000.0
    return None


def default_timeout_s() -> float:
    """The per-request timeout when ``get_model`` gets none: ``PTP_TIMEOUT_S`` or 120 s.

    Raises:
        ConfigError: ``PTP_TIMEOUT_S`` is set but is not a positive number of seconds.
    """
    raw = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(
            f"environment variable {TIMEOUT_VARIABLE}={raw!r} is not a number of seconds; set "
            f"a positive number, e.g. {TIMEOUT_VARIABLE}=300, or unset it "
            f"(default {DEFAULT_TIMEOUT_S:g})"
        )
    return value


# The OpenAI-compatible endpoints. Requests go through the SDK's documented ``client.post``
# (its retries, errors and auth) with the body as ptp built it: the typed ``create`` methods
# would rebuild every payload (``_transform_recursive``: ~15% of a replay under cProfile).
_PATHS = {"chat": "/chat/completions", "complete": "/completions"}


@cache
def _http_response() -> type:
    """``cast_to`` for an unparsed reply: the HTTP response class of the openai SDK's client
    library (httpx2 for openai >= 3)."""
    import httpx2

    return httpx2.Response


class _Reply(NamedTuple):
    """What a send returns: the SDK's parsed response and the HTTP response headers."""

    response: Any
    headers: Mapping[str, str] | None


class Model:
    """A model behind an OpenAI-style HTTP API.

        model = get_model("local:gemma-3-270m")
        print(model.chat([{"role": "user", "content": "Hi"}], max_tokens=8).text)

    Retries with exponential backoff on 408/409/429/5xx, connection errors and timeouts are the
    SDK's own (``max_retries``); at most ``max_concurrency`` calls run at once per Model.
    A Model keeps no per-call state: one instance may serve many eval cases, threads and event
    loops (async SDK clients are kept per event loop).
    """

    def __init__(
        self,
        spec: ModelSpec,
        *,
        api_key: str | None = None,
        max_retries: int = 3,
        timeout_s: float | None = None,
        max_concurrency: int = 8,
        defaults: dict[str, Any] | None = None,
        replay: bool = False,
    ) -> None:
        self.spec = spec
        self.max_retries = max_retries
        self.timeout_s = default_timeout_s() if timeout_s is None else float(timeout_s)
        if not self.timeout_s > 0:
            raise ConfigError(f"{spec.spec}: timeout_s={timeout_s!r}; use a positive number")
        self.max_concurrency = max_concurrency
        self.defaults = dict(defaults or {})
        self.replay = replay
        self._api_key = api_key or self._key_from_env()
        self._sync_slots = threading.BoundedSemaphore(max_concurrency)
        self._async_slots: weakref.WeakKeyDictionary[Any, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )
        # an async client's connections belong to the loop that opened them
        self._aclients: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()

    def __repr__(self) -> str:
        return f"Model({self.spec.spec!r})"

    def _key_from_env(self) -> str:
        variable = _KEY_VARIABLES.get(self.spec.provider)
        if variable is None:  # local and vllm servers accept any key
            return os.environ.get("VLLM_API_KEY", "unused")
        key = os.environ.get(variable)
        if not key:
            raise MissingAPIKeyError(self.spec.spec, variable)
        return key

    # -- SDK clients, built once -------------------------------------------------------------
    def _client_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "api_key": self._api_key,
            "max_retries": self.max_retries,
            "timeout": self.timeout_s,
        }
        if self.spec.base_url:
            kwargs["base_url"] = self.spec.base_url
        return kwargs

    @cached_property
    def _client(self) -> Any:
        if self.spec.provider == "together":
            from together import Together

            return Together(**self._client_kwargs())
        from openai import OpenAI

        return OpenAI(**self._client_kwargs())

    @property
    def _aclient(self) -> Any:
        loop = asyncio.get_running_loop()
        client = self._aclients.get(loop)
        if client is None:
            if self.spec.provider == "together":
                from together import AsyncTogether

                client = AsyncTogether(**self._client_kwargs())
            else:
                from openai import AsyncOpenAI

                client = AsyncOpenAI(**self._client_kwargs())
            self._aclients[loop] = client
        return client

    # -- public API ---------------------------------------------------------------------------
    def chat(self, messages: Sequence[Message], **params: Any) -> Completion:
        """One chat completion. ``params`` go to the API (temperature, max_tokens, seed, stop)."""
        messages = list(messages)
        with self._sync_slots:
            return self._call("chat", {"messages": messages}, params)

    def complete(self, prompt: str, **params: Any) -> Completion:
        """One plain text completion (what base models need)."""
        with self._sync_slots:
            return self._call("complete", {"prompt": prompt}, params)

    async def achat(self, messages: Sequence[Message], **params: Any) -> Completion:
        """Async :meth:`chat`."""
        async with self._slots():
            return await self._acall("chat", {"messages": list(messages)}, params)

    async def acomplete(self, prompt: str, **params: Any) -> Completion:
        """Async :meth:`complete`."""
        async with self._slots():
            return await self._acall("complete", {"prompt": prompt}, params)

    # -- internals ----------------------------------------------------------------------------
    def _slots(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        slots = self._async_slots.get(loop)
        if slots is None:
            slots = self._async_slots[loop] = asyncio.Semaphore(self.max_concurrency)
        return slots

    def _endpoint(self, client: Any, kind: str) -> Any:
        return client.chat.completions if kind == "chat" else client.completions

    def _send_sync(self, kind: str, payload: dict[str, Any]) -> Any:
        """The API's answer as a ``_Reply`` (test doubles may return the parsed body alone)."""
        if self.spec.provider == "together":
            endpoint = self._endpoint(self._client, kind).with_raw_response
            raw = endpoint.create(model=self.spec.name, **payload)
            return _Reply(raw.parse(), raw.headers)
        response = self._client.post(_PATHS[kind], **self._post_args(payload))
        return _Reply(self._parse(response), response.headers)

    async def _send_async(self, kind: str, payload: dict[str, Any]) -> Any:
        if self.spec.provider == "together":
            endpoint = self._endpoint(self._aclient, kind).with_raw_response
            raw = await endpoint.create(model=self.spec.name, **payload)
            return _Reply(raw.parse(), raw.headers)
        response = await self._aclient.post(_PATHS[kind], **self._post_args(payload))
        return _Reply(self._parse(response), response.headers)

    def _post_args(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {"body": {"model": self.spec.name, **payload}, "cast_to": _http_response()}

    def _parse(self, response: Any) -> Any:
        """The JSON reply as attribute objects (``reply.choices[0].message.content``)."""
        try:
            return json.loads(response.content, object_hook=lambda d: SimpleNamespace(**d))
        except (ValueError, TypeError) as err:
            raise ModelCallError(
                f"{self.spec.spec}: the server's reply is not a JSON object "
                f"({err}): {response.text[:200]!r}"
            ) from err

    def _call(self, kind: str, body: dict[str, Any], params: dict[str, Any]) -> Completion:
        payload = {**body, **self.defaults, **params}
        with span("llm", self.spec.spec, payload) as event:
            start = time.perf_counter()
            token = _call_started.set(start)
            try:
                reply = self._send_sync(kind, payload)
            except Exception as err:
                self._failed(event, time.perf_counter() - start)
                raise self._translate(err) from err
            finally:
                _call_started.reset(token)
            return self._finish(event, kind, reply, time.perf_counter() - start)

    async def _acall(self, kind: str, body: dict[str, Any], params: dict[str, Any]) -> Completion:
        payload = {**body, **self.defaults, **params}
        with span("llm", self.spec.spec, payload) as event:
            start = time.perf_counter()
            token = _call_started.set(start)
            try:
                reply = await self._send_async(kind, payload)
            except Exception as err:
                self._failed(event, time.perf_counter() - start)
                raise self._translate(err) from err
            finally:
                _call_started.reset(token)
            return self._finish(event, kind, reply, time.perf_counter() - start)

    def _failed(self, event: Any, wall_s: float) -> None:
        # live, a failed call's latency is how long it took to fail; in replay it is unknown
        if event is not None and not self.replay:
            event.latency_s = wall_s

    def _finish(self, event: Any, kind: str, reply: Any, wall_s: float) -> Completion:
        response, headers = reply if isinstance(reply, _Reply) else (reply, None)
        # a response carrying the recorder's header came from a cassette, also in a recording
        # session (``--record-mode=once`` replays the cases it has)
        recorded = headers is not None and LATENCY_HEADER in headers
        latency_s = latency_from_headers(headers) if self.replay or recorded else wall_s
        completion = self._completion(kind, response, latency_s, wall_s)
        _fill(event, completion)
        return completion

    def _completion(
        self, kind: str, response: Any, latency_s: float | None, wall_s: float
    ) -> Completion:
        if not getattr(response, "choices", None):
            raise ModelCallError(f"{self.spec.spec}: the response has no choices: {response!r}")
        choice = response.choices[0]
        # a reply read as plain JSON may leave out null fields (the SDK's models default them)
        source = getattr(choice, "message", None) if kind == "chat" else choice
        text = getattr(source, "content" if kind == "chat" else "text", None)
        usage = getattr(response, "usage", None)
        prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        return Completion(
            text=text or "",
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost_usd=cost_usd(self.spec.spec, prompt_tokens, completion_tokens),
            latency_s=latency_s,
            model=self.spec.spec,
            finish_reason=getattr(choice, "finish_reason", None),
            wall_s=wall_s,
            tool_calls=_tool_calls(source) if kind == "chat" else (),
        )

    def _translate(self, err: Exception) -> ModelError:
        """Turn an SDK exception into a ptp error that says what to do."""
        name = type(err).__name__
        chain = _cause_chain(err)
        miss = next(
            (e for e in chain if type(e).__name__ == "CannotOverwriteExistingCassetteException"),
            None,
        )
        if miss is not None:
            path = getattr(getattr(miss, "cassette", None), "_path", None) or "the cassette"
            return CassetteMissError(
                f"{self.spec.spec}: {path} has no recorded answer for this request (the "
                "prompt or parameters changed, or the case was never recorded); re-record with "
                "--record-mode=once (see cassettes/README.md)"
            )
        if name in ("APIConnectionError", "APITimeoutError"):
            url = self.spec.base_url or str(getattr(self._client, "base_url", self.spec.provider))
            # the SDK says "timeout" for a slow connect too; only a connected request is "slow"
            connected = not any(type(e).__name__ == "ConnectTimeout" for e in chain)
            if name == "APITimeoutError" and connected:
                return ModelTimeoutError(self.spec.spec, url, self.timeout_s, self.max_retries + 1)
            hint = _START_HINTS.get(self.spec.provider, "check the network and the provider status")
            return ServerUnreachableError(url, hint, chain[-1])
        if name in ("AuthenticationError", "PermissionDeniedError"):
            variable = _KEY_VARIABLES.get(self.spec.provider, "the API key")
            return ModelCallError(f"{self.spec.spec}: the server refused the key; check {variable}")
        status = getattr(err, "status_code", None)
        if status is not None:
            return ModelCallError(f"{self.spec.spec}: HTTP {status}: {err}")
        if isinstance(err, ModelError):
            return err
        return ModelCallError(f"{self.spec.spec}: {name}: {err}")


def _cause_chain(err: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = err
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _tool_calls(message: Any) -> tuple[ToolCall, ...]:
    """The native tool calls of a chat reply's message (none when it has no such field)."""
    calls = []
    for call in getattr(message, "tool_calls", None) or ():
        function = getattr(call, "function", None)
        if function is not None:
            arguments = getattr(function, "arguments", None) or ""
            calls.append(ToolCall(str(getattr(call, "id", "")), str(function.name), arguments))
    return tuple(calls)


def _fill(event: Any, completion: Completion) -> None:
    if event is None:
        return
    event.output = completion.text
    if completion.tool_calls:  # a reply that only calls tools has no text: keep the calls
        event.output = {
            "text": completion.text,
            "tool_calls": [
                {"id": c.id, "name": c.name, "arguments": c.arguments}
                for c in completion.tool_calls
            ],
        }
    event.usage = Usage(
        prompt_tokens=completion.prompt_tokens, completion_tokens=completion.completion_tokens
    )
    event.cost_usd = completion.cost_usd
    event.latency_s = completion.latency_s  # the model's; the span records its own wall_s


def get_model(spec: str | ModelSpec, **options: Any) -> Model:
    """The client for a model spec.

    Args:
        spec: ``local:gemma-3-270m``, ``openai:<model>``, ``together:<model>``,
            ``vllm:<base_url>#<model>``, or ``expert:<family>``: a family's expert policy
            (an :class:`~ptp.models.ExpertModel`, which quacks like a Model and must be
            bound with ``.for_task(task)`` before use).
        **options: api_key, max_retries, timeout_s (per request; default ``PTP_TIMEOUT_S`` or
            120), max_concurrency, defaults (params sent with every call), replay (True when
            the responses come from cassettes: latency is then read from the recorded headers).

    Raises:
        UnknownProviderError: the spec is malformed or names an unknown provider (or a
            family without an expert policy).
        MissingAPIKeyError: the provider needs a key and its variable is unset.
        ConfigError: ``PTP_TIMEOUT_S`` or ``PTP_LOCAL_PORT`` is set to a bad value.
    """
    parsed = spec if isinstance(spec, ModelSpec) else parse_spec(spec)
    if parsed.provider == "expert":  # no HTTP: the family's policy answers
        from ptp.models._expert import ExpertModel

        return ExpertModel(parsed, **options)  # type: ignore[return-value]  # a Model by duck
    return Model(parsed, **options)
