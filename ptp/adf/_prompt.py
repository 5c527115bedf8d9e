"""Scenario -> what the teacher reads: system prompt (instructions, assumptions, language
policy), the user's turn (with a reviewer's feedback when refining) and the tools."""

from __future__ import annotations

from dataclasses import dataclass

from ptp.tasks.scenarios import ScenarioEnv, scenario_instructions

from ._config import Prompts

__all__ = ["Context", "build_context"]


@dataclass(frozen=True)
class Context:
    """The teacher's instructions (the agent adds the tool descriptions in its reply mode's
    form) and the user's turn."""

    system: str
    user: str


def build_context(env: ScenarioEnv, prompts: Prompts, feedback: str | None = None) -> Context:
    """The context of one teacher run in ``env``; ``feedback`` is a review of an earlier run."""
    parts = [scenario_instructions(env.template), prompts.language.instruction()]
    if prompts.system_extra:
        parts.append(prompts.system_extra)
    user = env.task.user
    if feedback:
        user += (
            "\n\nA reviewer read an earlier attempt at this request and said: "
            f"{feedback.strip()}\nDo the whole task again from the start, taking this into account."
        )
    return Context(system="\n".join(parts), user=user)
