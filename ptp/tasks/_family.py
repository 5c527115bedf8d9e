"""The task-family protocol: what every family (airline, knapsack, ...) provides.

family = get_family("airline")
problems = family.generate(n=4, seed=1, complexity=0, style="template")
result = family.solvers["L1"](problems[0], model)
verdict = family.score(result.answer, problems[0])  # a ptp.results.Score
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from ptp.errors import ConfigError
from ptp.results import Score
from ptp.tasks._fixtures import TaskFileError, read_jsonl, write_jsonl

if TYPE_CHECKING:
    from ptp.models import Completion, Model, Policy
    from ptp.tools import Tool

__all__ = [
    "STOP_REASONS",
    "Environment",
    "Family",
    "Param",
    "Solver",
    "SolverResult",
    "watch_replies",
]

T = TypeVar("T", bound=BaseModel)

STOP_REASONS: Mapping[str, str] = {
    "answered": "the solver produced an answer (right or wrong)",
    "step_limit": "the agent used all its steps without finishing",
    "token_limit": "the agent's token budget ran out",
    "length": "the reply was cut at its max_tokens",
    "parse_failure": "no usable answer could be read (template not matched, output invalid)",
    "invalid_value": "the model's output parsed but named something that does not exist",
    "tool_error": "the agent's last replies (3 in a row) only called tools that failed",
    "model_error": "the model call failed",
}
"""Why a solver stopped: the values of :attr:`SolverResult.stop_reason`."""

_AGENT_STOPS = {"final_answer": "answered"}


@dataclass(frozen=True)
class Param:
    """One parameter of a family's generator, declared as data (the CLI builds
    ``--<name>`` from it; no per-family code there).

    Attributes:
        name: the keyword of ``Family.generate`` (and the option ``--<name>``).
        type: ``int`` or ``str``; command-line text is converted with it.
        choices: the allowed values.
        default: used when the option is not given.
        help: one line for ``--help``.
    """

    name: str
    type: type
    choices: tuple[Any, ...]
    default: Any
    help: str = ""

    def parse(self, text: Any) -> Any:
        """``text`` converted to ``type`` and checked against ``choices``.

        Raises:
            ConfigError: naming the option, the value and the allowed values.
        """
        allowed = ", ".join(str(c) for c in self.choices)
        try:
            value = self.type(text)
        except (TypeError, ValueError):
            value = None
        if value not in self.choices:
            raise ConfigError(f"--{self.name} {text}: not one of {allowed}; use one of them")
        return value


@dataclass
class SolverResult:
    """What a solver returns: the answer to score and why it stopped.

    Attributes:
        answer: what ``Family.score`` takes (None when the solver gave none).
        stop_reason: one of :data:`STOP_REASONS`.
        finish_reason: the last LLM reply's ``finish_reason`` ("stop", "length"), None when
            no model was called.
        failure: why there is no answer, for people (None when answered).
        extra: solver statistics (numbers) for the result row.
    """

    answer: Any
    stop_reason: str = "answered"
    finish_reason: str | None = None
    failure: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def row_extra(self) -> dict[str, Any]:
        """``stop_reason``, ``finish_reason`` and ``failure`` (when set) plus ``extra``."""
        row: dict[str, Any] = {"stop_reason": self.stop_reason}
        if self.finish_reason is not None:
            row["finish_reason"] = self.finish_reason
        if self.failure is not None:
            row["failure"] = self.failure
        return {**row, **self.extra}


def agent_stop_reason(reason: str) -> str:
    """An agent's stop reason (``ptp.agents.StopReason``) in the families' vocabulary."""
    return _AGENT_STOPS.get(reason, reason)


Solver = Callable[[Any, "Model | None"], SolverResult]
"""``solver(task, model) -> SolverResult``; ``model`` is None for code-only solvers."""


class Environment(Protocol):
    """One episode's tools: ``tools()`` for the agent, ``outcome(final_answer)`` for the
    scorer (a stateful environment scores its own state, a stateless one the answer)."""

    def tools(self) -> list[Tool]: ...

    def outcome(self, answer: Any) -> Any: ...


class _Watched:
    """A model that remembers its replies' ``finish_reason``s; the calls are unchanged."""

    def __init__(self, model: Model) -> None:
        self._model = model
        self.finish_reasons: list[str | None] = []

    @property
    def finish_reason(self) -> str | None:
        """The last reply's finish reason (None before any reply)."""
        return self.finish_reasons[-1] if self.finish_reasons else None

    @property
    def worst_finish_reason(self) -> str | None:
        """ "length" if any reply was cut at its token limit, else the last reply's."""
        return "length" if "length" in self.finish_reasons else self.finish_reason

    def chat(self, messages: list[dict[str, str]], **params: Any) -> Completion:
        reply = self._model.chat(messages, **params)
        self.finish_reasons.append(reply.finish_reason)
        return reply

    async def achat(self, messages: list[dict[str, str]], **params: Any) -> Completion:
        reply = await self._model.achat(messages, **params)
        self.finish_reasons.append(reply.finish_reason)
        return reply

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def watch_replies(model: Model) -> Any:
    """``model`` wrapped so that ``.finish_reason`` is the last chat reply's and
    ``.worst_finish_reason`` says whether any was cut (for solvers that call it through an
    agent or ptools, which do not return it)."""
    return _Watched(model)


