"""ReAct (L3): the model reasons and acts through tools; ptp runs the actions and answers with
their results, until ``final_answer(...)``, a step or token limit, or repeated failures.

    agent = ReActAgent(model, tools, instructions="Compute the total bag fees.")
    result = agent.run(problem_text)

How a reply carries actions depends on what the model's provider accepts (:func:`choose_mode`):

- ``tools``: native tool calling (``tools=``); a reply may call several tools, each answered by
  a ``role: tool`` message;
- ``json``: structured output constrains the reply to :func:`actions_schema` (a thought and up
  to ``max_actions`` actions), so a run cannot fail on unreadable text; one Observation message
  numbers the results;
- ``text``: ``Thought:`` / ``Action: tool(arg=value)`` lines, one action a reply (models with
  neither capability, and test doubles without a ``spec``).

Every mode also reads the other forms as a fallback. Actions run in order; ``final_answer``
ends the run at once (later actions in that reply are not run). A failing tool is an
observation, not the end: the run continues. Stop reasons (:data:`StopReason`):
``final_answer``; ``parse_failure`` when ``max_failures`` replies in a row held no readable
action; ``tool_error`` when ``max_failures`` replies in a row held only failing tool calls;
``token_limit`` when prompt + completion tokens reach ``max_tokens``; ``model_error`` when the
server answered a call with an error (``ModelCallError``; other model errors, e.g. a cassette
miss, propagate); ``step_limit`` after ``max_steps`` replies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ptp.agents._actions import (
    ANSWER_SCHEMA,
    FINAL,
    Action,
    ActionParseError,
    actions_schema,
    parse_action,
    parse_arguments,
    parse_json_actions,
    tool_definitions,
)
from ptp.agents._result import ReActResult
from ptp.models import Completion, Model, ModelCallError, ModelSpec, capabilities
from ptp.models._completion import ToolCall
from ptp.tools import Tool, ToolError, tool_table
from ptp.trace import span

__all__ = ["MAX_ACTIONS", "MAX_FAILURES", "Mode", "ReActAgent", "choose_mode"]

Mode = Literal["tools", "json", "text"]
MAX_ACTIONS = 8
"""Actions one reply may carry (the schema's ``maxItems``; more native calls are not run)."""
MAX_FAILURES = 3
"""Replies in a row without a readable action (or with only failing calls) that end a run."""

TEXT_PROMPT = """{instructions}

You can call these tools:
{tools}
- {final}(answer): finish with the answer.

Work step by step. Each reply has exactly two lines:
Thought: what to do next
Action: a call such as tool_name(arg=value)
After each action you get an Observation line with its result."""

JSON_PROMPT = """{instructions}

You can call these tools:
{tools}
- {final}(answer): finish with the answer.

Work step by step. Each reply is one JSON object: a short thought and the actions to run now,
in order (at most {max_actions}; put several in one reply when they do not need each other's
results):
{{"thought": "what to do next", "actions": [{{"tool": "tool_name", "arguments": {{"arg": 1}}}}]}}
After each reply you get an Observation with the result of each action.
Finish with the action {{"tool": "{final}", "arguments": {{"answer": ...}}}}."""

TOOLS_PROMPT = """{instructions}

Work step by step with the tools. Call several tools at once when they do not need each
other's results. When you know the answer, call {final} with it."""

_PROMPTS = {"text": TEXT_PROMPT, "json": JSON_PROMPT, "tools": TOOLS_PROMPT}
_Item = tuple[str | None, Action | ActionParseError]  # (native call id, action or its error)


def choose_mode(model: Any) -> Mode:
    """``tools`` where the provider does tool calling, ``json`` where it enforces a JSON
    Schema, else (or when ``model`` has no ``spec``) ``text``."""
    spec = getattr(model, "spec", None)
    if not isinstance(spec, ModelSpec):
        return "text"
    caps = capabilities(spec)
    if caps.tool_calling:
        return "tools"
    return "json" if caps.structured_output else "text"


@dataclass
class ReActAgent:
    """A generic ReAct loop over any tool set; it knows tasks only through ``tools``.

    ``mode`` None picks one from the model (:func:`choose_mode`). ``max_tokens`` caps the
    prompt + completion tokens of the whole run; ``params`` go to every call (the per-reply
    ``max_tokens`` among them). ``answer_schema`` is the JSON Schema of final_answer's
    argument in the ``json`` and ``tools`` modes.
    """

    model: Model
    tools: Sequence[Tool]
    instructions: str
    max_steps: int = 8
    max_tokens: int = 20_000
    params: dict[str, Any] | None = None
    mode: Mode | None = None
    max_actions: int = MAX_ACTIONS
    max_failures: int = MAX_FAILURES
    answer_schema: dict[str, Any] = field(default_factory=lambda: dict(ANSWER_SCHEMA))

    def system_prompt(self, mode: Mode = "text") -> str:
        return _PROMPTS[mode].format(
            instructions=self.instructions,
            tools=tool_table(self.tools),
            final=FINAL,
            max_actions=self.max_actions,
        )

    def request_params(self, mode: Mode) -> dict[str, Any]:
        """What each call sends besides the messages, in ``mode``."""
        extra: dict[str, Any] = {}
        if mode == "text":
            extra["stop"] = ["Observation:"]
        elif mode == "tools":
            extra["tools"] = tool_definitions(self.tools, self.answer_schema)
        else:
            spec = getattr(self.model, "spec", None)
            schema = actions_schema(self.tools, self.max_actions, self.answer_schema)
            form = capabilities(spec).response_format(schema, "react_step") if spec else None
            if form is not None:
                extra["response_format"] = form
        return {**extra, **(self.params or {})}

    def run(self, task: str) -> ReActResult:
        """Solve ``task``; every step is a ``step`` event with its LLM and tool calls inside."""
        mode = self.mode or choose_mode(self.model)
        by_name = {t.name: t for t in self.tools}
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": self.system_prompt(mode)},
            {"role": "user", "content": task},
        ]
        params = self.request_params(mode)
        result = ReActResult(None, "step_limit", 0, messages)
        kinds: list[str] = []  # per reply: "ok", "parse" (nothing readable) or "tool" (all failed)
        with span("agent", "react", {"task": task, "mode": mode}) as agent_event:
            for step in range(1, self.max_steps + 1):
                result.steps = step
                with span("step", f"react step {step}") as event:
                    try:
                        reply = self.model.chat(messages, **params)
                    except ModelCallError as err:
                        result.stop_reason, result.error = "model_error", str(err)
                        if event is not None:
                            event.output = f"Error: {err}"
                        break
                    result.tokens += reply.prompt_tokens + reply.completion_tokens
                    messages.append(_assistant(reply, mode))
                    kind, done, shown = self._step(reply, mode, by_name, result, messages)
                    if event is not None:
                        event.output = shown
                kinds.append(kind)
                if done:
                    break
                failed = kinds[-self.max_failures :]
                if len(failed) == self.max_failures and len(set(failed)) == 1 and kind != "ok":
                    result.stop_reason = "parse_failure" if kind == "parse" else "tool_error"
                    break
                if result.tokens >= self.max_tokens:
                    result.stop_reason = "token_limit"
                    break
            if agent_event is not None:
                agent_event.output = {"answer": result.answer, "stop_reason": result.stop_reason}
        return result

    def _step(
        self,
        reply: Completion,
        mode: Mode,
        tools: dict[str, Tool],
        result: ReActResult,
        messages: list[dict[str, Any]],
    ) -> tuple[str, bool, str]:
        """Run one reply's actions; append the observations. Returns (kind, done, shown)."""
        try:
            items = _read(reply, mode)
        except ActionParseError as err:
            result.parse_errors += 1
            text = f"Error: {err}"
            messages.append({"role": "user", "content": f"Observation: {text}"})
            return "parse", False, text
        outcomes: list[tuple[str | None, str, str]] = []  # (call id, rendered call, observation)
        kinds = []
        for number, (call_id, item) in enumerate(items, 1):
            if isinstance(item, ActionParseError):
                result.parse_errors += 1
                outcomes.append((call_id, "?", f"Error: {item}"))
                kinds.append("parse")
                continue
            if number > self.max_actions:
                note = f"Error: not run; at most {self.max_actions} actions a reply"
                outcomes.append((call_id, item.render(), note))
                continue
            if item.name == FINAL:
                values = [*item.args, *item.kwargs.values()]
                if len(values) == 1:
                    result.answer, result.stop_reason = values[0], "final_answer"
                    ran = [f"{call} -> {text}" for _, call, text in outcomes]
                    return "ok", True, "\n".join([*ran, f"{FINAL}({values[0]!r})"])
                result.parse_errors += 1
                note = f"Error: {FINAL} takes exactly one argument, the answer"
                outcomes.append((call_id, item.render(), note))
                kinds.append("parse")
                continue
            result.tool_calls += 1
            ok, text = _call(item, tools)
            result.tool_errors += not ok
            outcomes.append((call_id, item.render(), text))
            kinds.append("ok" if ok else "tool")
        shown = _observe(outcomes, messages)
        if "ok" in kinds or not kinds:
            return "ok", False, shown
        return ("parse" if set(kinds) == {"parse"} else "tool"), False, shown


