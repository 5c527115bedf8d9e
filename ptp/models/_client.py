"""``Model``: one chat / completion client per spec, sync and async, through the official SDKs
(openai for OpenAI, vLLM and the embedded server; together for Together), so every call is
plain HTTP that vcrpy can record and replay."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import weakref
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from ptp.models._completion import Completion
from ptp.models._errors import (
    CassetteMissError,
    MissingAPIKeyError,
    ModelCallError,
    ModelError,
    ServerUnreachableError,
)
from ptp.models._pricing import cost_usd
from ptp.models._spec import ModelSpec, parse_spec
from ptp.trace import Usage, span

Message = dict[str, Any]

_KEY_VARIABLES = {"openai": "OPENAI_API_KEY", "together": "TOGETHER_API_KEY"}
_START_HINTS = {
    "local": "start it with `ptp serve local:gemma-3-270m` (pytest starts it itself when "
    "recording: --record-mode=once)",
    "vllm": "start an OpenAI-compatible server there, e.g. `vllm serve <model> --port 8000`",
}


class Model:
    """A model behind an OpenAI-style HTTP API.

        model = get_model("local:gemma-3-270m")
        print(model.chat([{"role": "user", "content": "Hi"}], max_tokens=8).text)

    Retries with exponential backoff on 408/409/429/5xx, connection errors and timeouts are the
    SDK's own (``max_retries``); at most ``max_concurrency`` calls run at once per Model.
    """

    def __init__(
        self,
        spec: ModelSpec,
        *,
        api_key: str | None = None,
        max_retries: int = 3,
        timeout_s: float = 120.0,
        max_concurrency: int = 8,
        defaults: dict[str, Any] | None = None,
    ) -> None:
        self.spec = spec
        self.max_retries = max_retries
        self.timeout_s = timeout_s
        self.max_concurrency = max_concurrency
        self.defaults = dict(defaults or {})
        self._api_key = api_key or self._key_from_env()
        self._sync_slots = threading.BoundedSemaphore(max_concurrency)
        self._async_slots: weakref.WeakKeyDictionary[Any, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

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

    @cached_property
    def _aclient(self) -> Any:
        if self.spec.provider == "together":
            from together import AsyncTogether

            return AsyncTogether(**self._client_kwargs())
        from openai import AsyncOpenAI

        return AsyncOpenAI(**self._client_kwargs())

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
        return self._endpoint(self._client, kind).create(model=self.spec.name, **payload)

    async def _send_async(self, kind: str, payload: dict[str, Any]) -> Any:
        return await self._endpoint(self._aclient, kind).create(model=self.spec.name, **payload)

    def _call(self, kind: str, body: dict[str, Any], params: dict[str, Any]) -> Completion:
        payload = {**body, **self.defaults, **params}
        with span("llm", self.spec.spec, payload) as event:
            start = time.perf_counter()
            try:
                response = self._send_sync(kind, payload)
            except Exception as err:
                raise self._translate(err) from err
            completion = self._completion(kind, response, time.perf_counter() - start)
            _fill(event, completion)
            return completion

    async def _acall(self, kind: str, body: dict[str, Any], params: dict[str, Any]) -> Completion:
        payload = {**body, **self.defaults, **params}
        with span("llm", self.spec.spec, payload) as event:
            start = time.perf_counter()
            try:
                response = await self._send_async(kind, payload)
            except Exception as err:
                raise self._translate(err) from err
            completion = self._completion(kind, response, time.perf_counter() - start)
            _fill(event, completion)
            return completion

    def _completion(self, kind: str, response: Any, latency_s: float) -> Completion:
        if not getattr(response, "choices", None):
            raise ModelCallError(f"{self.spec.spec}: the response has no choices: {response!r}")
        choice = response.choices[0]
        text = choice.message.content if kind == "chat" else choice.text
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
        )

    def _translate(self, err: Exception) -> ModelError:
        """Turn an SDK exception into a ptp error that says what to do."""
        name = type(err).__name__
        chain = _cause_chain(err)
        if any(type(e).__name__ == "CannotOverwriteExistingCassetteException" for e in chain):
            return CassetteMissError(
                f"{self.spec.spec}: the cassette has no recorded answer for this request (the "
                "prompt or parameters changed, or the case was never recorded); re-record with "
                "--record-mode=once (see cassettes/README.md)"
            )
        if name in ("APIConnectionError", "APITimeoutError"):
            url = self.spec.base_url or str(getattr(self._client, "base_url", self.spec.provider))
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


def _fill(event: Any, completion: Completion) -> None:
    if event is None:
        return
    event.output = completion.text
    event.usage = Usage(
        prompt_tokens=completion.prompt_tokens, completion_tokens=completion.completion_tokens
    )
    event.cost_usd = completion.cost_usd


def get_model(spec: str | ModelSpec, **options: Any) -> Model:
    """The client for a model spec.

    Args:
        spec: ``local:gemma-3-270m``, ``openai:<model>``, ``together:<model>`` or
            ``vllm:<base_url>#<model>``.
        **options: api_key, max_retries, timeout_s, max_concurrency, defaults (params sent
            with every call).

    Raises:
        UnknownProviderError: the spec is malformed or names an unknown provider.
        MissingAPIKeyError: the provider needs a key and its variable is unset.
    """
    parsed = spec if isinstance(spec, ModelSpec) else parse_spec(spec)
    return Model(parsed, **options)
