"""One Opaque Knapsack episode played by the CodeAct agent, scored against the optimum."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ptp.agents import CodeActAgent, StopReason
from ptp.models import Model
from ptp.results import Score
from ptp.sandbox import Regime
from ptp.tasks._family import Solver, SolverResult, agent_stop_reason, watch_replies

from ._env import KnapsackEnv
from ._score import score
from ._task import KnapsackTask

__all__ = [
    "BLOCK_TIMEOUT_S",
    "CAPS",
    "MAX_STEPS",
    "PARAMS",
    "SOLVERS",
    "Episode",
    "play_codeact",
]

# Per-reply generation cap and episode limits (the recorded cassettes used exactly these). The
# cap holds the expert's longest reply (479 tokens, a medium reset episode's dynamic program,
# over the fixtures and 24 generated tasks a difficulty; ptp/tests/test_knapsack_expert.py
# checks the fixtures): at 200 it cut every reset episode's dynamic program.
PARAMS = {"temperature": 0, "max_tokens": 512}
MAX_STEPS = 6
BLOCK_TIMEOUT_S = 5.0


@dataclass
class Episode:
    """The final state, its score, and the statistics of how the agent got there."""

    env: KnapsackEnv
    outcome: Score
    stop_reason: StopReason
    stats: dict[str, int]
    finish_reason: str | None = None


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
        The episode: the outcome (an unfinished episode is scored as it stands), the block
        statistics (:meth:`ptp.agents.CodeActResult.block_stats`) and the last reply's
        ``finish_reason``.
    """
    env = KnapsackEnv(task)
    watched = watch_replies(model)
    agent = CodeActAgent(
        watched,
        env.tools(),
        regime=regime,
        max_steps=max_steps,
        params=PARAMS,
        interpreter_options={"timeout_s": BLOCK_TIMEOUT_S},
    )
    result = agent.run(task.nl)
    return Episode(
        env, score(env, task), result.stop_reason, result.block_stats(), watched.finish_reason
    )


def _solver(regime: Regime) -> Solver:
    def solve(task: KnapsackTask, model: Model | None) -> SolverResult:
        assert model is not None, "the CodeAct agent needs a model"
        episode = play_codeact(task, model, regime)
        return SolverResult(
            episode.env,  # the state is what is scored (KnapsackEnv.outcome)
            agent_stop_reason(episode.stop_reason),
            episode.finish_reason,
            extra=dict(episode.stats),
        )

    solve.__name__ = solve.__qualname__ = f"solve_{regime}"
    solve.__doc__ = f"The CodeAct agent with a {regime} interpreter; the answer is the state."
    return solve


SOLVERS: Mapping[str, Solver] = {regime: _solver(regime) for regime in ("persistent", "reset")}
"""The interpreter regimes, by name; each solver's answer is the episode's final state."""

_CAP = (
    f"step limit {MAX_STEPS} (max_steps={MAX_STEPS}); reply limit {PARAMS['max_tokens']} tokens "
    f"(max_tokens={PARAMS['max_tokens']}); code block timeout {BLOCK_TIMEOUT_S:g} s "
    f"(timeout_s={BLOCK_TIMEOUT_S:g}); token budget {CodeActAgent.max_tokens:,} a case"
)
CAPS: Mapping[str, str] = dict.fromkeys(SOLVERS, _CAP)
"""The settings that cap each regime, in words with the numbers the solver uses."""
