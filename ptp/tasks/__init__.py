"""Task families; one package each, every one implementing :class:`Family`.

from ptp.tasks import get_family
airline = get_family("airline")
problem = airline.read_fixtures("fixtures/airline/airline-c0-template.jsonl")[0]
result = airline.solvers["L0"](problem, None)
print(airline.score(result.answer, problem))  # Score(value=1.0, correct=True, ...)
"""

from ptp.tasks._family import (
    STOP_REASONS,
    Environment,
    Family,
    Param,
    Solver,
    SolverResult,
    agent_stop_reason,
    watch_replies,
)
from ptp.tasks._fixtures import (
    FixtureExistsError,
    TaskFileError,
    iter_jsonl,
    read_jsonl,
    write_jsonl,
)
from ptp.tasks._registry import families, get_family

__all__ = [
    "STOP_REASONS",
    "Environment",
    "Family",
    "FixtureExistsError",
    "Param",
    "Solver",
    "SolverResult",
    "TaskFileError",
    "agent_stop_reason",
    "families",
    "get_family",
    "iter_jsonl",
    "read_jsonl",
    "watch_replies",
    "write_jsonl",
]
