"""Plain-text rendering of a trace."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ptp.trace._events import Event, Trace


def _short(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _line(event: Event, depth: int, width: int) -> str:
    parts = [f"{'  ' * depth}{event.kind} {event.name}"]
    if event.usage:
        parts.append(f"tok={event.usage.prompt_tokens}+{event.usage.completion_tokens}")
    if event.cost_usd is not None:
        parts.append(f"${event.cost_usd:.6f}")
    parts.append("?ms" if event.latency_s is None else f"{event.latency_s * 1000:.1f}ms")
    head = " ".join(parts)
    if event.error is not None:
        return f"{head} ERROR {_short(event.error, max(20, width - len(head)))}"
    return f"{head} -> {_short(event.output, max(20, width - len(head) - 4))}"


def render_trace(trace: Trace, width: int = 100) -> str:
    """One line per event, children indented, then a totals line."""
    lines: list[str] = []

    def visit(event: Event, depth: int) -> None:
        lines.append(_line(event, depth, width))
        for child in event.children:
            visit(child, depth + 1)

    for event in trace.events:
        visit(event, 0)
    t = trace.totals()
    cost = "unknown" if t.cost_usd is None else f"${t.cost_usd:.6f}"
    latency = "unknown" if t.latency_s is None else f"{t.latency_s:.3f}s"
    lines.append(
        f"= {t.llm_calls} llm calls, {t.prompt_tokens}+{t.completion_tokens} tokens, cost {cost}, "
        f"model latency {latency}, {t.tool_calls} tool calls, {t.steps} steps, "
        f"{t.errors} errors, wall {trace.wall_s:.3f}s"
    )
    return "\n".join(lines)
