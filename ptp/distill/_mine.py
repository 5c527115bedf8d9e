"""Stage 2: mine one canonical decision path from the selected episodes.

Per episode: its tool calls; tools called once per item (count = items - offset, the
offset the same in every trace) form the loop, the others are fixed steps (the n-th call of
a tool is its own step). Every argument gets the simplest explanation that holds in all
traces (:func:`_explain`, in this order): the loop number; an earlier output; a branch on an
earlier output (``x == c``, ``a if x == c else b``); an arithmetic text of earlier values
and text numbers (``Sum``); a value written in the text (copied, or converted from another
unit); a constant; else a latent field the ptool must infer. The final answer is explained
the same way. Support counts say how many traces agree with each finding.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median
from typing import Any

from ptp.distill._corpus import Episode
from ptp.distill._errors import DistillError
from ptp.distill._expr import (
    NUMBER,
    AsInt,
    Const,
    Equals,
    Expr,
    Field,
    Index,
    Max,
    Out,
    Select,
    Sum,
)
from ptp.distill._fields import FieldSpec, Match, arg_docs, context_of, match_value
from ptp.distill._select import Selection
from ptp.distill._text import context_words
from ptp.tools import Tool

__all__ = ["Plan", "Segmenter", "StepPlan", "mine"]

Segmenter = Callable[[str], tuple[str, list[str]]]
"""``segment(text) -> (header_text, item_texts)``: the family's code that cuts a task text
into the part about the whole task and one part per item."""

FIELD_SUPPORT = 0.8  # share of traces a text-field explanation must hold in


@dataclass
class StepPlan:
    """One call of the workflow: ``var = tool(**args)``; ``place``: before, loop or after."""

    var: str
    tool: str
    place: str
    args: dict[str, Expr] = field(default_factory=dict)
    support: dict[str, int] = field(default_factory=dict)


@dataclass
class Plan:
    """The mined path, its fields and its support."""

    family: str
    teacher: str
    selection: str
    on_path: list[str]
    off_path: dict[str, str]
    steps: list[StepPlan]
    item_offset: int
    fields: list[FieldSpec]
    answer: Expr
    answer_support: int
    tool_docs: dict[str, str]

    def group_fields(self, group: str) -> list[FieldSpec]:
        return [f for f in self.fields if f.group == group]


@dataclass
class _Episode:
    """One on-path episode's values, arranged for explaining."""

    ep: Episode
    header: str
    items: list[str]  # the loop's items (offset applied)
    fixed: dict[str, Any]  # fixed step var -> output
    fixed_args: dict[str, dict[str, Any]]
    loop: list[dict[str, Any]]  # per iteration: loop var -> output, NUMBER
    loop_args: list[dict[str, dict[str, Any]]]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float | Decimal) and isinstance(b, int | float | Decimal):
        return Decimal(str(a)) == Decimal(str(b))
    return type(a) is type(b) and a == b


def _structure(
    episodes: Sequence[Episode], segment: Segmenter
) -> tuple[dict[str, int], set[str], int]:
    """(fixed tool -> calls per trace, loop tools, item offset)."""
    counts = [Counter(c.tool for c in e.ok_calls()) for e in episodes]
    n_items = [len(segment(e.text)[1]) for e in episodes]
    tools = sorted(set().union(*counts))
    loop: dict[str, int] = {}
    for tool in tools:
        offsets = Counter(n - c[tool] for n, c in zip(n_items, counts, strict=True))
        offset, hits = offsets.most_common(1)[0]
        varies = len({c[tool] for c in counts}) > 1
        if varies and offset >= 0 and hits >= 0.5 * len(episodes):
            loop[tool] = offset
    if len(set(loop.values())) > 1:
        raise DistillError(
            f"tools called once per item disagree on which items: {loop}; cannot form one loop"
        )
    offset = next(iter(loop.values()), 0)
    fixed = {t: Counter(c[t] for c in counts).most_common(1)[0][0] for t in tools if t not in loop}
    return {t: n for t, n in fixed.items() if n > 0}, set(loop), offset


