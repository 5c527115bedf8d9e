"""What an agent run returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

StopReason = Literal[
    "final_answer", "step_limit", "token_limit", "parse_failure", "tool_error", "model_error"
]
"""Why a run ended. ``parse_failure`` and ``tool_error`` are ReAct's: several replies in a row
gave no readable action, or only failing tool calls (see :class:`ptp.agents.ReActAgent`)."""


@dataclass
class AgentResult:
    """The answer (None unless the agent finished), why it stopped, and its conversation."""

    answer: Any
    stop_reason: StopReason
    steps: int
    messages: list[dict[str, Any]] = field(default_factory=list)
    tokens: int = 0

    @property
    def finished(self) -> bool:
        return self.stop_reason == "final_answer"


@dataclass
class ReActResult(AgentResult):
    """An :class:`AgentResult` plus ReAct's counts and the model error that ended it, if any.

    ``tool_calls`` counts the actions that named a tool other than ``final_answer`` (unknown
    names included); ``tool_errors`` those among them that failed; ``parse_errors`` the replies
    (or native calls) whose actions could not be read.
    """

    tool_calls: int = 0
    tool_errors: int = 0
    parse_errors: int = 0
    error: str | None = None

    def stats(self) -> dict[str, int]:
        """The counts for a result row (named so they do not shadow the row's own fields)."""
        return {
            "agent_steps": self.steps,
            "agent_tool_calls": self.tool_calls,
            "tool_errors": self.tool_errors,
            "parse_errors": self.parse_errors,
        }
