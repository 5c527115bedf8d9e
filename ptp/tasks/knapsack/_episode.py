"""One Opaque Knapsack episode played by the CodeAct agent, scored against the optimum."""

from __future__ import annotations

from dataclasses import dataclass

from ptp.agents import CodeActAgent, StopReason
from ptp.models import Model
from ptp.sandbox import Regime

from ._env import KnapsackEnv
from ._score import KnapsackScore, score
from ._task import KnapsackTask

# Per-reply generation cap and episode limits used by evals/test_knapsack.py.
PARAMS = {"temperature": 0, "max_tokens": 200}
MAX_STEPS = 6
BLOCK_TIMEOUT_S = 5.0


@dataclass
class Episode:
    """The outcome of the final state and the statistics of how the agent got there."""

    outcome: KnapsackScore
    stop_reason: StopReason
    stats: dict[str, int]


def play_codeact(
    task: KnapsackTask, model: Model, regime: Regime, *, max_steps: int = MAX_STEPS
) -> Episode:
    """Let a CodeAct agent play ``task`` in ``regime``; the environment stays in this process.

    Args:
        task: the instance.
        model: the model writing the code.
        regime: "persistent" or "reset" interpreter.
        max_steps: model replies allowed.

    Returns:
        The episode: the outcome (an unfinished episode is scored as it stands) and the
        block statistics (:meth:`ptp.agents.CodeActResult.block_stats`).
    """
    env = KnapsackEnv(task)
    agent = CodeActAgent(
        model,
        env.tools(),
        regime=regime,
        max_steps=max_steps,
        params=PARAMS,
        interpreter_options={"timeout_s": BLOCK_TIMEOUT_S},
    )
    result = agent.run(task.nl)
    return Episode(score(env), result.stop_reason, result.block_stats())
