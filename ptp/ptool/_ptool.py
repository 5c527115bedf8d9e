"""``@ptool``: a typed stub whose signature and docstring become the prompt and whose return
type validates the model's reply."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any, Generic, ParamSpec, TypeVar, get_type_hints, overload

from ptp.models import Capabilities, Model, ModelSpec, capabilities, get_model
from ptp.parse import OutputParseError, parse_as
from ptp.ptool._context import current_overrides
from ptp.ptool._impl import LLM, Implementation
from ptp.ptool._prompt import (
    Example,
    build_messages,
    completion_budget,
    structured_schema,
    system_text,
)
from ptp.trace import span, to_jsonable

P = ParamSpec("P")
R = TypeVar("R")


class PToolError(ValueError):
    """The model never gave a usable reply; ``attempts`` keeps every raw output."""

    def __init__(self, name: str, attempts: list[str], error: str) -> None:
        last = attempts[-1] if attempts else ""
        super().__init__(
            f"ptool {name}: no valid output after {len(attempts)} attempt(s): {error}; "
            f"last raw output: {last[:300]!r}"
        )
        self.ptool = name
        self.attempts = attempts
        self.raw = last


class PToolConfigError(ValueError):
    """A ptool is missing something it needs (a model, type hints)."""


@lru_cache(maxsize=32)
def _model_for(spec: str) -> Model:
    # One client per spec and process: building an SDK client costs milliseconds.
    return get_model(spec)


@dataclass(frozen=True)
class PTool(Generic[R]):
    """An LLM-backed function. Call it like the stub; see :func:`ptool`."""

    fn: Callable[..., R]
    model: str | Model | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    examples: tuple[Example, ...] = ()
    retries: int = 2
    implementation: Implementation = field(default_factory=LLM)
    structured: bool = True

    @property
    def name(self) -> str:
        return self.fn.__name__

    @cached_property
    def _hints(self) -> dict[str, Any]:
        return get_type_hints(self.fn)

    @cached_property
    def signature(self) -> inspect.Signature:
        """The stub's signature with string annotations resolved."""
        sig = inspect.signature(self.fn)
        params = [
            p.replace(annotation=self._hints.get(p.name, p.annotation))
            for p in sig.parameters.values()
        ]
        return sig.replace(parameters=params, return_annotation=self.return_type)

    @cached_property
    def return_type(self) -> Any:
        if "return" not in self._hints:
            raise PToolConfigError(f"ptool {self.name}: add a return type annotation to the stub")
        return self._hints["return"]

    @cached_property
    def default_max_tokens(self) -> int:
        """The completion budget sent when nothing sets ``max_tokens``: from the return type's
        JSON schema (see :func:`ptp.ptool._prompt.completion_budget`: half a token per schema
        character, between 128 and 1024)."""
        return completion_budget(self.return_type)

    @cached_property
    def system(self) -> str:
        """The fixed instructions, built once."""
        if not self.fn.__doc__:
            raise PToolConfigError(f"ptool {self.name}: add a docstring; it is the instruction")
        return system_text(self.name, self.signature, self.fn.__doc__, self.return_type)

    @cached_property
    def _formats(self) -> dict[Capabilities, dict[str, Any] | None]:
        return {}  # per provider kind, filled on first use

    def response_format_for(self, model: Any) -> dict[str, Any] | None:
        """The ``response_format`` a call through ``model`` sends on its own: the return type's
        JSON schema in the form ``model``'s provider takes (:func:`ptp.models.capabilities`),
        computed once per ptool and provider kind. None when ``structured`` is off, the model
        has no ``spec`` (a test double), the return type is ``str`` or the provider cannot take
        this schema (see :func:`ptp.ptool._prompt.structured_schema`)."""
        spec = getattr(model, "spec", None)
        if not self.structured or not isinstance(spec, ModelSpec | str):
            return None
        caps = capabilities(spec)
        if caps not in self._formats:
            schema = structured_schema(self.return_type)
            self._formats[caps] = (
                None if schema is None else caps.response_format(schema, self.name)
            )
        return self._formats[caps]

    # -- configuration ------------------------------------------------------------------------
    def options(self, **changes: Any) -> PTool[R]:
        """A copy with other settings (model, params, examples, retries, implementation,
        structured).

        ``max_tokens=N`` is a shorthand for ``params={**params, "max_tokens": N}``; None sends
        no limit at all.
        """
        if "max_tokens" in changes:
            params = changes.get("params", self.params)
            changes["params"] = {**params, "max_tokens": changes.pop("max_tokens")}
        if "examples" in changes:
            changes["examples"] = tuple(_as_example(e) for e in changes["examples"])
        return replace(self, **changes)

    def bind(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The call's arguments by parameter name, defaults applied."""
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return dict(bound.arguments)

    def messages(self, *args: Any, **kwargs: Any) -> list[dict[str, str]]:
        """The chat messages a call with these arguments sends."""
        return build_messages(self.system, self.examples, self.bind(*args, **kwargs))

    # -- calling ------------------------------------------------------------------------------
    def _resolve(self) -> tuple[Implementation, Model, dict[str, Any]]:
        run = current_overrides()
        impl = run.implementations.get(self.name, self.implementation)
        choice = run.model if run.model is not None else self.model
        model: Any = choice
        if isinstance(choice, str):
            model = _model_for(choice)
        return impl, model, self._params(model, run.params)

    def _params(self, model: Any, run_params: Mapping[str, Any]) -> dict[str, Any]:
        """What each call sends: the ptool's params, then the run's; ``max_tokens`` defaults to
        :attr:`default_max_tokens` unless the model's own defaults set a budget, and an explicit
        ``max_tokens=None`` sends no limit. ``response_format`` likewise: an explicit one wins,
        None sends none, else :meth:`response_format_for` when it has one."""
        params = {**self.params, **run_params}
        defaults = getattr(model, "defaults", {})
        budgets = ("max_tokens", "max_completion_tokens")
        if "max_tokens" in params and params["max_tokens"] is None:
            del params["max_tokens"]
        elif not any(k in params or k in defaults for k in budgets):
            params["max_tokens"] = self.default_max_tokens
        if "response_format" in params:
            if params["response_format"] is None:
                del params["response_format"]
        elif "response_format" not in defaults:
            fmt = self.response_format_for(model)
            if fmt is not None:
                params["response_format"] = fmt
        return params

    def __call__(self, *args: Any, **kwargs: Any) -> R:
        arguments = self.bind(*args, **kwargs)
        impl = self._resolve()[0]
        with span("ptool", self.name, {**arguments, "_impl": impl.name}) as event:
            value = impl(self, arguments)
            if event is not None:
                event.output = to_jsonable(value)
            return value

    async def acall(self, *args: Any, **kwargs: Any) -> R:
        """Async call (the LLM implementation uses the model's async client)."""
        arguments = self.bind(*args, **kwargs)
        impl = self._resolve()[0]
        with span("ptool", self.name, {**arguments, "_impl": impl.name}) as event:
            value = await impl.acall(self, arguments)
            if event is not None:
                event.output = to_jsonable(value)
            return value

    def ask_llm(self, arguments: dict[str, Any]) -> R:
        """Ask the model; on a reply that does not parse, re-ask with the error."""
        _, model, params = self._resolve()
        messages = self._start(model, arguments)
        attempts: list[str] = []
        while True:
            reply = model.chat(messages, **params).text
            value, error = self._parse(reply, attempts)
            if error is None:
                return value
            messages = self._reask(messages, reply, error, attempts)

    async def aask_llm(self, arguments: dict[str, Any]) -> R:
        """Async :meth:`ask_llm`."""
        _, model, params = self._resolve()
        messages = self._start(model, arguments)
        attempts: list[str] = []
        while True:
            reply = (await model.achat(messages, **params)).text
            value, error = self._parse(reply, attempts)
            if error is None:
                return value
            messages = self._reask(messages, reply, error, attempts)

    def _start(self, model: Model | None, arguments: dict[str, Any]) -> list[dict[str, str]]:
        if model is None:
            raise PToolConfigError(
                f"ptool {self.name}: no model; pass @ptool(model=...), .options(model=...) "
                "or use `with ptool_overrides(model=...)`"
            )
        return build_messages(self.system, self.examples, arguments)

    def _parse(self, reply: str, attempts: list[str]) -> tuple[Any, str | None]:
        attempts.append(reply)
        try:
            return parse_as(reply, self.return_type), None
        except OutputParseError as err:
            return None, str(err)

    def _reask(
        self, messages: list[dict[str, str]], reply: str, error: str, attempts: list[str]
    ) -> list[dict[str, str]]:
        if len(attempts) > self.retries:
            raise PToolError(self.name, attempts, error)
        return [
            *messages,
            {"role": "assistant", "content": reply},
            {"role": "user", "content": f"That reply could not be used: {error}. Try again."},
        ]


def _as_example(example: Example | tuple[Mapping[str, Any], Any]) -> Example:
    if isinstance(example, Example):
        return example
    inputs, output = example
    return Example(dict(inputs), output)


@overload
def ptool(fn: Callable[P, R], /) -> PTool[R]: ...


@overload
def ptool(
    *,
    model: str | Model | None = None,
    examples: Iterable[Example | tuple[Mapping[str, Any], Any]] = (),
    retries: int = 2,
    structured: bool = True,
    **params: Any,
) -> Callable[[Callable[P, R]], PTool[R]]: ...


def ptool(
    fn: Callable[P, R] | None = None,
    /,
    *,
    model: str | Model | None = None,
    examples: Iterable[Example | tuple[Mapping[str, Any], Any]] = (),
    retries: int = 2,
    structured: bool = True,
    **params: Any,
) -> PTool[R] | Callable[[Callable[P, R]], PTool[R]]:
    """Turn a typed stub into an LLM-backed function.

        @ptool(model="local:gemma-3-270m", temperature=0)
        def extract_trip(text: str) -> Trip:
            '''Read the passenger's class, route and bags from the text.'''

    Args:
        fn: the stub (its body is never run by the LLM implementation).
        model: spec or Model; a run may override it with ``ptool_overrides``.
        examples: few-shot ``Example(inputs, output)`` or ``(inputs, output)`` pairs.
        retries: re-asks after a reply that does not parse or validate.
        structured: send the return type's JSON schema as the provider's structured-output
            request (``response_format``, in the form :func:`ptp.models.capabilities` gives
            for the model's provider), so the server constrains decoding to it. Not for a
            ``str`` return, a model without a ``spec``, or a schema the provider cannot take
            (OpenAI strict mode: an object root, no ``dict[str, X]`` or tuples). False sends
            none (also ``.options(structured=False)``). An explicit ``response_format`` param
            (here, in ``.options`` or ``ptool_overrides``) wins; ``response_format=None``
            sends none. The prompt still states the schema. For llama.cpp, bound lists with
            ``Field(max_length=N)``: an array without ``maxItems`` never closes there.
        **params: sent with every call (temperature, max_tokens, seed, ...). Without
            ``max_tokens`` a call sends :attr:`PTool.default_max_tokens` (from the return
            type's schema, 128..1024); override it here, with ``.options(max_tokens=N)`` for
            one call, or ``ptool_overrides(params={"max_tokens": N})`` for a block of calls;
            ``max_tokens=None`` sends no limit.

    Returns:
        A :class:`PTool`; ``.options(...)`` gives variants, ``implementation=`` swaps the engine.
    """

    def decorate(stub: Callable[P, R]) -> PTool[R]:
        return PTool(
            fn=stub,
            model=model,
            params=dict(params),
            examples=tuple(_as_example(e) for e in examples),
            retries=retries,
            structured=structured,
        )

    return decorate(fn) if fn is not None else decorate
