"""Test helpers: a fake model for unit tests (named as a fake; evals use real recordings)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

from ptp.models import Model, parse_spec

Reply = str | Callable[[dict[str, Any]], str]


class FakeModel(Model):
    """A ``Model`` whose server is a script of replies; no HTTP.

    Everything above the transport (tracing, usage, cost, concurrency, errors) is the real
    ``Model`` code. Token counts are whitespace word counts. ``requests`` keeps every payload.

        fake = FakeModel(['{"total": 3}'])
    """

    def __init__(self, replies: Iterable[Reply], spec: str = "local:gemma-3-270m") -> None:
        super().__init__(parse_spec(spec), api_key="fake")
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []

    def _respond(self, payload: dict[str, Any]) -> Any:
        self.requests.append(payload)
        if not self.replies:
            raise AssertionError("FakeModel ran out of scripted replies")
        reply = self.replies.pop(0)
        text = reply(payload) if callable(reply) else reply
        prompt = payload.get("prompt") or " ".join(m["content"] for m in payload["messages"])
        choice = SimpleNamespace(
            message=SimpleNamespace(content=text), text=text, finish_reason="stop"
        )
        usage = SimpleNamespace(
            prompt_tokens=len(prompt.split()), completion_tokens=len(text.split())
        )
        return SimpleNamespace(choices=[choice], usage=usage)

    def _send_sync(self, kind: str, payload: dict[str, Any]) -> Any:
        return self._respond(payload)

    async def _send_async(self, kind: str, payload: dict[str, Any]) -> Any:
        return self._respond(payload)
