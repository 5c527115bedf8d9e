"""Building a scenario family: templates + environment + generator + expert -> Family."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ptp.agents import ReActAgent, ReActResult
from ptp.errors import ConfigError
from ptp.models import Model
from ptp.results import Score
from ptp.tasks._family import Family, Param, SolverResult, agent_stop_reason, watch_replies
from ptp.tasks._fixtures import TaskFileError

from ._env import ScenarioEnv
from ._expert import ExpertStep, scenario_expert
from ._template import ScenarioTask, ScenarioTemplate, load_templates

__all__ = ["L3_MAX_STEPS", "Draw", "scenario_family", "scenario_instructions", "solve_l3"]

L3_MAX_STEPS = 12
"""Replies an L3 scenario run may take (the families' experts need at most 5)."""
PARAMS = {"temperature": 0, "max_tokens": 512}
"""Per-reply settings of the L3 solver (the recorded cassettes used exactly these)."""


@dataclass(frozen=True)
class Draw:
    """What a family's generator draws for one task: the user's request, the environment's
    initial state and the ground truth the judge needs."""

    user: str
    state: dict[str, Any]
    expected: dict[str, Any] = field(default_factory=dict)


Drawer = Callable[[ScenarioTemplate, random.Random], Draw]


def scenario_instructions(template: ScenarioTemplate) -> str:
    """The system instructions for a template: goal, assumptions, how to work and finish (the
    ADF prompt builder adds the language policy and configured text)."""
    assumptions = "\n".join(f"- {a}" for a in template.assumptions)
    text = f"You are a support agent working through tools. Goal: {template.goal}"
    if assumptions:
        text += f"\nWhat you can assume:\n{assumptions}"
    return (
        f"{text}\nInspect before you change anything, change only what the goal needs, and "
        "finish with final_answer(message): a short message to the user saying what you did."
    )


def run_episode(
    env: ScenarioEnv,
    model: Model,
    *,
    instructions: str | None = None,
    user: str | None = None,
    max_steps: int = L3_MAX_STEPS,
) -> ReActResult:
    """Let a ReAct agent act in ``env``; the final message is kept as ``env.answer``."""
    agent = ReActAgent(
        model,
        env.tools(),
        instructions or scenario_instructions(env.template),
        max_steps=max_steps,
        params=PARAMS,
        answer_schema={"type": "string"},
    )
    result = agent.run(user or env.task.user)
    env.answer = result.answer
    return result


def solve_l3(env_type: type[ScenarioEnv]) -> Callable[[ScenarioTask, Model | None], SolverResult]:
    """The family's L3 solver: ReAct in a fresh environment; the answer is the environment."""

    def solve(task: ScenarioTask, model: Model | None) -> SolverResult:
        assert model is not None, "the L3 agent needs a model"
        env = env_type(task)
        watched = watch_replies(model)
        result = run_episode(env, watched)
        return SolverResult(
            env, agent_stop_reason(result.stop_reason), watched.finish_reason,
            extra=result.stats(),
        )  # fmt: skip

    return solve


def _score(env_type: type[ScenarioEnv]) -> Callable[[Any, ScenarioTask], Score]:
    def score(answer: Any, task: ScenarioTask) -> Score:
        """The environment's judgement of its final state (a message alone: a fresh one)."""
        if isinstance(answer, ScenarioEnv):
            if answer.task.task_id != task.task_id:
                raise ValueError(f"the episode played {answer.task.task_id}, not {task.task_id}")
            return answer.outcome(answer.answer)
        return env_type(task).outcome(answer)

    return score


def scenario_family(
    name: str,
    env_type: type[ScenarioEnv],
    draw: Drawer,
    step: ExpertStep,
    templates_file: Path,
    reference: Callable[[ScenarioTask], Any],
) -> Family[ScenarioTask]:
    """A scenario family. ``draw(template, rng)`` draws one task; ``step`` is the expert;
    ``reference(task)`` returns an environment in the solved state (scores 1)."""
    templates = load_templates(templates_file, name)
    env_type.templates = templates

    class DataError(TaskFileError):
        __doc__ = f"A bad {name} fixture file; see TaskFileError."

    DataError.__name__ = DataError.__qualname__ = f"{name.capitalize()}DataError"

    def generate(n: int, seed: int, scenario: str) -> list[ScenarioTask]:
        template = templates[scenario]
        rng = random.Random(f"{name}:{scenario}:{seed}")
        tasks = []
        for index in range(n):
            drawn = draw(template, rng)
            tasks.append(ScenarioTask(
                task_id=f"{name}-{scenario}-s{seed}-{index:03d}", family=name, scenario=scenario,
                seed=seed, difficulty=template.difficulty, user=drawn.user, state=drawn.state,
                expected=drawn.expected,
            ))  # fmt: skip
        return tasks

    names = tuple(templates)
    return Family(
        name=name,
        task_type=ScenarioTask,
        params=(Param("scenario", str, names, names[0], help=f"{name}: " + ", ".join(names)),),
        generator=generate,
        fixture_name=lambda scenario: f"{name}-{scenario}.jsonl",
        solvers={"L3": solve_l3(env_type)},
        scorer=_score(env_type),
        reference=reference,
        environment=env_type,
        prompt=lambda task: task.user,
        caps={"L3": f"step limit {L3_MAX_STEPS} (max_steps={L3_MAX_STEPS}); reply limit "
              f"{PARAMS['max_tokens']} tokens (max_tokens={PARAMS['max_tokens']})"},
        # the drawn order of the state's mappings is what the agent reads: keep it in fixtures
        sort_keys=False,
        data_error=DataError,
        expert=scenario_expert(name, step),
    )  # fmt: skip


def templates_of(family: Family[Any]) -> Mapping[str, ScenarioTemplate]:
    """The scenario templates of a scenario family, by name."""
    env_type = family.environment
    if not (isinstance(env_type, type) and issubclass(env_type, ScenarioEnv)):
        raise ConfigError(f"{family.name!r} is not a scenario family (it has no scenarios)")
    return env_type.templates
