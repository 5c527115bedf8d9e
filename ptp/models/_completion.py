"""The result of one model call."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Completion:
    """Text plus what it cost: tokens, USD (None when the price is unknown) and time.

    ``latency_s`` is the model's latency: measured live; on replay the one recorded with the
    response (None when the cassette does not state it). ``wall_s`` is how long this call took
    in this run (replay time when replaying).
    """

    text: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    latency_s: float | None
    model: str
    finish_reason: str | None = None
    wall_s: float | None = None
