"""Per-run overrides of ptool settings, scoped to a ``with`` block (a ContextVar, not a
global): ``with ptool_overrides(model="openai:gpt-4o-mini"): run_workflow()``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ptp.models import Model
    from ptp.ptool._impl import Implementation


@dataclass(frozen=True)
class RunOverrides:
    """Settings that apply to every ptool called inside the block."""

    model: str | Model | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    implementations: Mapping[str, Implementation] = field(default_factory=dict)


_NONE = RunOverrides()
_overrides: ContextVar[RunOverrides | None] = ContextVar("ptp_ptool_overrides", default=None)


def current_overrides() -> RunOverrides:
    """The overrides in force here."""
    return _overrides.get() or _NONE


@contextmanager
def ptool_overrides(
    model: str | Model | None = None,
    params: Mapping[str, Any] | None = None,
    implementations: Mapping[str, Implementation] | None = None,
) -> Iterator[RunOverrides]:
    """Override model, params or implementations (keyed by ptool name) inside the block.

    Nested blocks merge: inner settings win, outer ones stay for what the inner leaves unset.
    """
    outer = current_overrides()
    merged = RunOverrides(
        model=model if model is not None else outer.model,
        params={**outer.params, **(params or {})},
        implementations={**outer.implementations, **(implementations or {})},
    )
    token = _overrides.set(merged)
    try:
        yield merged
    finally:
        _overrides.reset(token)