def _assistant(reply: Completion, mode: Mode) -> dict[str, Any]:
    """The reply as the conversation keeps it (native calls included)."""
    if mode == "tools" and reply.tool_calls:
        return {
            "role": "assistant",
            "content": reply.text or None,
            "tool_calls": [_call_message(c) for c in reply.tool_calls],
        }
    return {"role": "assistant", "content": reply.text.strip()}


def _call_message(call: ToolCall) -> dict[str, Any]:
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    }


def _read(reply: Completion, mode: Mode) -> list[_Item]:
    """The reply's actions in its mode's form, else in another form.

    Raises:
        ActionParseError: no form holds an action (the message is the mode's own).
    """
    if mode == "tools" and reply.tool_calls:
        items: list[_Item] = []
        for call in reply.tool_calls:
            try:
                items.append((call.id, parse_arguments(call.id, call.name, call.arguments)))
            except ActionParseError as err:
                items.append((call.id, err))
        return items
    readers = [_json, _text] if mode == "json" else [_text, _json]
    errors = []
    for reader in readers:
        try:
            return reader(reply.text)
        except ActionParseError as err:
            errors.append(err)
    if mode == "tools":
        raise ActionParseError(f"no tool call; call a tool, or {FINAL} with the answer")
    cut = "; the reply was cut at max_tokens, send fewer actions"
    raise ActionParseError(f"{errors[0]}{cut if reply.finish_reason == 'length' else ''}")


