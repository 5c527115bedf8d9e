"""Stage 4: run a generated workflow on tasks, with exact ptools (the values the teacher's
calls used, as the text writes them) or with a model.

Exact ptools separate the workflow's logic from the reading: on the training tasks the
workflow must reproduce the traces' answers; on held-out tasks (whose teacher traces the
miner never saw) it shows whether the mined logic generalises.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from ptp.distill._corpus import Episode
from ptp.distill._fields import FieldSpec, match_value
from ptp.distill._mine import Plan, Segmenter, _arrange, _off_path, _parse_sum
from ptp.distill.runtime import Tools, _whole_text
from ptp.ptool import ptool_overrides
from ptp.ptool._impl import Python

# The ptools a synthesized workflow reads its text parts with, and their return types.
READERS = (("read_header", "Header"), ("read_item", "Item"))

__all__ = [
    "ExactCheck",
    "Validation",
    "check_exact",
    "exact_readings",
    "leaks",
    "load_workflow",
    "source_literals",
    "validate",
    "worked_example_texts",
]


def load_workflow(path: str | Path) -> ModuleType:
    """Import a generated workflow module from its file."""
    path = Path(path)
    name = f"ptp_distilled_{path.stem}_{abs(hash(path.resolve()))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _structure(plan: Plan) -> tuple[dict[str, int], set[str]]:
    fixed = Counter(s.tool for s in plan.steps if s.place != "loop")
    return dict(fixed), {s.tool for s in plan.steps if s.place == "loop"}


def _written(spec: FieldSpec, text: str, value: Any) -> dict[str, Any]:
    """The field as a correct reading of ``text`` gives it (value and unit as written)."""
    if spec.latent:
        return {spec.name: value}
    found = match_value(text, value)
    if not found:
        raise LookupError(f"{spec.name}={value!r} is not written in {text[:80]!r}")
    if spec.kind == "quantity":
        hit = next((m for m in found if m.target == spec.target), found[0])
    else:  # a copied value: the number as written, not a conversion that happens to match
        hit = next((m for m in found if m.unit == m.target), found[0])
    reading: dict[str, Any] = {spec.name: value if isinstance(value, str) else float(hit.written)}
    if spec.kind == "quantity":
        reading[f"{spec.name}_unit"] = hit.unit
    return reading


def exact_readings(plan: Plan, episode: Episode, segment: Segmenter) -> dict[str, dict[str, Any]]:
    """Text part (header or item text) -> the field values a perfect reader returns, taken
    from ``episode``'s calls.

    Raises:
        LookupError: a value the teacher used is not written in the text.
    """
    fixed, loop = _structure(plan)
    arranged, _, _ = _arrange(episode, fixed, loop, plan.item_offset, segment)
    by_var = {s.var: s for s in plan.steps}
    readings: dict[str, dict[str, Any]] = {arranged.header: {}}
    for i, item in enumerate(arranged.items):
        readings.setdefault(item, {})
        for spec in plan.group_fields("item"):
            var, arg, _ = spec.origin
            readings[item] |= _written(spec, item, arranged.loop_args[i][by_var[var].tool][arg])
    for spec in plan.group_fields("header"):
        var, arg, term = spec.origin
        step = by_var[var]
        if step.place == "loop":
            if not arranged.loop_args:
                readings[arranged.header] |= {spec.name: _placeholder(spec)}
                continue
            value = arranged.loop_args[0][step.tool][arg]
        else:
            value = arranged.fixed_args[var][arg]
        if term is not None:
            value = (_parse_sum(value) or [])[term]
        readings[arranged.header] |= _written(spec, arranged.header, value)
    return readings


def _placeholder(spec: FieldSpec) -> Any:
    """A valid value for a field no call used (a task with no items)."""
    return spec.choices[0] if spec.choices else "" if spec.kind == "str" else 0.0


def _norm(word: str) -> str:
    """A word in lower case; a number in one form ("550.0" and "550" are "550")."""
    if word[0].isdigit():
        return format(Decimal(word).normalize(), "f")
    return word.lower()


EXAMPLES_SUFFIX = "_EXAMPLES"
"""Generated ptools' worked examples are module constants named ``<GROUP>_EXAMPLES``."""


def worked_example_texts(source: str) -> list[str]:
    """The input texts of the worked examples in ``source`` (training text parts)."""
    texts = []
    for node in _example_assignments(ast.parse(source)):
        for entry in ast.literal_eval(node.value):
            inputs, _ = entry
            texts.extend(str(v) for v in inputs.values())
    return texts


def _example_assignments(tree: ast.Module) -> list[ast.Assign]:
    return [
        node
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id.endswith(EXAMPLES_SUFFIX) for t in node.targets)
    ]


