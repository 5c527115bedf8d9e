"""Seeded generator of airline problems drawn as RuleArena's generator draws them.

Problem ``i`` draws its trip from ``random.Random`` seeded by (complexity, seed, i) and its
wording from one seeded by (style, complexity, seed, i): the template and paraphrase sets of
one seed hold the same trips, and ``generate(n)`` is a prefix of ``generate(n + k)``.

Every choice follows ``data/rulearena_generator.json`` (RuleArena's generator data, MIT):

- route: direction 0 or 1 uniformly; the U.S. end uniformly from ``us_cities``; the other end
  uniformly from all of RuleArena's cities (U.S. and international) except the U.S. end. The
  region is the other end's (U.S. for a U.S.-U.S. trip), so regions come out in proportion to
  their number of cities, as the facts' ``direction`` rule reads.
- ticket: an integer uniform in [low, high) of the region's ``base_price_interval_by_region``.
- class and passenger name: uniform over ``customer_classes`` and ``passenger_names``.
- items: ``items_per_complexity`` capped by ``item_cap_by_region`` (carry-on included), so
  4/7/10 checked bags, at most 2 to/from Cuba and 5 to/from Mexico or South America.
- carry-on (item 1, a backpack): each side and the weight uniform in the ``carry_on`` ranges.
- checked bag: name uniform over ``item_names``; size sum S from a uniformly chosen band, then
  height in [S//3-12, S//3-7], length in [S//3+12, S//3+17], width = S - height - length;
  weight from a uniformly chosen band (no band over 70 lb in ``regions_without_over_70``).
"""

from __future__ import annotations

import random
import re
from typing import Any, Literal

from ._cities import RULEARENA_CITY_REGION, US_CITIES
from ._data import generator_facts
from ._phrasing import Person, render_paraphrase, render_template
from ._rules import compute_total
from ._schema import AirlineProblem, Bag, TripInfo

__all__ = ["CHECKED_BAGS", "generate", "generated_route"]

_FACTS: dict[str, Any] = generator_facts()
CHECKED_BAGS = {int(c): n - 1 for c, n in _FACTS["items_per_complexity"].items()}
"""Checked bags per complexity level (plus one carry-on), before the region's cap."""

Style = Literal["template", "paraphrase"]

# RuleArena's passenger names, by the pronouns the paraphrases use
_HE = frozenset(
    [
        "James",
        "John",
        "William",
        "Robert",
        "Michael",
        "David",
        "Joseph",
        "Charles",
        "Thomas",
        "Daniel",
    ]
)
_SHE = frozenset(
    [
        "Mary",
        "Patricia",
        "Jennifer",
        "Linda",
        "Elizabeth",
        "Susan",
        "Jessica",
        "Sarah",
        "Karen",
        "Emily",
    ]
)


def _person(name: str) -> Person:
    if name in _HE:
        return Person(name, "he", "his")
    if name in _SHE:
        return Person(name, "she", "her")
    raise ValueError(
        f"data/rulearena_generator.json: passenger_names: no pronouns for {name!r}; "
        "add the name to _HE or _SHE in ptp/tasks/airline/_generate.py"
    )


_PEOPLE = tuple(_person(name) for name in _FACTS["passenger_names"])
_ALL_CITIES = tuple(RULEARENA_CITY_REGION)


def _inclusive(rng: random.Random, bounds: list[int]) -> int:
    return rng.randint(bounds[0], bounds[1])


def _carry_on(rng: random.Random) -> Bag:
    spec = _FACTS["carry_on"]
    size = tuple(_inclusive(rng, spec[k]) for k in ("length_in", "width_in", "height_in"))
    return Bag(id=1, name="backpack", size=size, weight=_inclusive(rng, spec["weight_lb"]))


def _checked(bag_id: int, region: str, rng: random.Random) -> Bag:
    name = rng.choice(_FACTS["item_names"])
    total = _inclusive(rng, rng.choice(_FACTS["checked_size_sum_in"]["bands"]))
    third = total // 3
    height = rng.randint(third - 12, third - 7)
    length = rng.randint(third + 12, third + 17)
    weights = _FACTS["checked_weight_lb"]
    light = region in weights["regions_without_over_70"]
    bands = weights["bands_those_regions" if light else "bands_other_regions"]
    size = (length, total - height - length, height)
    return Bag(id=bag_id, name=name, size=size, weight=_inclusive(rng, rng.choice(bands)))


def _trip(complexity: int, rng: random.Random) -> tuple[TripInfo, Person, str, str]:
    direction = rng.randint(0, 1)
    home = rng.choice(US_CITIES)
    away = rng.choice([city for city in _ALL_CITIES if city != home])
    region = RULEARENA_CITY_REGION[away]
    origin, destination = (away, home) if direction else (home, away)
    low, high = _FACTS["base_price_interval_by_region"][region]
    price = rng.randrange(low, high)
    customer_class = rng.choice(_FACTS["customer_classes"])
    person = rng.choice(_PEOPLE)
    items = _FACTS["items_per_complexity"][str(complexity)]
    items = min(items, _FACTS["item_cap_by_region"].get(region, items))
    bags = [_carry_on(rng)] + [_checked(i, region, rng) for i in range(2, items + 1)]
    info = TripInfo(
        base_price=price,
        customer_class=customer_class,
        routine=region,
        direction=direction,
        bag_list=bags,
    )
    return info, person, origin, destination


def _trip_rng(complexity: int, seed: int, index: int) -> random.Random:
    return random.Random(f"airline-trip/{complexity}/{seed}/{index}")


_GENERATED_ID = re.compile(r"gen-[a-z]-c(?P<c>\d+)-s(?P<seed>-?\d+)-(?P<i>\d+)")


def generated_route(task_id: str, info: TripInfo) -> tuple[str, str] | None:
    """The (origin, destination) cities of a generated problem, drawn again from its id.

    The problem record keeps the trip (``info``) but not the city names, which only its
    prompt states; the generator's draw is fully set by the id's complexity, seed and index.
    None when ``task_id`` is not a generator's id or the trip drawn again differs from
    ``info`` (a problem written by other code under such an id).
    """
    match = _GENERATED_ID.fullmatch(task_id)
    if match is None or int(match["c"]) not in CHECKED_BAGS:
        return None
    complexity, seed, index = int(match["c"]), int(match["seed"]), int(match["i"])
    trip, _, origin, destination = _trip(complexity, _trip_rng(complexity, seed, index))
    return (origin, destination) if trip == info else None


def generate(n: int, complexity: int, seed: int, style: Style = "template") -> list[AirlineProblem]:
    """``n`` problems with ``CHECKED_BAGS[complexity]`` checked bags (fewer where the region caps
    them), fully set by the arguments.

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
        info, person, origin, dest = _trip(complexity, _trip_rng(complexity, seed, i))
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
