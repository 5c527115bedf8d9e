"""The airline expert policy (``expert:airline``): the reference solver acting as the L3 agent
does in its ``tools`` mode, one reply at a time, each a short thought and native tool calls.

Every reply is decided from the tool observations in the conversation, never from the rules
where a tool answers: the regions, the direction, the fees and the total are read from the
tools' results; the trip's facts (class, ticket, sizes, weights, cities) are what the prompt
states, taken from the problem's ground truth. The phases:

1. ``region_of`` for the origin and the destination city;
2. ``base_fee`` for checked-bag positions 1..n (the region: the one of the two that is not
   "U.S.", or "U.S."; the direction: 0 when the origin is in the U.S., else 1);
3. per bag ``oversize_fee`` and ``overweight_fee`` (complimentary when its position's base fee
   is 0), one call per bag even when bags are alike; only where moving bags between free and
   paid positions lowers the total (100 of 600 generated trips) is each bag's overweight fee
   also asked the other way, and the bags go where they cost least, as the reference solver
   places them;
4. ``calculator`` with every number written out;
5. ``final_answer`` with the calculator's result.

A phase with more than ``MAX_ACTIONS`` calls spans several replies. After an error observation
the expert stops guessing and answers with the reference solver's total (its thought says so).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from ptp._safe_ast import literal_eval
from ptp.agents import FINAL, MAX_ACTIONS
from ptp.models import ExpertReply, ModelError, Policy, ToolCall

from ._cities import CITY_REGION
from ._expert_reader import ptool_reply
from ._generate import generated_route
from ._l0 import L0ParseError, parse_route
from ._rules import base_fee, compute_total, optimal_positions, oversize_fee, overweight_fee
from ._schema import AirlineProblem

__all__ = ["airline_expert", "trip_route"]

_Call = tuple[str, dict[str, Any]]  # (tool, arguments)
_Key = tuple[str, tuple[tuple[str, Any], ...]]  # a call as a dict key


# every known city name (none is part of another), for wordings no parser reads
_CITY = re.compile(
    r"(?<!\w)(" + "|".join(map(re.escape, sorted(CITY_REGION, key=len, reverse=True))) + r")(?!\w)"
)


def trip_route(problem: AirlineProblem) -> tuple[str, str] | None:
    """The problem's (origin, destination) cities: drawn again from a generated problem's id
    (any wording), else read from the template's first sentence, else the first two distinct
    known city names in the text (every paraphrase names the origin first); None when the
    text names other than two."""
    route = generated_route(problem.task_id, problem.info)
    if route is not None:
        return route
    try:
        return parse_route(problem.prompt)
    except L0ParseError:
        pass
    cities = list(dict.fromkeys(m[1] for m in _CITY.finditer(problem.prompt)))
    return (cities[0], cities[1]) if len(cities) == 2 else None


def airline_expert(problem: AirlineProblem) -> Policy:
    """The expert policy for ``problem`` (``Family.expert``); see the module docstring."""
    route = trip_route(problem)

    def policy(messages: list[dict[str, Any]], params: dict[str, Any]) -> ExpertReply:
        reading = ptool_reply(problem, route, messages, params)
        if reading is not None:  # an L1 ptool call: the facts, as the text writes them
            return ExpertReply(reading)
        if "tools" not in params:
            raise ModelError(
                "expert:airline acts through native tool calls (ReAct's 'tools' mode, which "
                "ReActAgent(mode=None) picks for this spec) or answers L1's extract_item and "
                "extract_header calls"
            )
        turn = 1 + sum(m.get("role") == "assistant" for m in messages)
        known, errors = _observed(messages)
        if errors:
            return _fallback(problem, turn, f"the tool answered {errors[-1]!r}")
        if route is None:
            return _fallback(problem, turn, "I cannot tell which cities the trip connects")
        thought, calls = _plan(problem, route, known)
        return _reply(turn, thought, calls)

    return policy


def _key(name: str, arguments: Mapping[str, Any]) -> _Key:
    return name, tuple(sorted(arguments.items()))


class _Known(dict):
    """Answered calls' values by (tool, arguments); ``answered`` counts how often each was
    answered (a call per bag is made per bag, even when two bags are alike)."""

    def __init__(self, values: Mapping[_Key, Any], answered: Counter[_Key]) -> None:
        super().__init__(values)
        self.answered = answered


def _observed(messages: Sequence[Mapping[str, Any]]) -> tuple[_Known, list[str]]:
    """Every answered tool call's value by (tool, arguments), and the error observations."""
    calls: dict[str, _Key] = {}
    for message in messages:
        if message.get("role") != "assistant":
            continue
        for call in message.get("tool_calls") or ():
            function = call.get("function") or {}
            try:
                arguments = json.loads(function.get("arguments") or "{}")
            except json.JSONDecodeError:
                continue
            calls[str(call.get("id"))] = _key(str(function.get("name")), arguments)
    known: dict[_Key, Any] = {}
    answered: Counter[_Key] = Counter()
    errors: list[str] = []
    for message in messages:
        key = calls.get(str(message.get("tool_call_id")))
        if message.get("role") != "tool" or key is None:
            continue
        text = str(message.get("content") or "").strip()
        try:
            known[key] = literal_eval(text)
            answered[key] += 1
        except (ValueError, SyntaxError):
            errors.append(text)  # "Error: ..." or anything else that is not a value
    return _Known(known, answered), errors


