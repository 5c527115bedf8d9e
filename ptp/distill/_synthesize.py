"""Stage 3: a mined :class:`Plan` -> the source of a readable L1 workflow module.

The module holds one typed ptool per group of text fields (the task as a whole: ``Header``;
one item: ``Item``), ``run(text, tools, segment)`` with the calls in the mined order, the
loop and branches as mined, and ``WORKFLOW``, a :class:`DistilledWorkflow` that runs it as a
family solver (with the fallback to the source agent).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path

from ptp.distill._examples import WorkedExample
from ptp.distill._expr import NUMBER, Const, Expr, Field, Index, Out, Sum
from ptp.distill._fields import FieldSpec
from ptp.distill._mine import Plan, StepPlan

__all__ = ["PTOOL_MAX_TOKENS", "synthesize"]

PTOOL_MAX_TOKENS = 128
"""Reply limit of each generated ptool call (as the hand-written L1's)."""
_GROUPS = {
    "header": ("Header", "read_header", "header_text",
               "What the text says about the task as a whole, copied as written."),
    "item": ("Item", "read_item", "item_text",
             "What the text says about one item, copied as written."),
}  # fmt: skip


def _type(spec: FieldSpec) -> str:
    if spec.kind == "choice":
        return f"Literal[{', '.join(repr(c) for c in spec.choices)}]"
    return "str" if spec.kind == "str" else "float"


def _field_lines(spec: FieldSpec) -> list[str]:
    lines = [f"{spec.name}: {_type(spec)} = Field(description={spec.description!r})"]
    if spec.kind == "quantity":
        units = ", ".join(repr(u) for u in spec.units)
        lines.append(
            f"{spec.name}_unit: Literal[{units}] = Field(description="
            f"{f'the unit written with {spec.name}'!r})"
        )
    return lines


def _examples_source(group: str, examples: Sequence[WorkedExample]) -> str:
    """``<GROUP>_EXAMPLES = [...]``: the group's worked examples, each from a named trace."""
    _, _, arg, _ = _GROUPS[group]
    mine = [e for e in examples if e.group == group]
    if not mine:
        return ""
    entries = "".join(
        f"    # {e.task_id}\n    ({{{arg!r}: {e.text!r}}}, {e.reading!r}),\n" for e in mine
    )
    return (
        "# Worked examples: training text as the segmenter cuts it, the teacher's values as "
        "written.\n"
        f"{group.upper()}_EXAMPLES = [\n{entries}]\n\n\n"
    )


def _model_source(plan: Plan, group: str, examples: Sequence[WorkedExample]) -> str:
    cls, func, arg, doc = _GROUPS[group]
    fields = [line for spec in plan.group_fields(group) for line in _field_lines(spec)]
    names = ", ".join(f.name for f in plan.group_fields(group))
    body = "\n".join(f"    {line}" for line in fields)
    shown = _examples_source(group, examples)
    use = f", examples={group.upper()}_EXAMPLES" if shown else ""
    return (
        f'class {cls}(BaseModel):\n    """{doc}"""\n\n{body}\n\n\n{shown}'
        f"@ptool(temperature=0, max_tokens={PTOOL_MAX_TOKENS}, retries=1{use})\n"
        f"def {func}({arg}: str) -> {cls}:\n"
        f'    """Copy from the text, as written: {names}."""\n'
    )


def _hoisted(plan: Plan) -> dict[Expr, str]:
    """Branch expressions on fixed outputs, computed once before the loop, by name."""
    names: dict[Expr, str] = {}
    for step in plan.steps:
        for arg, expr in step.args.items():
            simple = isinstance(expr, Out | Field | Const | Index | Sum)
            if simple or expr in names or not expr.uses() or _loop_dependent(expr, plan):
                continue
            name = arg if arg not in names.values() else f"{arg}_{len(names) + 1}"
            names[expr] = name
    return names


def _loop_dependent(expr: Expr, plan: Plan) -> bool:
    loop_vars = {s.var for s in plan.steps if s.place == "loop"}
    return bool(expr.uses() & loop_vars) or NUMBER in expr.render()


def _call(step: StepPlan, hoisted: dict[Expr, str]) -> str:
    args = ", ".join(f"{a}={hoisted.get(e) or e.render()}" for a, e in step.args.items())
    return f"{step.var} = tools.{step.tool}({args})"


def _support(plan: Plan, step: StepPlan) -> str:
    n = len(plan.on_path)
    parts = [f"{a} {s}/{n}" for a, s in step.support.items()]
    return ", ".join(parts) or f"{n}/{n}"


def _run_source(plan: Plan) -> str:
    hoisted = _hoisted(plan)
    before = [s for s in plan.steps if s.place == "before"]
    loop = [s for s in plan.steps if s.place == "loop"]
    after = [s for s in plan.steps if s.place == "after"]
    lines = ["header_text, item_texts = segment(text)"]
    if plan.group_fields("header"):
        lines.append("header = read_header(header_text)")
    done: set[str] = set()

    def emit_hoisted() -> None:
        for expr, name in hoisted.items():
            if name not in done and expr.uses() <= done_vars:
                lines.append(f"{name} = {expr.render()}")
                done.add(name)

    done_vars: set[str] = set()
    for step in before:
        lines.append(_call(step, hoisted))
        done_vars.add(step.var)
        emit_hoisted()
    sums = [e for s in after for e in s.args.values() if isinstance(e, Sum)]
    if loop:
        if sums:
            lines.append("terms = []")
        lines.append(f"for {NUMBER}, item_text in enumerate(item_texts[{plan.item_offset}:], 1):")
        body = ["item = read_item(item_text)"] if plan.group_fields("item") else []
        body += [_call(s, hoisted) for s in loop]
        for total in sums[:1]:
            terms = ", ".join(t.render() for t in total.per_item)
            body.append(f"terms.extend([{terms}])")
        lines += [f"    {line}" for line in body]
        done_vars |= {s.var for s in loop}
    for step in after:
        lines.append(_call(step, hoisted))
        done_vars.add(step.var)
        emit_hoisted()
    lines.append(f"return {plan.answer.render()}")
    body = "\n".join(f"    {line}" for line in lines)
    return f"def run(text: str, tools: Tools, segment: Segmenter) -> Any:\n{_RUN_DOC}{body}\n"


_RUN_DOC = (
    '    """The mined path: Python controls the flow, the ptools read, the tools compute."""\n'
)


def _path_lines(plan: Plan) -> Iterable[str]:
    for step in plan.steps:
        where = {"before": "", "loop": f"  per item (items[{plan.item_offset}:]): ",
                 "after": ""}[step.place]  # fmt: skip
        call = step.var if step.var == step.tool else f"{step.var} = {step.tool}"
        yield f"  {where}{call}: {_support(plan, step)}"
    yield f"  answer = {plan.answer.render()}: {plan.answer_support}/{len(plan.on_path)}"


def _header(plan: Plan, traces: str) -> str:
    ids = textwrap.fill(", ".join(plan.on_path), 92, initial_indent="  ", subsequent_indent="  ",
                        break_on_hyphens=False)  # fmt: skip
    about = textwrap.fill(f"Teacher: {plan.teacher}. Traces: {traces}.", 96,
                          break_on_hyphens=False)  # fmt: skip
    off = "".join(f"\n  {tid}: {why}" for tid, why in sorted(plan.off_path.items()))
    latent = [f.name for f in plan.fields if f.latent]
    return (
        f'"""Distilled {plan.family} workflow: generated by `ptp distill`; do not edit by hand.\n\n'
        f"{about}\n"
        f"{plan.selection}; {len(plan.on_path)} on the canonical path, "
        f"{len(plan.off_path)} off it.{off}\n\n"
        "Path, with support (traces whose values agree with each argument's rule):\n"
        + "\n".join(_path_lines(plan))
        + (
            f"\nLatent fields (no rule found; the model infers them): {', '.join(latent)}"
            if latent
            else ""
        )
        + f"\n\nTraces on the path:\n{ids}\n"
        '"""\n'
    )


def synthesize(
    plan: Plan,
    *,
    traces: str,
    source_level: str = "L3",
    examples: Sequence[WorkedExample] = (),
) -> str:
    """The workflow module's source, ruff-formatted when ruff is installed.

    Args:
        plan: the mined path.
        traces: where the traces came from (a results dir or a file), for the header.
        source_level: the family solver the fallback runs (the source agent's level).
        examples: worked examples for the ptools (:func:`worked_examples`), shown to the
            model before each reading.
    """
    models = "\n\n".join(_model_source(plan, g, examples) for g in _GROUPS if plan.group_fields(g))
    source = (
        _header(plan, traces) + "\nfrom __future__ import annotations\n\n"
        "from typing import Any, Literal\n\n"
        "from pydantic import BaseModel, Field\n\n"
        "from ptp.distill.runtime import DistilledWorkflow, Segmenter, Tools, to_unit, whole\n"
        "from ptp.ptool import ptool\n\n\n"
        + models
        + "\n\n"
        + _run_source(plan)
        + "\n\nWORKFLOW = DistilledWorkflow(\n"
        f"    family={plan.family!r}, teacher={plan.teacher!r}, run=run, "
        f"source_level={source_level!r}\n)\n"
    )
    return format_source(source)


def format_source(source: str) -> str:
    """``source`` through ``ruff format`` (unchanged when ruff is not installed)."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        return source
    done = subprocess.run(
        [ruff, "format", "--line-length", "100", "-"], input=source, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise ValueError(f"generated source does not parse: {done.stderr.strip()[:500]}")
    fixed = subprocess.run(
        [ruff, "check", "--select", "I,F401", "--fix", "--quiet", "-"], input=done.stdout,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return fixed.stdout or done.stdout
