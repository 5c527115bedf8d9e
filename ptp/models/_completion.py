"""The result of one model call."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ToolCall:
    """One native tool call of a chat reply, as the API returned it.

    ``arguments`` is the JSON text the model wrote (it may be malformed; callers parse it).
    """

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class Completion:
    """Text plus what it cost: tokens, USD (None when the price is unknown) and time.

    ``latency_s`` is the model's latency: measured live; on replay the one recorded with the
    response (None when the cassette does not state it). ``wall_s`` is how long this call took
    in this run (replay time when replaying). ``tool_calls`` are the reply's native tool calls
    (empty unless the request sent ``tools=`` and the model called some).
    """

    text: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    latency_s: float | None
    model: str
    finish_reason: str | None = None
    wall_s: float | None = None
    tool_calls: tuple[ToolCall, ...] = ()
