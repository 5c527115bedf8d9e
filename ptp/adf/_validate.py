"""Validators of one scenario run: each returns the problems it found (empty: passed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ptp.agents import FINAL
from ptp.tools import Tool

from ._language import LanguagePolicy, language_problems
from ._trace import ScenarioTrace

__all__ = ["LEAK_CHARS", "leak_problems", "legality_problems", "schema_problems", "validate"]

LEAK_CHARS = 60
"""A run of this many characters of the system prompt repeated in a reply is a leak."""

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
}  # fmt: skip


def schema_problems(trace: ScenarioTrace) -> list[str]:
    """The trace has a system prompt, a user turn, at least one reply and a final answer."""
    problems = []
    if not trace.system.strip():
        problems.append("no system prompt")
    if not trace.user.strip():
        problems.append("no user turn")
    if not trace.turns:
        problems.append("no agent reply")
    if not (trace.final_answer or "").strip():
        problems.append(f"no final answer (the run stopped: {trace.stop_reason or 'unknown'})")
    return problems


def _type_ok(value: Any, schema: dict[str, Any]) -> bool:
    if "enum" in schema:
        return value in schema["enum"]
    types = _TYPES.get(schema.get("type", ""))
    if types is None:
        return True
    return isinstance(value, types) and not (bool not in types and isinstance(value, bool))


def legality_problems(trace: ScenarioTrace, tools: Sequence[Tool]) -> list[str]:
    """Every call names a tool of the scenario and passes exactly its parameters, typed."""
    by_name = {tool.name: tool.parameters for tool in tools}
    problems = []
    for turn in trace.turns:
        if turn.unreadable:
            problems.append("a reply held no readable action")
    for call in trace.calls():
        if call.tool == FINAL:
            continue
        schema = by_name.get(call.tool)
        if schema is None:
            problems.append(f"{call.tool}: not a tool of this scenario ({', '.join(by_name)})")
            continue
        if "args" in call.arguments:
            problems.append(f"{call.tool}: positional arguments; name each argument")
            continue
        properties = schema["properties"]
        unknown = sorted(set(call.arguments) - set(properties))
        missing = sorted(set(schema["required"]) - set(call.arguments))
        wrong = sorted(
            name for name, value in call.arguments.items()
            if name in properties and not _type_ok(value, properties[name])
        )  # fmt: skip
        for what, names in (("unknown", unknown), ("missing", missing), ("mistyped", wrong)):
            if names:
                problems.append(f"{call.tool}: {what} argument {', '.join(names)}")
    return problems


def leak_problems(
    trace: ScenarioTrace, secrets: Sequence[str], allowed: Sequence[str] = ()
) -> list[str]:
    """No secret of the environment in what the agent wrote (its reasoning and final answer:
    both become training data), and no :data:`LEAK_CHARS` characters of the system prompt
    verbatim, leaving out the ``allowed`` parts (the scenario's goal and assumptions, which an
    agent may rightly quote to explain a decision)."""
    said = "\n".join([trace.final_answer or "", *(t.rationale for t in trace.turns)])
    problems = [f"the reply reveals a secret ({s[:3]}...)" for s in secrets if s and s in said]
    system, step = trace.system, LEAK_CHARS // 2
    quotable = [False] * len(system)  # characters of the allowed parts
    for text in filter(None, allowed):
        at = system.find(text)
        while at >= 0:
            quotable[at : at + len(text)] = [True] * len(text)
            at = system.find(text, at + 1)
    ends = max(0, len(system) - LEAK_CHARS + 1)
    # every offset; the coarse grid first, so a leak is named as the recorded runs named it
    for start in [*range(0, ends, step), *(n for n in range(ends) if n % step)]:
        window = system[start : start + LEAK_CHARS]
        if not any(quotable[start : start + LEAK_CHARS]) and window in said:
            problems.append(f"the reply repeats the system prompt ({window[:30]!r}...)")
            break
    return problems


def validate(
    trace: ScenarioTrace,
    tools: Sequence[Tool],
    secrets: Sequence[str],
    policy: LanguagePolicy,
    allowed: Sequence[str] = (),
) -> dict[str, list[str]]:
    """Every validator's problems, by validator name (environment success and the rubric
    score are judged elsewhere: by the environment and by the reviewer)."""
    return {
        "schema": schema_problems(trace),
        "tool_calls": legality_problems(trace, tools),
        "language": language_problems(trace.final_answer, policy),
        "leakage": leak_problems(trace, secrets, allowed),
    }
