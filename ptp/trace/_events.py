"""The trace data model: nested events, the same format for every agent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

EventKind = Literal["llm", "ptool", "tool", "step", "code", "agent"]


class Usage(BaseModel):
    """Token counts of one LLM call."""

    model_config = ConfigDict(frozen=True)

    prompt_tokens: int = 0
    completion_tokens: int = 0


class Event(BaseModel):
    """One recorded call; ``children`` are the calls made while it ran.

    ``latency_s`` is the call's latency as its kind defines it: for an ``llm`` event the
    model's own (measured live; on replay the latency recorded with the response, None when
    unknown), for every other kind its wall time. ``wall_s`` is the wall time in this run for
    every kind (for a replayed ``llm`` event: the replay time).
    """

    kind: EventKind
    name: str
    inputs: dict[str, Any] = Field(default_factory=dict)
    output: Any = None
    error: str | None = None
    usage: Usage | None = None
    cost_usd: float | None = None
    latency_s: float | None = None
    wall_s: float = 0.0
    started_at: float = 0.0
    children: list[Event] = Field(default_factory=list)

    def walk(self) -> Iterator[Event]:
        """This event and all its descendants, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


class Totals(BaseModel):
    """What a trace cost. ``cost_usd`` is None when any LLM call had no known price;
    ``latency_s`` (the models' latency summed over the LLM calls) is None when any call's
    latency is unknown; ``llm_wall_s`` is the LLM calls' wall time in this run."""

    llm_calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    latency_s: float | None
    llm_wall_s: float
    tool_calls: int
    steps: int
    errors: int


class Trace(BaseModel):
    """Everything recorded inside one ``ptp.recorder()`` block."""

    meta: dict[str, Any] = Field(default_factory=dict)
    started_at: float = 0.0
    wall_s: float = 0.0
    events: list[Event] = Field(default_factory=list)

    def walk(self) -> Iterator[Event]:
        """All events, depth first, in recording order."""
        for event in self.events:
            yield from event.walk()

    def find(self, kind: EventKind) -> list[Event]:
        """All events of one kind."""
        return [e for e in self.walk() if e.kind == kind]

    def totals(self) -> Totals:
        """Counts and sums over the whole trace."""
        llm = self.find("llm")
        costs = [e.cost_usd for e in llm]
        latencies = [e.latency_s for e in llm]
        return Totals(
            llm_calls=len(llm),
            prompt_tokens=sum(e.usage.prompt_tokens for e in llm if e.usage),
            completion_tokens=sum(e.usage.completion_tokens for e in llm if e.usage),
            cost_usd=None if any(c is None for c in costs) else sum(costs, 0.0),
            latency_s=None if any(t is None for t in latencies) else sum(latencies, 0.0),
            llm_wall_s=sum(e.wall_s for e in llm),
            tool_calls=len(self.find("tool")),
            steps=len(self.find("step")),
            errors=sum(1 for e in self.walk() if e.error is not None),
        )

    def save(self, path: str | Path) -> Path:
        """Write the trace as JSON; returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.model_dump_json(indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> Trace:
        """Read a trace written by :meth:`save`; a bad file raises ValueError naming it."""
        path = Path(path)
        try:
            return cls.model_validate_json(path.read_bytes())
        except (ValueError, json.JSONDecodeError) as err:
            raise ValueError(
                f"{path}: not a ptp trace ({err}); re-save it with Trace.save"
            ) from err

    def render(self, width: int = 100) -> str:
        """A readable indented text view, one line per event."""
        from ptp.trace._render import render_trace

        return render_trace(self, width)
