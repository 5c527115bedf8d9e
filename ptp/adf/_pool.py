"""Weighted model pools with failover: an item goes to one endpoint (drawn by weight, or the
preferred one); on an error, a timeout or a refusal the next endpoint in preferred order gets
it. Each endpoint has its own concurrency limit; retries with backoff are the SDK's
(``max_retries``), not ptp's."""

from __future__ import annotations

import hashlib
import random
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ptp.models import CassetteMissError, ModelError, get_model
from ptp.trace import Trace, recorder, recording, span

from ._config import EndpointConfig, PoolConfig

__all__ = ["Attempt", "ModelFactory", "ModelPool", "PoolExhaustedError", "Refusal", "is_refusal"]

T = TypeVar("T")

_REFUSAL = re.compile(
    r"\b(I(?:'m| am)? (?:can(?:no|')t|unable to|not able to) (?:help|assist|do that|comply)"
    r"|I (?:won't|will not) (?:help|assist|do that)|as an AI(?: language model)?)\b",
    re.IGNORECASE,
)


def is_refusal(text: str | None) -> bool:
    """Whether a reply refuses the task ("I can't help with that", "As an AI ...")."""
    return bool(text) and _REFUSAL.search(text or "") is not None


class Refusal(ModelError):
    """The endpoint answered, but refused (or its run ended on a model error): fail over."""


class PoolExhaustedError(ModelError):
    """Every endpoint of a pool failed this item; ``attempts`` says how."""

    def __init__(self, message: str, attempts: list[Attempt]) -> None:
        super().__init__(message)
        self.attempts = attempts


@dataclass(frozen=True)
class Attempt:
    """One endpoint's try at an item."""

    spec: str
    ok: bool
    error: str = ""
    tokens: int = 0  # prompt + completion tokens the attempt spent (a failed one too)
    cost_usd: float | None = 0.0


ModelFactory = Callable[[str, Any], Any]
"""``factory(spec, task) -> model``: the model an endpoint uses for a task (bound to it)."""


def default_factory(endpoint: EndpointConfig) -> Callable[[str, Any], Any]:
    """Clients from specs (one per spec, shared by threads); expert policies bound per task."""
    clients: dict[str, Any] = {}
    lock = threading.Lock()

    def factory(spec: str, task: Any) -> Any:
        with lock:
            if spec not in clients:
                options: dict[str, Any] = {"max_retries": endpoint.max_retries}
                if endpoint.timeout_s is not None:
                    options["timeout_s"] = endpoint.timeout_s
                clients[spec] = get_model(spec, **options)
        model = clients[spec]
        bind = getattr(model, "for_task", None)
        return bind(task) if callable(bind) else model

    return factory


class ModelPool(Generic[T]):
    """A pool of endpoints; :meth:`run` tries them in order until one succeeds.

    Args:
        config: the endpoints, weights, order and limits.
        name: "teacher" or "reviewer" (for messages).
        factory: overrides how models are built (tests, the pytest plugin's replayed models).
    """

    def __init__(self, config: PoolConfig, name: str, factory: ModelFactory | None = None) -> None:
        self.config = config
        self.name = name
        self._limits = [threading.BoundedSemaphore(e.max_concurrency) for e in config.endpoints]
        self._factories = [factory or default_factory(e) for e in config.endpoints]

    def order(self, key: str) -> list[int]:
        """Endpoint indices in the order ``key``'s item tries them."""
        indices = list(range(len(self.config.endpoints)))
        if self.config.order == "preferred":
            return indices
        weights = [e.weight for e in self.config.endpoints]
        seed = int.from_bytes(hashlib.sha256(f"{self.name}:{key}".encode()).digest()[:8], "big")
        first = random.Random(seed).choices(indices, weights=weights)[0]
        return [first, *(i for i in indices if i != first)]

    def spec(self, index: int, family: str) -> str:
        return self.config.endpoints[index].spec.replace("{family}", family)

    def run(
        self, key: str, task: Any, family: str, work: Callable[[Any], T]
    ) -> tuple[str, T, Trace, list[Attempt]]:
        """``work(model)`` on the first endpoint that neither errs nor refuses.

        Returns:
            (the spec that answered, work's result, the trace of that attempt, all attempts).

        Raises:
            PoolExhaustedError: every endpoint failed (its ``attempts`` say how).
            CassetteMissError: on replay, a request no cassette holds (a harness error, never
                a failover).
        """
        attempts: list[Attempt] = []
        for index in self.order(key):
            spec = self.spec(index, family)
            outer = recording()
            with self._limits[index]:
                try:
                    with recorder(endpoint=spec) as trace:
                        model = self._factories[index](spec, task)
                        result = work(model)
                except CassetteMissError:
                    raise
                except ModelError as err:
                    error = f"{type(err).__name__}: {err}"[:300]
                    attempts.append(Attempt(spec, False, error, *_spent(trace)))
                    continue
                finally:
                    if outer:  # the attempt's events also join the caller's trace
                        _nest(trace, f"{self.name} {spec}")
            attempts.append(Attempt(spec, True, "", *_spent(trace)))
            return spec, result, trace, attempts
        tried = "; ".join(f"{a.spec}: {a.error}" for a in attempts)
        raise PoolExhaustedError(f"every {self.name} endpoint failed ({tried})", attempts)


def _spent(trace: Trace) -> tuple[int, float | None]:
    totals = trace.totals()
    return totals.prompt_tokens + totals.completion_tokens, totals.cost_usd


def _nest(trace: Trace, name: str) -> None:
    """Copy a finished inner trace's events under one ``agent`` event of the enclosing one."""
    with span("agent", name) as event:
        if event is not None:
            event.children.extend(trace.events)