def _missing(calls: list[_Call], known: Mapping[_Key, Any]) -> list[_Call]:
    """The calls not answered yet, in order; a call listed twice is made twice (one per
    bag), so the run reads as one call per bag however alike the bags are."""
    left = Counter(getattr(known, "answered", Counter({k: 1 for k in known})))
    out = []
    for name, arguments in calls:
        key = _key(name, arguments)
        if left[key] > 0:
            left[key] -= 1
        else:
            out.append((name, arguments))
    return out


def _plan(
    problem: AirlineProblem, route: tuple[str, str], known: Mapping[_Key, Any]
) -> tuple[str, list[_Call]]:
    """The next thought and calls, from what the tools have answered so far."""
    info, (origin, destination) = problem.info, route
    cls, checked = info.customer_class, info.bag_list[1:]
    asks = [("region_of", {"city": city}) for city in route]
    if todo := _missing(asks, known):
        return (
            f"The trip goes from {origin} to {destination}. First I look up the fee region of "
            "both cities.",
            todo,
        )
    r_origin, r_destination = (known[_key(*c)] for c in asks)
    if "U.S." not in (r_origin, r_destination):
        return _stuck(problem, f"neither {origin} ({r_origin}) nor {destination} is in the U.S.")
    region = r_destination if r_origin == "U.S." else r_origin
    direction = 0 if r_origin == "U.S." else 1
    asks = [
        ("base_fee", {"bag_position": p, "region": region, "customer_class": cls,
                      "direction": direction})
        for p in range(1, len(checked) + 1)
    ]  # fmt: skip
    if todo := _missing(asks, known):
        first, last = todo[0][1]["bag_position"], todo[:MAX_ACTIONS][-1][1]["bag_position"]
        which = f"position {first}" if first == last else f"positions {first} to {last}"
        thought = f"Next, the base fees of checked-bag {which} for {cls}."
        if len(todo) == len(asks):  # the phase's first reply says why these arguments
            thought = (
                f"{origin} is in {r_origin} and {destination} in {r_destination}, so the fee "
                f"region is {region} and the direction is {direction}. {thought}"
            )
        return thought, todo
    fees = [int(known[_key(*c)]) for c in asks]
    own = [fee == 0 for fee in fees]  # complimentary at the bag's listed position
    oversize = [("oversize_fee", dict(zip(("length", "width", "height"), b.size, strict=True),
                                      region=region)) for b in checked]  # fmt: skip

    def overweight(k: int, flag: bool) -> _Call:
        return ("overweight_fee", {"weight": checked[k].weight, "region": region,
                                   "customer_class": cls, "complimentary": flag})  # fmt: skip

    # One oversize and one overweight call per bag, at its listed position. Only where moving
    # bags between free and paid positions lowers the total (the reference solver places them
    # so) does the expert also ask each bag's overweight fee the other way.
    moved = _placement_matters(problem)
    asks = [call for k in range(len(checked)) for call in [oversize[k], overweight(k, own[k])]]
    asks += [overweight(k, not own[k]) for k in range(len(checked))] if moved else []
    if todo := _missing(asks, known):
        if len(todo) < len(_missing(asks, {})):
            return "Next, the oversize and overweight fees of the remaining bags.", todo
        thought = (
            f"Base fees by position: {', '.join(map(str, fees))}. Now the oversize and "
            "overweight fees of the bags (a bag whose base fee is 0 is complimentary)."
        )
        if moved:
            thought += (
                " Some positions are free and some are not, so I ask each bag's overweight "
                "fee both ways and put each bag where it costs least."
            )
        return thought, todo
    if moved:
        costs = [
            (_violation(known, oversize[k], overweight(k, True)),
             _violation(known, oversize[k], overweight(k, False)))
            for k in range(len(checked))
        ]  # fmt: skip
        places = optimal_positions(fees, costs)
    else:
        costs = [(_violation(known, oversize[k], overweight(k, own[k])),) * 2
                 for k in range(len(checked))]  # fmt: skip
        places = list(range(1, len(checked) + 1))
    terms = [info.base_price]
    for k, position in enumerate(places):
        fee = fees[position - 1]
        terms += [fee, costs[k][0 if fee == 0 else 1]]
    expression = " + ".join(map(str, terms))
    asks = [("calculator", {"expression": expression})]
    if todo := _missing(asks, known):
        return (
            "Each checked bag costs its base fee plus the larger of its oversize and "
            "overweight fees. I add the ticket and every bag's fees.",
            todo,
        )
    total = float(known[_key(*asks[0])])
    answer = int(total) if total.is_integer() else total
    return f"The total is {answer} USD.", [(FINAL, {"answer": answer})]