def _json(text: str) -> list[_Item]:
    return [(None, a) for a in parse_json_actions(text)]


def _text(text: str) -> list[_Item]:
    return [(None, parse_action(text))]


def _call(action: Action, tools: dict[str, Tool]) -> tuple[bool, str]:
    """Run one tool call: (succeeded, observation)."""
    tool = tools.get(action.name)
    if tool is None:
        names = ", ".join([*tools, FINAL])
        return False, f"Error: unknown tool {action.name!r}; the tools are {names}"
    try:
        return True, repr(tool(*action.args, **action.kwargs))
    except (ToolError, ValueError, TypeError, KeyError) as err:
        return False, f"Error: {err}"
    except Exception as err:  # a tool that breaks on odd input: the model reads it, the run goes on
        return False, f"Error: {type(err).__name__}: {err}"


def _observe(outcomes: list[tuple[str | None, str, str]], messages: list[dict[str, Any]]) -> str:
    """Append the observations: tool messages for native calls, else one user message."""
    if outcomes and all(call_id is not None for call_id, _, _ in outcomes):
        for call_id, _, text in outcomes:
            messages.append({"role": "tool", "tool_call_id": call_id, "content": text})
        return "\n".join(f"{call} -> {text}" for _, call, text in outcomes)
    if len(outcomes) == 1:
        shown = outcomes[0][2]
        messages.append({"role": "user", "content": f"Observation: {shown}"})
        return shown
    shown = "\n".join(f"{n}. {call} -> {text}" for n, (_, call, text) in enumerate(outcomes, 1))
    messages.append({"role": "user", "content": f"Observation:\n{shown}"})
    return shown
