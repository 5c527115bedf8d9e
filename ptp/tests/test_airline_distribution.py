"""The generator draws trips as RuleArena's generator does (``data/rulearena_generator.json``).

The rules are written out here, not read from the shipped data, so a wrong transcription or a
drifting generator both fail; ``test_airline_rulearena.py`` compares the data with the source.
"""

from __future__ import annotations

from collections import Counter

import pytest

from ptp.tasks.airline import AirlineProblem, generate
from ptp.tasks.airline._cities import RULEARENA_CITY_REGION, US_CITIES

N = 2000
CHECKED = {0: 4, 1: 7, 2: 10}
CAP = {"Cuba": 2, "Mexico": 5, "South America": 5}  # checked bags
NO_OVER_70 = {"Cuba", "Europe", "Israel", "Qatar", "Australia", "New Zealand"}
CLASSES = {"Basic Economy", "Main Cabin", "Main Plus", "Premium Economy", "Business", "First"}


@pytest.fixture(scope="module", params=[0, 1, 2])
def problems(request) -> list[AirlineProblem]:
    return generate(N, request.param, seed=31)


def _checked(problems: list[AirlineProblem]):
    return [(p.info.routine, b) for p in problems for b in p.info.bag_list[1:]]


def test_checked_bag_counts_follow_level_and_region_caps(problems) -> None:
    level = problems[0].complexity
    for p in problems:
        expected = min(CHECKED[level], CAP.get(p.info.routine, CHECKED[level]))
        assert len(p.info.bag_list) == expected + 1, p.task_id
        assert [b.id for b in p.info.bag_list] == list(range(1, expected + 2))
    assert {p.info.routine for p in problems} >= set(CAP)  # the caps are exercised


def test_carry_on_is_a_backpack_within_the_ranges(problems) -> None:
    for p in problems:
        bag = p.info.bag_list[0]
        length, width, height = bag.size
        assert bag.name == "backpack"
        assert 18 <= length <= 22 and 11 <= width <= 14 and 6 <= height <= 9
        assert 5 <= bag.weight <= 12


def test_checked_sizes_follow_the_sum_bands_and_dims_rule(problems) -> None:
    bags = _checked(problems)
    sums = Counter()
    for _, bag in bags:
        length, width, height = bag.size
        total = length + width + height
        assert 63 <= total <= 115
        assert total // 3 - 12 <= height <= total // 3 - 7, bag
        assert total // 3 + 12 <= length <= total // 3 + 17, bag
        assert bag.name in ("backpack", "luggage box")
        sums[total <= 65] += 1
    assert 0.45 < sums[True] / len(bags) < 0.55  # band chosen uniformly
    names = Counter(bag.name for _, bag in bags)
    assert 0.45 < names["backpack"] / len(bags) < 0.55


def test_checked_weights_follow_the_region_bands(problems) -> None:
    light = [b.weight for region, b in _checked(problems) if region in NO_OVER_70]
    other = [b.weight for region, b in _checked(problems) if region not in NO_OVER_70]
    assert light and max(light) <= 70 and min(light) >= 51
    assert min(other) >= 51 and max(other) <= 100
    assert 0.45 < sum(w <= 53 for w in light) / len(light) < 0.55  # 2 bands, uniform
    for band in ((51, 53), (54, 70), (71, 100)):  # 3 bands, uniform
        share = sum(band[0] <= w <= band[1] for w in other) / len(other)
        assert 0.3 < share < 0.37, band


# RuleArena's ticket price intervals [low, high) per region, written out (not read from the
# shipped data, so a wrong interval there fails here)
PRICE_INTERVALS = {
    "U.S.": (30, 300), "China": (500, 1500), "Hong Kong": (800, 1500), "Japan": (300, 600),
    "South Korea": (300, 600), "India": (300, 800), "Qatar": (700, 1200),
    "Europe": (150, 700), "Canada": (100, 400), "Haiti": (50, 100), "Mexico": (80, 200),
    "Cuba": (150, 200), "Panama": (150, 200), "Puerto Rico": (150, 300),
    "Colombia": (150, 300), "Ecuador": (300, 600), "Peru": (250, 700),
    "South America": (400, 1200), "Israel": (700, 1500), "Australia": (450, 1000),
    "New Zealand": (800, 1000),
}  # fmt: skip


def test_price_is_an_integer_inside_the_region_interval(problems) -> None:
    intervals = PRICE_INTERVALS
    for p in problems:
        low, high = intervals[p.info.routine]
        assert low <= p.info.base_price < high, p.task_id
    us = [p.info.base_price for p in problems if p.info.routine == "U.S."]
    assert min(us) < 40 and max(us) >= 290  # uniform over [30, 300), not clustered


def test_route_class_and_names_follow_rulearena(problems) -> None:
    head = "{} is a {} Class passenger flying from {} to {} with"
    cities, us_share = Counter(), 0
    for p in problems:
        first = p.prompt.split(" with the following items:")[0]
        name, rest = first.split(" is a ", 1)
        origin, dest = rest.split(" Class passenger flying from ", 1)[1].split(" to ", 1)
        assert p.prompt.startswith(head.format(name, p.info.customer_class, origin, dest))
        us_end, other = (dest, origin) if p.info.direction else (origin, dest)
        assert us_end in US_CITIES and other in RULEARENA_CITY_REGION and other != us_end
        assert p.info.routine == RULEARENA_CITY_REGION[other]
        cities[other] += 1
        us_share += p.info.routine == "U.S."
    assert {p.info.customer_class for p in problems} == CLASSES
    assert 0.25 < us_share / len(problems) < 0.35  # 22 of the 74 other-end cities are U.S.
    assert len(cities) >= 70
    assert 0.45 < sum(p.info.direction for p in problems) / len(problems) < 0.55