def _placement_matters(problem: AirlineProblem) -> bool:
    """Whether the reference's total differs from charging each bag at its listed position."""
    info = problem.info
    listed = info.base_price
    for position, bag in enumerate(info.bag_list[1:], 1):
        base = base_fee(position, info.routine, info.customer_class, info.direction)
        listed += base + max(oversize_fee(bag.size, info.routine),
                             overweight_fee(bag.weight, info.routine, info.customer_class,
                                            base == 0))  # fmt: skip
    return listed != compute_total(info)


def _violation(known: Mapping[_Key, Any], oversize: _Call, overweight: _Call) -> int:
    """The larger of a bag's observed oversize and overweight fees."""
    return max(int(known[_key(*oversize)]), int(known[_key(*overweight)]))


def _stuck(problem: AirlineProblem, why: str) -> tuple[str, list[_Call]]:
    """Stop guessing: answer with the reference solver's total (or say it has none)."""
    try:
        answer: Any = compute_total(problem.info)
        tail = "I stop guessing and answer with the reference solver's total."
    except ValueError as err:  # a trip outside the benchmark's fee tables, as L0 finds it
        answer, tail = f"no total: {err}", "The fee tables do not price this trip."
    return f"{why[0].upper()}{why[1:]}. {tail}", [(FINAL, {"answer": answer})]


def _fallback(problem: AirlineProblem, turn: int, why: str) -> ExpertReply:
    return _reply(turn, *_stuck(problem, why))


def _reply(turn: int, thought: str, calls: list[_Call]) -> ExpertReply:
    """At most ``MAX_ACTIONS`` calls, as native tool calls with ids unique in the run."""
    return ExpertReply(
        thought,
        tuple(
            ToolCall(f"call_{turn}_{k}", name, json.dumps(arguments))
            for k, (name, arguments) in enumerate(calls[:MAX_ACTIONS], 1)
        ),
    )