def _off_path(
    e: Episode, fixed: Mapping[str, int], loop: set[str], offset: int, segment: Segmenter
) -> str | None:
    counts = Counter(c.tool for c in e.ok_calls())
    for tool, n in fixed.items():
        if counts[tool] != n:
            return f"{tool} called {counts[tool]} times, not {n}"
    k = len(segment(e.text)[1]) - offset
    for tool in loop:
        if counts[tool] != k:
            return f"{tool} called {counts[tool]} times for {k} items"
    extra = set(counts) - set(fixed) - loop
    return f"calls {', '.join(sorted(extra))}, which other traces do not" if extra else None


def _step_names(fixed: Mapping[str, int]) -> dict[tuple[str, int], str]:
    return {(t, i): t if i == 0 else f"{t}_{i + 1}" for t, n in fixed.items() for i in range(n)}


def _arrange(
    e: Episode, fixed: Mapping[str, int], loop: set[str], offset: int, segment: Segmenter
) -> tuple[_Episode, dict[str, int], dict[str, int]]:
    """The episode's values by step; plus each fixed step's and loop tool's call position."""
    header, items = segment(e.text)
    names = _step_names(fixed)
    seen: Counter[str] = Counter()
    values: dict[str, Any] = {}
    args: dict[str, dict[str, Any]] = {}
    k = len(items) - offset
    loop_out: list[dict[str, Any]] = [{NUMBER: i + 1} for i in range(k)]
    loop_args: list[dict[str, dict[str, Any]]] = [{} for _ in range(k)]
    where: dict[str, int] = {}
    first_loop: dict[str, int] = {}
    for position, call in enumerate(e.ok_calls()):
        n = seen[call.tool]
        seen[call.tool] += 1
        if call.tool in loop:
            if n >= k:  # an off-path trace's extra calls (only exact readings arrange those)
                continue
            loop_out[n][call.tool] = call.output
            loop_args[n][call.tool] = call.arguments
            first_loop.setdefault(call.tool, position)
        else:
            var = names[(call.tool, n)]
            values[var], args[var] = call.output, call.arguments
            where[var] = position
    arranged = _Episode(e, header, items[offset:], values, args, loop_out, loop_args)
    return arranged, where, first_loop


def _parse_sum(text: Any) -> list[Decimal] | None:
    """``"450 + 0 + 100"`` -> its terms; None for anything else."""
    if not isinstance(text, str):
        return None
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return None
    terms: list[Decimal] = []

    def walk(n: ast.AST) -> bool:
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add):
            return walk(n.left) and walk(n.right)
        if isinstance(n, ast.Constant) and type(n.value) in (int, float):
            terms.append(Decimal(str(n.value)))
            return True
        return False

    return terms if walk(node) and len(terms) > 1 else None


