"""The knapsack expert policy (``expert:knapsack``): the reference solver acting as a CodeAct
agent, one reply a step, each a short thought and one ``python`` block.

Steps, each read from the observations so far:

1. list the item ids;
2. inspect items: all of them when the budget allows, else as many as it allows, in blocks of
   at most :data:`CALLS_PER_BLOCK` (the interpreter's tool-call limit per block, which the
   prompt does not state: the expert knows it);
3. a dynamic program over the inspected items of allowed classes (capacity and classes as the
   task statement gives them) prints the best value and item set;
4. take that set and ``finish()``, after checking its value against the family's solver
   applied to the same observations (on a mismatch the expert takes the solver's set).

That is at most 6 replies (120 items: 3 inspection blocks), the episode's step limit.

Regimes: with a ``persistent`` interpreter each block uses the variables of earlier blocks
(``ids``, ``seen``, ``chosen``); with ``reset`` (read from the system prompt's regime
sentence) each block stands alone and gets its state back from the tools where it can: it
lists the ids again (``list_items()``) when it inspects every item, and the dynamic program's
block inspects again, for free, what one block inspected (the same ``list_items()`` or the
same id list as that block: a copy of its own code, not a filter of an observation). Larger
inspections are written out from the observations: the allowed items' ids when one block can
re-inspect them, else their observed values. The set to take is copied from the program's
printout.

What the tools cannot tell: which items to spend a short inspect budget on (classes, weights
and values are hidden until inspected). There the expert uses the reference: it inspects the
reference's optimal items plus the first others in list order up to the budget. Everything
else (what the items are, which set is best) comes from its observations. After an error
observation the expert stops guessing: it takes the reference's set and finishes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ptp._safe_ast import literal_eval
from ptp.agents.codeact import REGIME_SENTENCES
from ptp.models import ExpertReply, Policy
from ptp.sandbox._observation import STATE_LOST_NOTE

from ._task import KnapsackTask

__all__ = ["CALLS_PER_BLOCK", "knapsack_expert"]

CALLS_PER_BLOCK = 50
"""Tool calls one block may make: ``Interpreter``'s ``max_tool_calls`` default, which the
knapsack episode keeps (a test checks that they agree)."""

_ERROR = re.compile(r"^(?:Traceback \(most recent call last\):|\w+(?:Error|Crashed): )", re.M)
_DP = """best = {0: (0, [])}  # weight used -> (best value, items)
for i, item in seen.items():
    if item["class"] in allowed:
        for w, (v, items) in list(best.items()):
            w2, v2 = w + item["weight"], v + item["value"]
            if w2 <= cap and v2 > best.get(w2, (-1,))[0]:
                best[w2] = (v2, items + [i])
value, chosen = max(best.values())
print(value, chosen)"""


def knapsack_expert(task: KnapsackTask) -> Policy:
    """The expert policy for ``task`` (``Family.expert``); see the module docstring."""

    def policy(messages: list[dict[str, Any]], params: dict[str, Any]) -> ExpertReply:
        system = str(messages[0].get("content", "")) if messages else ""
        reset = REGIME_SENTENCES["reset"] in system
        seen = [
            str(m.get("content", "")).removeprefix("Observation:").strip()
            for m in messages[2:]
            if m.get("role") == "user"
        ]
        thought, code = _step(task, reset, seen)
        return ExpertReply(f"{thought}\n```python\n{code}\n```")

    return policy


def _failed(text: str) -> bool:
    return bool(_ERROR.search(text)) or STATE_LOST_NOTE in text


def _step(task: KnapsackTask, reset: bool, observations: Sequence[str]) -> tuple[str, str]:
    """The next thought and code block."""
    if observations and _failed(observations[-1]):
        return _stuck(task, "The last block failed")
    step = len(observations) + 1
    if step == 1:
        return "First I list the item ids.", "ids = list_items()\nprint(ids)"
    try:
        ids = literal_eval(observations[0])
        picked = _picked(task, ids)
        blocks = [picked[k : k + CALLS_PER_BLOCK] for k in range(0, len(picked), CALLS_PER_BLOCK)]
        if step <= 1 + len(blocks):
            return _inspect(task, reset, ids, blocks, step - 2)
        items: dict[str, Any] = {}
        for text in observations[1 : 1 + len(blocks)]:
            items.update(literal_eval(text))
        if step == 2 + len(blocks):
            again = _source(reset, ids, blocks, 0) if len(blocks) == 1 else None
            return _best(task, reset, items, again)
        value, _, chosen = observations[1 + len(blocks)].partition(" ")
        if step == 3 + len(blocks):
            return _take(task, reset, items, int(value), literal_eval(chosen))
    except (ValueError, SyntaxError, IndexError):
        return _stuck(task, "I cannot read an earlier observation")
    return "Everything is taken; I finish.", "print(finish())"


def _picked(task: KnapsackTask, ids: list[str]) -> list[str]:
    """The items to inspect: all that the budget allows, the reference's optimal ones first."""
    budget = task.public.inspect_budget
    if budget >= len(ids):
        return list(ids)
    wanted = set(task.reference.optimal_ids)
    others = [i for i in ids if i not in wanted][: max(0, budget - len(wanted))]
    wanted.update(others)
    return [i for i in ids if i in wanted]


