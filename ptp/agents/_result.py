"""What an agent run returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

StopReason = Literal["final_answer", "step_limit", "token_limit", "model_error"]


@dataclass
class AgentResult:
    """The answer (None unless the agent finished), why it stopped, and its conversation."""

    answer: Any
    stop_reason: StopReason
    steps: int
    messages: list[dict[str, str]] = field(default_factory=list)
    tokens: int = 0

    @property
    def finished(self) -> bool:
        return self.stop_reason == "final_answer"
