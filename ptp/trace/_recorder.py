"""Recording: ``with recorder() as trace`` collects events from every call made inside it.

The current trace and parent event live in a ContextVar, so asyncio tasks nest correctly
(each task copies the context at creation). Plain threads start with an empty context:
wrap their target with :func:`bind` (``asyncio.to_thread`` already copies it).
"""

from __future__ import annotations

import functools
import inspect
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from ptp.trace._events import Event, EventKind, Trace
from ptp.trace._jsonable import to_jsonable

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class _Frame:
    trace: Trace
    parent: Event | None
    lock: threading.Lock = field(default_factory=threading.Lock)


_current: ContextVar[_Frame | None] = ContextVar("ptp_trace_frame", default=None)


@contextmanager
def recorder(**meta: Any) -> Iterator[Trace]:
    """Record every LLM, ptool, tool and step call made inside the block.

    Args:
        **meta: free-form labels stored on the trace (task id, level, ...).

    Returns:
        The Trace, filled in as calls happen; ``wall_s`` is set when the block exits.
    """
    trace = Trace(meta=to_jsonable(meta), started_at=time.time())
    token = _current.set(_Frame(trace, None))
    start = time.perf_counter()
    try:
        yield trace
    finally:
        trace.wall_s = time.perf_counter() - start
        _current.reset(token)


def recording() -> bool:
    """True inside a ``recorder()`` block."""
    return _current.get() is not None


@contextmanager
def span(
    kind: EventKind, name: str, inputs: dict[str, Any] | None = None
) -> Iterator[Event | None]:
    """Record one event around the block; yields None when nothing is recording.

    The caller may set ``output``, ``usage`` and ``cost_usd`` on the yielded event; an
    exception is stored as ``error`` and re-raised. The block's duration becomes ``wall_s``,
    and ``latency_s`` too, except for ``llm`` events, whose latency the model client sets.
    """
    frame = _current.get()
    if frame is None:
        yield None
        return
    event = Event(kind=kind, name=name, inputs=to_jsonable(inputs or {}), started_at=time.time())
    with frame.lock:
        siblings = frame.parent.children if frame.parent is not None else frame.trace.events
        siblings.append(event)
    token = _current.set(_Frame(frame.trace, event, frame.lock))
    start = time.perf_counter()
    try:
        yield event
    except BaseException as err:
        event.error = f"{type(err).__name__}: {err}"
        raise
    finally:
        event.wall_s = time.perf_counter() - start
        if kind != "llm":
            event.latency_s = event.wall_s
        _current.reset(token)


def _bound_inputs(fn: Callable[..., Any], args: tuple, kwargs: dict) -> dict[str, Any]:
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except TypeError:
        return {"args": list(args), **kwargs}
    return dict(bound.arguments)


def traced(kind: EventKind, name: str | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator: record each call of a function (sync or async) as one event of ``kind``."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        label = name or fn.__name__
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
                with span(kind, label, _bound_inputs(fn, args, kwargs)) as event:
                    result = await fn(*args, **kwargs)
                    if event is not None:
                        event.output = to_jsonable(result)
                    return result

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with span(kind, label, _bound_inputs(fn, args, kwargs)) as event:
                result = fn(*args, **kwargs)
                if event is not None:
                    event.output = to_jsonable(result)
                return result

        return wrapper

    return decorate


def step(fn: Callable[P, R]) -> Callable[P, R]:
    """Mark a Python function as a workflow step: each call becomes a ``step`` event."""
    return traced("step")(fn)


def bind(fn: Callable[P, R]) -> Callable[P, R]:
    """Carry the current trace into another thread: ``pool.submit(bind(work), x)``."""
    context = copy_context()

    @functools.wraps(fn)
    def run_in_context(*args: P.args, **kwargs: P.kwargs) -> R:
        return context.copy().run(fn, *args, **kwargs)

    return run_in_context
