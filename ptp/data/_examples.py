"""Training examples cut from traces, exactly as the model saw them.

An example is the ``messages`` the client sent (system prompt, few-shot turns, tool
observations, all as sent), the ``tools`` and ``response_format`` of the request, and the
model's replies as assistant turns marked ``weight: 1``, the turns that carry the loss. The
chat template is applied at training time by the template the server used
(``ptp.train.render``), so a student trains on the text it will be served.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from pydantic import BaseModel

SPACES = re.compile(r"\s+")
# Request parameters that shape what the model saw and are kept beside the messages.
REQUEST_KEYS = ("tools", "response_format")


class ExampleMeta(BaseModel):
    """Where an example came from: enough to find the trace and to split or filter."""

    family: str
    task_id: str
    teacher: str
    regime: str = ""
    level: str = ""
    scenario: str = ""  # an agentic-dataset scenario (ptp.adf)
    style: str = ""  # a reasoning style (ptp.tasks.reasoning)
    seed: int = 0
    epoch: int = 0
    split: str = "train"
    commit: str = ""
    case_id: str = ""
    trace: str = ""
    call: int = 0  # the call's position among the trace's LLM calls
    ptool: str = ""  # the ptool that made the call, "" for an agent step
    score: float = 0.0


class ChatExample(BaseModel):
    """One LLM call as OpenAI chat fine-tuning data (``messages``, ``tools``) plus the
    request's ``response_format`` and ptp's metadata."""

    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None = None
    response_format: dict[str, Any] | None = None
    metadata: ExampleMeta

    @property
    def replies(self) -> list[dict[str, Any]]:
        """The turns the model wrote (``weight`` 1): the ones that carry the loss."""
        return [m for m in self.messages if m.get("weight") == 1]

    def content_hash(self) -> str:
        """SHA-256 of the normalized conversation (messages, tools, response format; whitespace
        runs collapsed; metadata left out): equal hashes are exact duplicates."""
        body = {"messages": [_normalized(m) for m in self.messages], "tools": self.tools,
                "response_format": self.response_format}  # fmt: skip
        text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def variable_text(self) -> str:
        """What near-duplicate detection compares: every turn but the system prompt, which
        all examples of one workflow share."""
        turns = [m for m in self.messages if m.get("role") != "system"]
        return " ".join(_turn_text(m) for m in turns)


def _normalized(message: dict[str, Any]) -> dict[str, Any]:
    content = message.get("content")
    if isinstance(content, str):
        return {**message, "content": SPACES.sub(" ", content).strip()}
    return message


def _turn_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    text = content if isinstance(content, str) else json.dumps(content, sort_keys=True)
    calls = message.get("tool_calls") or []
    return " ".join([text or "", *(json.dumps(c, sort_keys=True) for c in calls)])


def reply_message(output: Any) -> dict[str, Any]:
    """The assistant turn for a recorded ``llm`` event output (text, or text + tool calls)."""
    if isinstance(output, dict) and "tool_calls" in output:
        calls = [
            {"id": c["id"], "type": "function",
             "function": {"name": c["name"], "arguments": c["arguments"]}}
            for c in output["tool_calls"]
        ]  # fmt: skip
        return {"role": "assistant", "content": output.get("text") or None, "tool_calls": calls}
    return {"role": "assistant", "content": "" if output is None else str(output)}


def llm_calls(events: list[dict[str, Any]], parent: str = "") -> list[tuple[str, dict]]:
    """The trace's ``llm`` events in recording order, each with the name of the ptool that
    made it ("" when an agent step did)."""
    found: list[tuple[str, dict]] = []
    for event in events:
        if event.get("kind") == "llm":
            found.append((parent, event))
        owner = event.get("name", "") if event.get("kind") == "ptool" else parent
        found.extend(llm_calls(event.get("children") or [], owner))
    return found


def _same_turn(sent: dict[str, Any], kept: dict[str, Any]) -> bool:
    """Whether a message the client sent is the turn already kept (an agent re-sends its
    history; a reply is compared on role, text and tool calls, not on a ``weight`` mark)."""

    def key(m: dict[str, Any]) -> tuple:
        calls = [(c.get("function", c).get("name"), c.get("function", c).get("arguments"))
                 for c in m.get("tool_calls") or []]  # fmt: skip
        return m.get("role"), m.get("content") or None, calls

    return sent == kept or key(sent) == key(kept)


def _continues(messages: list[dict[str, Any]], chain: list[dict[str, Any]]) -> bool:
    return len(messages) > len(chain) and all(
        _same_turn(sent, kept) for sent, kept in zip(messages, chain, strict=False)
    )


def examples_from_trace(
    trace: dict[str, Any], meta: dict[str, Any]
) -> tuple[list[ChatExample], list[tuple[int, str]]]:
    """The trace's LLM calls as examples, and the calls left out, each with the reason.

    Calls that continue one conversation (each call's messages are the previous call's
    messages, its reply, and new turns: an agent's steps) become one example whose replies
    are marked ``weight: 1``; assistant turns the model did not write in this trace (few-shot
    demonstrations) are marked ``weight: 0`` (OpenAI's fine-tuning format). Independent calls
    (a workflow's ptools) are examples of their own.

    Args:
        trace: a saved trace as parsed JSON (``Trace.save``'s format).
        meta: the ``ExampleMeta`` fields the trace's result row gives (``call`` and ``ptool``
            are filled here: the conversation's first call).
    """
    examples: list[ChatExample] = []
    skipped: list[tuple[int, str]] = []
    chain: list[dict[str, Any]] = []  # the open conversation, replies marked weight 1
    first: tuple[int, str, dict[str, Any]] | None = None

    def close() -> None:
        if first is not None and chain:
            number, ptool, inputs = first
            examples.append(ChatExample(
                messages=chain, **{key: inputs.get(key) for key in REQUEST_KEYS},
                metadata=ExampleMeta(**meta, call=number, ptool=ptool),
            ))  # fmt: skip

    for number, (ptool, event) in enumerate(llm_calls(trace.get("events") or [])):
        inputs = event.get("inputs") or {}
        messages = inputs.get("messages")
        if event.get("error"):
            skipped.append((number, "the call failed: " + str(event["error"])[:80]))
            continue
        if not isinstance(messages, list):
            skipped.append((number, "a text-completion call (no chat messages)"))
            continue
        reply = {**reply_message(event.get("output")), "weight": 1}
        same_request = first is not None and all(
            inputs.get(k) == first[2].get(k) for k in REQUEST_KEYS
        )
        if same_request and _continues(messages, chain):
            chain = [*chain, *messages[len(chain) :], reply]
        else:
            close()
            prompt = [{**m, "weight": 0} if m.get("role") == "assistant" else m for m in messages]
            chain, first = [*prompt, reply], (number, ptool, inputs)
    close()
    return examples, skipped
