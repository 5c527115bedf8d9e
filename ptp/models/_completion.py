"""The result of one model call."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Completion:
    """Text plus what it cost: tokens, USD (None when the price is unknown) and seconds."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    latency_s: float
    model: str
    finish_reason: str | None = None