def _source(reset: bool, ids: list[str], blocks: list[list[str]], k: int) -> str:
    """Where inspection block ``k`` takes its ids: ``ids`` (persistent), the tools (reset,
    when listing them again fits the block's tool calls) or the ids written out."""
    block, done = blocks[k], sum(map(len, blocks[:k]))
    if sum(map(len, blocks)) < len(ids):
        return repr(block)
    if not reset:
        return "ids" if len(blocks) == 1 else f"ids[{done}:{done + len(block)}]"
    return "list_items()" if len(ids) < CALLS_PER_BLOCK else repr(block)


def _inspect(
    task: KnapsackTask, reset: bool, ids: list[str], blocks: list[list[str]], k: int
) -> tuple[str, str]:
    block, done = blocks[k], sum(map(len, blocks[:k]))
    picked = sum(map(len, blocks))
    every = picked == len(ids)
    source = _source(reset, ids, blocks, k)
    if k == 0:
        budget = task.public.inspect_budget
        thought = f"There are {len(ids)} items and I may inspect {budget}: " + (
            "enough for all of them." if every else f"I inspect {picked} of them."
        )
        if len(blocks) > 1:
            thought += f" A block may call the tools {CALLS_PER_BLOCK} times, so in parts."
    else:
        thought = f"Next, items {done + 1} to {done + len(block)} of the {picked} I inspect."
    if reset:
        return thought, f"print({{i: inspect(i) for i in {source}}})"
    if k == 0:
        return thought, f"seen = {{i: inspect(i) for i in {source}}}\nprint(seen)"
    return thought, f"more = {{i: inspect(i) for i in {source}}}\nseen.update(more)\nprint(more)"


def _allowed(task: KnapsackTask, items: Mapping[str, Any]) -> list[str]:
    return [i for i, item in items.items() if item["class"] in task.public.allowed_classes]


def _best(
    task: KnapsackTask, reset: bool, items: Mapping[str, Any], again: str | None
) -> tuple[str, str]:
    """The dynamic program's block; ``again``: the single inspection block's id source, which
    a reset block inspects again (None: the inspection took several blocks)."""
    public, allowed = task.public, _allowed(task, items)
    thought = (
        f"I saw {len(items)} items, {len(allowed)} of them in an allowed class. A dynamic "
        f"program over those finds the most valuable set within capacity {public.capacity}."
    )
    classes = "{" + ", ".join(map(repr, sorted(public.allowed_classes))) + "}"
    lines = [f"cap, allowed = {public.capacity}, {classes}", _DP]
    if reset and again:  # the state comes back from the tools
        lines.insert(0, f"seen = {{i: inspect(i) for i in {again}}}  # free: seen before")
    elif reset and len(allowed) <= CALLS_PER_BLOCK:
        lines.insert(0, f"seen = {{i: inspect(i) for i in {allowed!r}}}  # free: seen before")
    elif reset:  # too many to re-inspect in one block: the observed values, written out
        lines.insert(0, f"seen = { ({i: items[i] for i in allowed})!r}")
    return thought, "\n".join(lines)


def _take(
    task: KnapsackTask, reset: bool, items: Mapping[str, Any], value: int, chosen: list[str]
) -> tuple[str, str]:
    best, best_ids = _solve(task, items)
    if value != best:
        thought = (
            f"The program found {value}, but the exact solver over the same items finds "
            f"{best}; I take the solver's {len(best_ids)} items."
        )
        return thought, _take_code(repr(best_ids), len(best_ids))
    thought = f"The best set is worth {value}: {len(chosen)} items. I take them and finish."
    return thought, _take_code(repr(chosen) if reset else "chosen", len(chosen))


def _take_code(source: str, count: int) -> str:
    code = f"for i in {source}:\n    print(take_item(i))"
    return f"{code}\nprint(finish())" if count < CALLS_PER_BLOCK else code


def _solve(task: KnapsackTask, items: Mapping[str, Any]) -> tuple[int, list[str]]:
    """The family's exact solver over the observed items of allowed classes."""
    from ._solver import solve_knapsack  # numpy: only when an expert plays

    pool = _allowed(task, items)
    weights = [int(items[i]["weight"]) for i in pool]
    values = [int(items[i]["value"]) for i in pool]
    best, picked = solve_knapsack(weights, values, task.public.capacity)
    return best, [pool[k] for k in picked]


def _stuck(task: KnapsackTask, why: str) -> tuple[str, str]:
    """Stop guessing: take the reference's set (refusals are printed, not raised), finish."""
    ids = list(task.reference.optimal_ids)
    code = (
        f"for i in {ids!r}:\n    try:\n        print(take_item(i))\n"
        "    except Exception as err:\n        print(err)\nprint(finish())"
    )
    return f"{why}; I stop guessing and take the reference solver's set, then finish.", code
