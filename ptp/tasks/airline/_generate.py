"""Seeded generator of airline problems shaped like RuleArena's (levels 0, 1, 2).

Problem ``i`` draws its trip from ``random.Random`` seeded by (complexity, seed, i) and its
wording from one seeded by (style, complexity, seed, i): the template and paraphrase sets of
one seed hold the same trips, and ``generate(n)`` is a prefix of ``generate(n + k)``.
"""

from __future__ import annotations

import math
import random
from typing import Literal

from ._cities import CITIES_BY_REGION, US_CITIES
from ._phrasing import Person, render_paraphrase, render_template
from ._rules import compute_total
from ._schema import CLASSES, AirlineProblem, Bag, TripInfo

__all__ = ["CHECKED_BAGS", "generate"]

CHECKED_BAGS = {0: 4, 1: 7, 2: 10}
"""Checked bags per complexity level (plus one carry-on)."""

Style = Literal["template", "paraphrase"]

# Roughly the mix of RuleArena level 0, with every region present.
_REGION_WEIGHTS = {
    "U.S.": 30, "Europe": 12, "Canada": 8, "China": 8, "India": 5, "Japan": 5,
    "Puerto Rico": 2, "Mexico": 2, "Cuba": 2, "Haiti": 2, "Panama": 2, "Colombia": 2,
    "Ecuador": 2, "Peru": 2, "South America": 2, "Israel": 2, "Qatar": 2, "South Korea": 2,
    "Hong Kong": 2, "Australia": 2, "New Zealand": 2,
}  # fmt: skip
_WOMEN = "Sarah Linda Jessica Elizabeth Jennifer Emily Karen Patricia Susan Mary Priya Aisha"
_MEN = "Daniel Joseph Michael Thomas Robert David John William James Charles Carlos Kenji"
_PEOPLE = [Person(n, "she", "her") for n in _WOMEN.split()]
_PEOPLE += [Person(n, "he", "his") for n in _MEN.split()]


def _split(total: int, rng: random.Random) -> tuple[int, int, int]:
    """Three sides summing to ``total``, longest first as in the benchmark (mostly)."""
    length = round(total * rng.uniform(0.42, 0.56))
    width = round((total - length) * rng.uniform(0.52, 0.68))
    return length, width, total - length - width


def _carry_on(rng: random.Random) -> Bag:
    size = (rng.randint(18, 22), rng.randint(11, 14), rng.randint(6, 9))
    return Bag(id=1, name="backpack", size=size, weight=rng.randint(5, 12))


def _checked(bag_id: int, rng: random.Random) -> Bag:
    # Level 0: every checked bag is oversize and overweight; about half only just.
    total = rng.randint(63, 65) if rng.random() < 0.5 else rng.randint(66, 115)
    weight = rng.randint(51, 53) if rng.random() < 0.4 else round(rng.triangular(54, 100, 54))
    name = rng.choice(["backpack", "luggage box"])
    return Bag(id=bag_id, name=name, size=_split(total, rng), weight=weight)


def _trip(n_checked: int, rng: random.Random) -> tuple[TripInfo, Person, str, str]:
    region = rng.choices(list(_REGION_WEIGHTS), weights=list(_REGION_WEIGHTS.values()))[0]
    direction = rng.randint(0, 1)
    home, away = rng.sample(US_CITIES, 2)
    if region != "U.S.":
        away = rng.choice(CITIES_BY_REGION[region])
    origin, destination = (away, home) if direction else (home, away)
    price = round(min(1500.0, max(30.0, rng.lognormvariate(math.log(300), 0.7))))
    bags = [_carry_on(rng)] + [_checked(i, rng) for i in range(2, n_checked + 2)]
    info = TripInfo(
        base_price=price,
        customer_class=rng.choice(CLASSES),
        routine=region,
        direction=direction,
        bag_list=bags,
    )
    return info, rng.choice(_PEOPLE), origin, destination


def generate(n: int, complexity: int, seed: int, style: Style = "template") -> list[AirlineProblem]:
    """``n`` problems with ``CHECKED_BAGS[complexity]`` checked bags, fully set by the arguments.

    Args:
        n: number of problems.
        complexity: 0, 1 or 2 (4, 7 or 10 checked bags, as RuleArena's levels).
        seed: any integer.
        style: ``template`` (the benchmark's exact wording) or ``paraphrase``.
    """
    if complexity not in CHECKED_BAGS:
        raise ValueError(f"complexity must be 0, 1 or 2, not {complexity!r}")
    if style not in ("template", "paraphrase"):
        raise ValueError(f"style must be 'template' or 'paraphrase', not {style!r}")
    if n < 0:
        raise ValueError(f"n must be >= 0, not {n}")
    problems = []
    for i in range(n):
        info, person, origin, dest = _trip(
            CHECKED_BAGS[complexity], random.Random(f"airline-trip/{complexity}/{seed}/{i}")
        )
        if style == "template":
            prompt = render_template(info, person.name, origin, dest)
        else:
            wording = random.Random(f"airline-{style}/{complexity}/{seed}/{i}")
            prompt = render_paraphrase(info, person, origin, dest, wording)
        problems.append(
            AirlineProblem(
                task_id=f"gen-{style[0]}-c{complexity}-s{seed}-{i:03d}",
                prompt=prompt,
                info=info,
                answer=compute_total(info),
                complexity=complexity,
                style=style,
                source="generated",
            )
        )
    return problems