def source_literals(source: str) -> set[str]:
    """Every number and every word in the string constants of ``source`` (lower case), the
    worked examples left out: their text is training text (checked on its own with
    :func:`worked_example_texts`), whose words and numbers held-out tasks may share."""
    found: set[str] = set()
    tree = ast.parse(source)
    for assignment in _example_assignments(tree):
        tree.body.remove(assignment)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            found.add(_norm(str(node.value)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found |= {_norm(w) for w in re.findall(r"[A-Za-z]+|\d+(?:\.\d+)?", node.value)}
    return found


def leaks(source: str, literals: Iterable[Any]) -> set[str]:
    """The task-specific ``literals`` (answers, names, prices) written in ``source``: each is
    compared as a whole word or number, so a workflow that embeds ground truth is caught."""
    written = source_literals(source)
    hits = set()
    for literal in literals:
        words = [_norm(w) for w in re.findall(r"[A-Za-z]+|\d+(?:\.\d+)?", str(literal))]
        if words and all(w in written for w in words):
            hits.add(str(literal))
    return hits


@dataclass(frozen=True)
class ExactCheck:
    """A workflow's answers with exact ptools: how many scored 1, and the misses."""

    n: int
    correct: int
    misses: dict[str, str]
    off_path: dict[str, str]
    """Tasks whose teacher trace left the mined path (task id -> how), e.g. extra calls."""


def check_exact(
    module: ModuleType, plan: Plan, family: Any, tasks: list[Any], episodes: list[Episode]
) -> ExactCheck:
    """Run ``module`` on ``tasks`` with ptools that return what ``episodes`` (the teacher's
    traces of the same tasks, by task id) used, and score the answers."""
    by_id = {e.task_id: e for e in episodes}
    fixed, loop = _structure(plan)
    segment = family.segment or _whole_text
    off_path = {
        e.task_id: why for e in episodes
        if (why := _off_path(e, fixed, loop, plan.item_offset, segment))
    }  # fmt: skip
    correct, misses = 0, {}
    for task in tasks:
        episode = by_id.get(task.task_id)
        if episode is None:
            misses[task.task_id] = "no teacher trace"
            continue
        try:
            readings = exact_readings(plan, episode, segment)
            answer = _run_with(module, family, task, readings)
        except (LookupError, ValueError, TypeError, KeyError) as err:
            misses[task.task_id] = f"{type(err).__name__}: {err}"
            continue
        verdict = family.score(answer, task)
        if verdict.correct:
            correct += 1
        else:
            misses[task.task_id] = f"answer {answer!r}, expected {verdict.expected!r}"
    return ExactCheck(len(tasks), correct, misses, off_path)


def _run_with(module: ModuleType, family: Any, task: Any, readings: dict[str, dict]) -> Any:
    impls = {}
    for name, cls in READERS:
        model = getattr(module, cls, None)
        if model is not None:
            impls[name] = Python(
                lambda model=model, **kw: model(**readings[next(iter(kw.values()))])
            )
    with ptool_overrides(implementations=impls):
        segment = family.segment or _whole_text
        return module.run(family.prompt(task), Tools(family.tools(task)), segment)


@dataclass(frozen=True)
class Validation:
    """Stage 4 on the command line: exact ptools on the training tasks (the traces' own) and
    on held-out tasks (whose teacher traces the miner never saw)."""

    training: ExactCheck
    held_out: ExactCheck
    on_path: frozenset[str]

    @property
    def lost(self) -> dict[str, str]:
        """Training tasks on the mined path whose answer the workflow did not reproduce: the
        mined logic is wrong for them (a validation failure)."""
        return {t: why for t, why in self.training.misses.items() if t in self.on_path}

    def summary(self) -> list[str]:
        """Lines for the CLI: counts, then each failure and each held-out miss."""
        train, held = self.training, self.held_out
        lines = [
            f"validate, exact ptools: training {train.correct}/{train.n} reproduced "
            f"({len(self.on_path)} on the mined path, {len(self.lost)} of them lost); held-out "
            f"{held.correct}/{held.n} right ({len(held.off_path)} where the teacher left the path)"
        ]
        lines += [f"  LOST {task}: {why}" for task, why in sorted(self.lost.items())]
        for name, check in (("training", train), ("held-out", held)):
            lines += [
                f"  {name} miss {task}{' (teacher off the path)' if task in check.off_path else ''}"
                f": {why}"
                for task, why in sorted(check.misses.items())
                if task not in self.lost
            ]
        return lines


def validate(
    module: ModuleType,
    plan: Plan,
    family: str,
    episodes: list[Episode],
    tasks: list[Any],
    *,
    teacher: str,
    level: str = "L3",
) -> Validation:
    """Run ``module`` with exact ptools on ``tasks``: those with an episode in ``episodes``
    are training tasks (read as the teacher's own calls read them); the others are held-out,
    read as ``teacher`` reads them when it solves them now (an expert at once; an LLM teacher
    live or through the active cassette)."""
    from ptp.distill._corpus import run_teacher
    from ptp.tasks import get_family

    fam = get_family(family)
    trained = {e.task_id for e in episodes}
    training = [t for t in tasks if t.task_id in trained]
    held_out = [t for t in tasks if t.task_id not in trained]
    teacher_runs = run_teacher(family, teacher, held_out, level) if held_out else []
    return Validation(
        training=check_exact(module, plan, fam, training, episodes),
        held_out=check_exact(module, plan, fam, held_out, teacher_runs),
        on_path=frozenset(plan.on_path) & {t.task_id for t in training},
    )