@dataclass(frozen=True)
class Family(Generic[T]):
    """A task family. Build one per package (``FAMILY``); find it with ``get_family(name)``.

    Attributes:
        name: the family's name ("airline"); rows carry it as ``family``.
        task_type: the pydantic model of one task (one fixture line); has ``task_id``.
        params: the generator's parameters besides ``n`` and ``seed``.
        generator: ``generator(n, seed, **params) -> list[task]``, fully set by its arguments.
        fixture_name: ``fixture_name(**params) -> str``, the file name ``write_fixtures`` uses.
        solvers: name (an autonomy level, an interpreter regime) -> :class:`Solver`.
        scorer: ``scorer(answer, task) -> Score``; the one way answers are judged.
        reference: the reference solver, ``reference(task)``: an answer that scores 1, computed
            from the task's ground truth (not its text); for tests and expert policies.
        environment: ``environment(task) -> Environment``: the tools an agent gets.
        prompt: ``prompt(task) -> str``: the task as the model reads it.
        caps: solver name -> the settings that cap it, in words with the numbers the code
            uses ("step limit 6 (max_steps=6)"); the report labels levels with them.
        exact_solver: the name of a solver in ``solvers`` that is correct by construction on
            generated tasks (it shares the rules that computed the expected answer), or None;
            grids mark its cells as the reference, not a measurement.
        sort_keys: the fixture line format (see :func:`write_jsonl`); fixed per family.
        data_error: the family's :class:`TaskFileError` subclass.
        field_fixes: field name -> how to fix a bad value, for fixture errors.
        expert: ``expert(task) -> policy``, the family's reference solver acting through an
            agent's protocol (None: the family has none). ``policy(messages, params)`` returns
            the next reply as a :class:`ptp.models.ExpertReply` (text and native tool calls),
            written as a competent model would; ``get_model("expert:<name>").for_task(task)``
            is it behind the model interface (a labelled stand-in teacher, not a model).
        segment: ``segment(text) -> (header_text, item_texts)``: code that cuts a task text
            into what concerns the whole task and one part per item (None: the family has no
            items); distilled workflows read each part with a small ptool.
    """

    name: str
    task_type: type[T]
    params: tuple[Param, ...]
    generator: Callable[..., Sequence[T]]
    fixture_name: Callable[..., str]
    solvers: Mapping[str, Solver]
    scorer: Callable[[Any, T], Score]
    reference: Callable[[T], Any]
    environment: Callable[[T], Environment]
    prompt: Callable[[T], str]
    caps: Mapping[str, str] = field(default_factory=dict)
    exact_solver: str | None = None
    sort_keys: bool = True
    data_error: type[TaskFileError] = TaskFileError
    field_fixes: Mapping[str, str] = field(default_factory=dict)
    expert: Callable[[T], Policy] | None = None
    segment: Callable[[str], tuple[str, list[str]]] | None = None

    def _params(self, given: Mapping[str, Any]) -> dict[str, Any]:
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            names = ", ".join(known) or "none"
            raise ConfigError(
                f"{self.name}: no parameter {unknown[0]!r}; its parameters are {names}"
            )
        return {name: given.get(name, p.default) for name, p in known.items()}

    def generate(self, n: int, seed: int, **params: Any) -> list[T]:
        """``n`` tasks drawn with ``seed``; ``params`` as declared (defaults fill the rest).

        Raises:
            ConfigError: a parameter the family does not declare.
            ValueError: a value the generator refuses (the message says which).
        """
        return list(self.generator(n, seed, **self._params(params)))

    def fixture_path(self, out_dir: Path | str, **params: Any) -> Path:
        """Where :meth:`write_fixtures` writes for these parameters."""
        return Path(out_dir) / self.fixture_name(**self._params(params))

    def write_fixtures(
        self, out_dir: Path | str, n: int, seed: int, *, overwrite: bool = False, **params: Any
    ) -> Path:
        """Generate and write ``n`` tasks to ``out_dir/<fixture_name>``, all or nothing.

        Args:
            out_dir: the folder (created if missing; never left behind empty on failure).
            n: how many tasks.
            seed: the seed.
            overwrite: replace an existing file (``ptp tasks generate --force``).
            **params: the family's declared parameters.

        Returns:
            The path written; rewriting with the same arguments gives the same bytes.

        Raises:
            FixtureExistsError: the file exists and ``overwrite`` is False.
        """
        path = self.fixture_path(out_dir, **params)
        if path.exists() and not overwrite:  # before generating: refusing should be quick
            write_jsonl(path, (), overwrite=False, error=self.data_error)
        tasks = self.generate(n, seed, **params)
        return write_jsonl(
            path, tasks, sort_keys=self.sort_keys, overwrite=overwrite, error=self.data_error
        )

    def read_fixtures(self, path: Path | str) -> list[T]:
        """The tasks in a file :meth:`write_fixtures` wrote, in order.

        Raises:
            TaskFileError: (the family's ``data_error``) naming the file, line, field and fix.
        """
        return read_jsonl(
            path,
            self.task_type,
            error=self.data_error,
            field_fixes=self.field_fixes,
            hint=f", or regenerate the file with ptp tasks generate --family {self.name} "
            "(fixtures/README.md lists the commands)",
        )

    def score(self, answer: Any, task: T) -> Score:
        """Judge ``answer`` (what a solver returned) on ``task``."""
        return self.scorer(answer, task)

    def tools(self, task: T) -> list[Tool]:
        """The tools of a fresh episode of ``task`` (``environment(task).tools()``)."""
        return self.environment(task).tools()