class _Miner:
    def __init__(self, eps: list[_Episode], tools: Mapping[str, Tool], order: list[StepPlan]):
        self.eps = eps
        self.tools = tools
        self.order = order
        self.fields: list[FieldSpec] = []
        fixed_tools = Counter(s.tool for s in order if s.place != "loop")
        self.repeated = {
            a for s in order if fixed_tools[s.tool] > 1 and s.tool in tools
            for a in tools[s.tool].parameters["properties"]
        }  # fmt: skip

    # -- environments -------------------------------------------------------------------------
    def _fixed_env(self, e: _Episode, before: str | None) -> dict[str, Any]:
        env: dict[str, Any] = {}
        for step in self.order:
            if step.var == before:
                break
            if step.place != "loop":
                env[step.var] = e.fixed[step.var]
        return env

    def _cases(self, step: StepPlan, e: _Episode) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(env, the call's arguments) for each time ``step`` ran in ``e``."""
        env = self._fixed_env(e, step.var)
        if step.place != "loop":
            return [(env, e.fixed_args[step.var])]
        body = [s.var for s in self.order if s.place == "loop"]
        earlier = body[: body.index(step.var)]
        return [
            ({**env, NUMBER: it[NUMBER], **{v: it[v] for v in earlier}}, e.loop_args[i][step.tool])
            for i, it in enumerate(e.loop)
        ]

    def _vars(self, step: StepPlan) -> list[str]:
        e = self.eps[0]
        env, _ = self._cases(step, e)[0] if self._cases(step, e) else ({}, {})
        return [v for v in env if "." not in v and v != NUMBER]

    # -- candidates ---------------------------------------------------------------------------
    def _observed(self, var: str) -> list[Any]:
        seen: list[Any] = []
        for e in self.eps:
            for value in [e.fixed.get(var), *(it.get(var) for it in e.loop)]:
                if value is not None and value not in seen and not isinstance(value, dict | list):
                    seen.append(value)
        return seen[:6]

    def _candidates(self, step: StepPlan, sample: Any) -> Iterable[Expr]:
        variables = self._vars(step)
        if step.place == "loop" and isinstance(sample, int) and not isinstance(sample, bool):
            yield Index(1)
            yield Index(0)
        for var in variables:
            yield Out(var)
        for var in variables:
            for c in self._observed(var):
                for negate in (False, True):
                    cond = Equals(Out(var), c, negate)
                    yield AsInt(cond) if not isinstance(sample, bool) else cond
        fixed = [v for v in variables if v in self.eps[0].fixed]
        for a in fixed:
            for b in fixed:
                if a != b:
                    for c in self._observed(a):
                        yield Select(Equals(Out(a), c), Out(b), Out(a))

    def _support(self, step: StepPlan, arg: str, expr: Expr) -> int:
        hits = 0
        for e in self.eps:
            try:
                ok = all(
                    _same(expr.value(env), args.get(arg)) for env, args in self._cases(step, e)
                )
            except (KeyError, TypeError):
                ok = False
            hits += ok
        return hits

    # -- explaining ---------------------------------------------------------------------------
    def explain(self, step: StepPlan, arg: str) -> tuple[Expr, int]:
        n = len(self.eps)
        sample = next((a.get(arg) for e in self.eps for _, a in self._cases(step, e)), None)
        for expr in self._candidates(step, sample):
            if self._support(step, arg, expr) == n:
                return expr, n
        if step.place == "after" and _parse_sum(sample) is not None:
            found = self._sum(step, arg)
            if found is not None:
                return found
        text_field = self._text_field(step, arg)
        if text_field is not None:
            return text_field
        if all(_same(a.get(arg), sample) for e in self.eps for _, a in self._cases(step, e)):
            return Const(sample), n
        return self._latent(step, arg), 0

    def _sum(self, step: StepPlan, arg: str) -> tuple[Expr, int] | None:
        """The text is ``fixed terms + per-item terms``: find the split and each term."""
        sums = [(e, _parse_sum(self._cases(step, e)[0][1].get(arg))) for e in self.eps]
        if any(t is None for _, t in sums):
            return None
        for per in (1, 2, 3):
            n_fixed = {len(t) - per * len(e.loop) for e, t in sums if t is not None}
            if len(n_fixed) != 1 or min(n_fixed) < 0:
                continue
            k = n_fixed.pop()
            fixed = [self._term(sums, j, None, step.var, arg) for j in range(k)]
            items = [self._term(sums, j, (k, per), step.var, arg) for j in range(per)]
            if all(t is not None for t in [*fixed, *items]):
                return Sum(tuple(fixed), tuple(items)), len(self.eps)  # type: ignore[arg-type]
        return None

    def _term(
        self, sums: list, j: int, loop: tuple[int, int] | None, var: str, arg: str
    ) -> Expr | None:
        """Term ``j`` of the fixed part, or of every iteration (``loop``: (fixed, per))."""

        def values(e: _Episode, terms: list[Decimal]) -> list[tuple[dict[str, Any], Decimal]]:
            env = self._fixed_env(e, var)
            if loop is None:
                return [(env, terms[j])]
            k, per = loop
            return [({**env, **it}, terms[k + i * per + j]) for i, it in enumerate(e.loop)]

        loop_vars = [s.var for s in self.order if s.place == "loop"]
        fixed_vars = [s.var for s in self.order if s.place != "loop"]
        options: list[Expr] = [Out(v) for v in (loop_vars if loop else fixed_vars)]
        if loop:
            options += [Max(Out(a), Out(b)) for a in loop_vars for b in loop_vars if a < b]
        for expr in options:
            try:
                if all(_same(expr.value(env), v) for e, t in sums for env, v in values(e, t)):
                    return expr
            except (KeyError, TypeError):
                continue
        if loop is None:  # a number written in the text
            rows = [(e, e.header, [t[j]]) for e, t in sums]
            spec = self._find_field("header", f"term_{j + 1}", None, rows, (var, arg, j))
            if spec is not None:
                return spec
        return None

    def _text_field(self, step: StepPlan, arg: str) -> tuple[Expr, int] | None:
        schema = self._schema(step.tool, arg)
        per_episode = [(e, [a.get(arg) for _, a in self._cases(step, e)]) for e in self.eps]
        if step.place == "loop":
            rows = [(e, e.items, v) for e, v in per_episode]
            found = self._find_field("item", arg, schema, rows, (step.var, arg, None))
            if found is not None:
                return found, len(self.eps)
        same = [(e, e.header, v[:1]) for e, v in per_episode if len({repr(x) for x in v}) <= 1]
        if len(same) == len(self.eps):
            found = self._find_field("header", arg, schema, same, (step.var, arg, None))
            if found is not None:
                return found, len(self.eps)
        return None

    def _schema(self, tool: str, arg: str) -> dict[str, Any]:
        known = self.tools.get(tool)
        return known.parameters["properties"].get(arg, {}) if known else {}

    def _find_field(
        self,
        group: str,
        arg: str,
        schema: dict[str, Any] | None,
        rows: list[tuple[_Episode, Any, list[Any]]],
        origin: tuple[str, str, int | None],
    ) -> Field | None:
        """A field of ``group`` whose value is written in each trace's text."""
        options: list[tuple[_Episode, str, Any, list[Match]]] = []
        for e, text, values in rows:
            texts = text if isinstance(text, list) else [text] * len(values)
            for i, value in enumerate(values):
                found = match_value(texts[i], value) if i < len(texts) else []
                if not found:
                    return None
                options.append((e, texts[i], value, found))
        if not options:
            return None
        target = _common_target([found for *_, found in options])
        if target is _NONE:
            return None
        matches = [(e, text, value, next(m for m in found if m.target == target))
                   for e, text, value, found in options]  # fmt: skip
        converted = any(m.unit != m.target for *_, m in matches)
        same = self._same_field(group, origin[1], matches)
        if same is not None:
            return Field(group, same.name, same.target, same.integer and not same.target)
        spec = self._field_spec(group, arg, schema, matches, target if converted else None)
        spec.origin = origin
        for e, _, _value, m in matches:
            key = e.ep.task_id
            spec.values.setdefault(key, [])
            spec.values[key].append(m.written)
            if m.unit:
                spec.units_written.setdefault(key, m.unit)
        return Field(group, spec.name, spec.target, spec.integer and not converted)

    def _same_field(self, group: str, arg: str, matches: list) -> FieldSpec | None:
        """An existing field of ``group`` for the same argument name with the same values in
        every trace (e.g. the class that two tools take): one field, read once."""
        values: dict[str, list[Any]] = {}
        for e, _, _, m in matches:
            values.setdefault(e.ep.task_id, []).append(m.written)
        for spec in self.fields:
            if spec.group == group and spec.origin[1] == arg and spec.values == values:
                return spec
        return None

    def _field_spec(self, group: str, arg: str, schema: dict[str, Any] | None,
                    matches: list, target: str | None) -> FieldSpec:  # fmt: skip
        schema = schema or {}
        context: Counter[str] = Counter()
        for e in {id(m[0]): m[0] for m in matches}.values():
            words: set[str] = set()
            for ep, text, _, m in matches:
                if ep is e:
                    words |= context_of(text, m)
            context.update(words)
        lead: Counter[str] = Counter()
        for _, text, _, m in matches:
            lead.update(list(context_words(text, m.start, m.end, width=1))[:1])
        if arg.startswith("term_"):
            name = _name_from(context, arg)
        elif arg in self.repeated:
            name = f"{arg}_{_name_from(lead, str(len(self.fields) + 1))}"
        else:
            name = arg
        taken = {f.name for f in self.fields if f.group == group}
        if name in taken:
            name = f"{name}_{len(taken) + 1}"
        sample = matches[0][2]
        if isinstance(sample, str):
            kind = "choice" if "enum" in schema else "str"
        else:
            kind = "quantity" if target else "number"
        units = tuple(sorted({m.unit for *_, m in matches if m.unit})) if target else ()
        spec = FieldSpec(group, name, kind, "", tuple(schema.get("enum", ())), target, units,
                         schema.get("type") == "integer" or isinstance(sample, int),
                         context=lead if arg in self.repeated else context)  # fmt: skip
        self.fields.append(spec)
        return spec

    def _latent(self, step: StepPlan, arg: str) -> Expr:
        schema = self._schema(step.tool, arg)
        group = "item" if step.place == "loop" else "header"
        kind = (
            "choice" if "enum" in schema else "str" if schema.get("type") == "string" else "number"
        )
        spec = FieldSpec(group, arg, kind, "", tuple(schema.get("enum", ())), latent=True,
                         integer=schema.get("type") == "integer",
                         origin=(step.var, arg, None))  # fmt: skip
        self.fields.append(spec)
        return Field(group, arg)


_NONE = object()


def _common_target(found: list[list[Match]]) -> Any:
    """The one unit every value can be read in (None: unitless copies), else ``_NONE``."""
    targets = [{m.target for m in options} for options in found]
    common = set.intersection(*targets) if targets else set()
    if not common:
        return _NONE
    return None if None in common else sorted(common, key=str)[0]


def _name_from(context: Counter[str], fallback: str) -> str:
    """The most frequent word around a value (in at least a quarter of the traces)."""
    least = 0.25 * max(context.values(), default=0)
    for word, count in context.most_common():
        if count >= least and word.isidentifier() and word.isascii():
            return word
    return fallback


def _order(
    arranged: list[tuple[_Episode, dict[str, int], dict[str, int]]],
    fixed: Mapping[str, int],
    loop: set[str],
) -> list[StepPlan]:
    names = _step_names(fixed)
    steps = []
    for var in names.values():
        positions = [w[var] for _, w, _ in arranged]
        starts = [min(f.values()) for _, _, f in arranged if f]
        before = sum(
            w[var] < min(f.values()) for _, w, f in arranged if f
        ) >= len(starts) / 2 if starts else True  # fmt: skip
        steps.append(
            (
                0 if before else 2,
                median(positions),
                StepPlan(var, var_tool(var, names), "before" if before else "after"),
            )
        )
    for tool in loop:
        firsts = [f[tool] for _, _, f in arranged if tool in f]
        steps.append((1, median(firsts) if firsts else 0, StepPlan(tool, tool, "loop")))
    return [s for *_, s in sorted(steps, key=lambda x: (x[0], x[1]))]


def var_tool(var: str, names: Mapping[tuple[str, int], str]) -> str:
    return next(tool for (tool, _), v in names.items() if v == var)


def _usable(
    episodes: Sequence[Episode], segment: Segmenter | None
) -> tuple[list[Episode], dict[str, str]]:
    """The episodes to mine, one per task (the first run of a repeated task), and why the
    others are left out (a repeat, a text the family's segmenter cannot cut)."""
    kept: dict[str, Episode] = {}
    left: dict[str, str] = {}
    for e in episodes:
        if e.task_id in kept:
            continue  # a repeated run (another epoch) of a task: its first run is mined
        try:
            if segment is not None:
                segment(e.text)
        except ValueError as err:
            left[e.task_id] = f"segment(text) failed: {err}"
            continue
        kept[e.task_id] = e
    return list(kept.values()), left


def _whole(text: str) -> tuple[str, list[str]]:
    return text, []


def _no_loop_source(family: str, episodes: Sequence[Episode]) -> None:
    """Refuse, with the reason, traces whose call counts vary when the text has no items."""
    counts = [Counter(c.tool for c in e.ok_calls()) for e in episodes]
    tools = sorted(set().union(*counts))
    ranges = {t: (min(c[t] for c in counts), max(c[t] for c in counts)) for t in tools}
    varying = {t: r for t, r in ranges.items() if r[0] != r[1]}
    if varying:
        shown = ", ".join(f"{t} {lo}..{hi} times" for t, (lo, hi) in varying.items())
        raise DistillError(
            f"{family}: the teacher calls {shown} per task, and the family declares no "
            "segment(text), so nothing in the task text sets how often: the number of calls "
            "follows what the teacher observed (a search or an optimisation over the tools' "
            "answers), which a fixed L1 workflow cannot mine; keep the agent for this family, "
            "or give it a tool that does the search"
        )


def mine(
    selection: Selection, family: str, tools: Sequence[Tool], segment: Segmenter | None
) -> Plan:
    """The canonical path of ``selection``'s episodes (``segment`` None: the family's texts
    have no items, so every step is fixed).

    Raises:
        DistillError: the call counts vary with no items to loop over, fewer than half of
            the traces share one path, or the answer is not explained by the calls.
    """
    episodes, unusable = _usable(selection.kept, segment)
    if segment is None:
        _no_loop_source(family, episodes)
        segment = _whole
    fixed, loop, offset = _structure(episodes, segment)
    off = {e.task_id: r for e in episodes if (r := _off_path(e, fixed, loop, offset, segment))}
    off |= unusable
    on = [e for e in episodes if e.task_id not in off]
    if len(on) < len(episodes) / 2:
        raise DistillError(
            f"only {len(on)} of {len(episodes)} traces share one call path "
            f"(e.g. {next(iter(off.items()))}); the teacher behaves too differently to distill"
        )
    arranged = [_arrange(e, fixed, loop, offset, segment) for e in on]
    order = _order(arranged, fixed, loop)
    by_name = {t.name: t for t in tools}
    miner = _Miner([a for a, _, _ in arranged], by_name, order)
    for step in order:
        names = list(
            dict.fromkeys(k for e in miner.eps for _, a in miner._cases(step, e) for k in a)
        )
        for arg in names:
            step.args[arg], step.support[arg] = miner.explain(step, arg)
    answer, support = _explain_answer(miner, order)
    docs = {t.name: t.description for t in tools}
    for spec in miner.fields:
        _describe(spec, by_name, docs)
    return Plan(family, selection.teacher, selection.summary(), [e.task_id for e in on], off,
                order, offset, miner.fields, answer, support, docs)  # fmt: skip


def _explain_answer(miner: _Miner, order: list[StepPlan]) -> tuple[Expr, int]:
    for step in reversed(order):
        if step.place == "loop":
            continue
        hits = sum(_same(e.fixed[step.var], e.ep.answer) for e in miner.eps)
        if hits == len(miner.eps):
            return Out(step.var), hits
    raise DistillError(
        "the final answer is not the output of any call in every trace (e.g. answer "
        f"{miner.eps[0].ep.answer!r}); the distiller cannot explain how the teacher combined "
        "its observations"
    )


def _describe(spec: FieldSpec, tools: Mapping[str, Tool], docs: Mapping[str, str]) -> None:
    """The field's description: the tools' documentation of the argument, the unit rule."""
    arg = spec.name.split("_")[0] if spec.name not in _all_args(tools) else spec.name
    doc = next((d[a] for t in tools.values() if (a := _arg_in(t, spec.name, arg))
                and (d := arg_docs(t.description)).get(a)), None)  # fmt: skip
    parts = [doc.rstrip(".") if doc else "a number written in the text"]
    if spec.kind == "quantity":
        parts.append("copy the number as written, in its unit (Python converts)")
    if spec.latent:
        parts.append("not written in the text: infer it")
    elif spec.group == "header" and spec.near():
        parts.append(f"written near: {spec.near()}")
    spec.description = "; ".join(parts)


def _all_args(tools: Mapping[str, Tool]) -> set[str]:
    return {a for t in tools.values() for a in t.parameters["properties"]}


def _arg_in(tool: Tool, name: str, fallback: str) -> str | None:
    props = tool.parameters["properties"]
    return name if name in props else fallback if fallback in props else None
