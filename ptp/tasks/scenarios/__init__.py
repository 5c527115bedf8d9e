"""What the scenario families (terminal, telecom, booking) share: scenario templates as data,
one task type, a stateful environment base class that judges its own final state, the L3
solver, and an observation-driven expert policy.

    family = get_family("terminal")
    task = family.generate(n=1, seed=0, scenario="service-down")[0]
    result = family.solvers["L3"](task, model)      # the answer is the final environment
    family.score(result.answer, task).correct        # computed from the state, not asserted

A family package provides an environment class (tools as typed methods, ``checks()``), a
generator (``draw(template, rng) -> Draw``), an expert step function and a ``scenarios.yaml``;
:func:`scenario_family` builds its :class:`ptp.tasks.Family` from them.
"""

from ptp.tasks.scenarios._env import ScenarioEnv
from ptp.tasks.scenarios._expert import Call, Final, Observed, Step, scenario_expert
from ptp.tasks.scenarios._family import (
    L3_MAX_STEPS,
    Draw,
    run_episode,
    scenario_family,
    scenario_instructions,
    solve_l3,
    templates_of,
)
from ptp.tasks.scenarios._template import (
    RECAP_HEADING,
    Criterion,
    ScenarioTask,
    ScenarioTemplate,
    ScenarioTemplateError,
    load_templates,
)

__all__ = [
    "L3_MAX_STEPS",
    "RECAP_HEADING",
    "Call",
    "Criterion",
    "Draw",
    "Final",
    "Observed",
    "ScenarioEnv",
    "ScenarioTask",
    "ScenarioTemplate",
    "ScenarioTemplateError",
    "Step",
    "load_templates",
    "run_episode",
    "scenario_expert",
    "scenario_family",
    "scenario_instructions",
    "solve_l3",
    "templates_of",
]
