"""The benchmark's fee rules, written from its description (see NOTES in the RuleArena data).

total = ticket + sum over checked bags of (base fee of its position + max(oversize, overweight)).

Position assignment: positions 1..n are all used whatever the order, so the sum of base fees is
fixed; order only decides which bags sit in the F positions whose fee is 0 (complimentary).
Bag b costs ``paid_b`` outside them and ``comp_b`` inside, so the total is
``const + sum(paid) - sum(gain_b for the F complimentary bags)`` with ``gain_b = paid_b - comp_b``:
taking the F largest gains is optimal for any fee vector (no monotonicity needed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from ._data import fee_tables
from ._schema import CLASSES, REGIONS, TripInfo

__all__ = [
    "BagCharge",
    "bag_charges",
    "base_fee",
    "compute_total",
    "optimal_positions",
    "oversize_fee",
    "overweight_fee",
]

_LOW_OVERSIZE = frozenset(
    {"Panama", "South America", "Peru", "Colombia", "Ecuador", "Europe", "Israel", "Qatar"}
)
_ASIA_450 = frozenset({"India", "China", "Japan", "South Korea", "Hong Kong"})
_OCEANIA = frozenset({"Australia", "New Zealand"})
_PREMIUM = frozenset({"Business", "First"})


def _check(region: str, customer_class: str | None = None) -> None:
    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}; use one of: {', '.join(REGIONS)}")
    if customer_class is not None and customer_class not in CLASSES:
        raise ValueError(
            f"unknown customer class {customer_class!r}; use one of: {', '.join(CLASSES)}"
        )


def base_fee(position: int, region: str, customer_class: str, direction: int) -> int:
    """Base fee of the checked bag at 1-based ``position`` (4 covers the 4th and later).

    Raises:
        ValueError: bad arguments, or a position the benchmark's tables do not price (bag 3+
            to/from Cuba: RuleArena caps Cuba trips at 2 checked bags).
    """
    _check(region, customer_class)
    if position < 1:
        raise ValueError(f"bag position starts at 1, got {position}")
    if direction not in (0, 1):
        raise ValueError(f"direction is 0 (leaving the U.S.) or 1 (arriving), got {direction!r}")
    table = fee_tables()["arrive" if direction else "depart"][min(position, 4)]
    row = table.get(region)
    if row is None:
        last = min(p for p, t in fee_tables()["depart"].items() if region not in t) - 1
        raise ValueError(
            f"the benchmark's fee tables have no base fee for checked bag {position} in region "
            f"{region!r} (data/fees.json, position {min(position, 4)}); RuleArena never puts "
            f"that many checked bags on such a trip: give at most {last} checked bags"
        )
    return row[customer_class]


def oversize_fee(size: Sequence[int], region: str) -> int:
    """Oversize fee from length + width + height in inches."""
    _check(region)
    total = sum(size)
    if total <= 62:
        return 0
    if total <= 65:
        return 30
    return 150 if region in _LOW_OVERSIZE else 200


def overweight_fee(weight: int, region: str, customer_class: str, complimentary: bool) -> int:
    """Overweight fee in USD for a bag of ``weight`` pounds."""
    _check(region, customer_class)
    heavy = 450 if region in _ASIA_450 else 200
    if complimentary and region in _OCEANIA:
        return 0 if weight <= 70 else 200
    if complimentary and customer_class in _PREMIUM:
        return 0 if weight <= 70 else heavy
    if weight <= 50:
        return 0
    if weight <= 53:
        return 30
    if weight <= 70:
        return 200 if region == "Cuba" else 100
    return heavy


def optimal_positions(fees: Sequence[int], costs: Sequence[tuple[int, int]]) -> list[int]:
    """Cheapest assignment of bags to positions.

    Args:
        fees: base fee of positions 1..n, in order.
        costs: per bag, (violation cost if complimentary, violation cost if paid).

    Returns:
        The 1-based position of each bag (a permutation of 1..n).
    """
    if len(fees) != len(costs):
        raise ValueError(f"{len(fees)} positions for {len(costs)} bags")
    free = [p for p, fee in enumerate(fees, 1) if fee == 0]
    paid = [p for p, fee in enumerate(fees, 1) if fee != 0]
    by_gain = sorted(range(len(costs)), key=lambda i: costs[i][0] - costs[i][1])
    positions = [0] * len(costs)
    for bag, pos in zip(by_gain, free + paid, strict=True):
        positions[bag] = pos
    return positions


class BagCharge(NamedTuple):
    """What one checked bag costs: its position, base fee and the violation fee that applies."""

    position: int
    base: int
    oversize: int
    overweight: int

    @property
    def total(self) -> int:
        return self.base + max(self.oversize, self.overweight)


def _as_info(info: TripInfo | dict[str, Any]) -> TripInfo:
    return info if isinstance(info, TripInfo) else TripInfo.model_validate(info)


def bag_charges(info: TripInfo | dict[str, Any]) -> list[BagCharge]:
    """Charges of each checked bag (``bag_list[1:]``, same order) under the cheapest assignment."""
    trip = _as_info(info)
    region, cls = trip.routine, trip.customer_class
    checked = trip.bag_list[1:]
    fees = [base_fee(p, region, cls, trip.direction) for p in range(1, len(checked) + 1)]

    def violation(bag_index: int, complimentary: bool) -> int:
        bag = checked[bag_index]
        over_w = overweight_fee(bag.weight, region, cls, complimentary)
        return max(oversize_fee(bag.size, region), over_w)

    costs = [(violation(i, True), violation(i, False)) for i in range(len(checked))]
    charges = []
    for bag, pos in zip(checked, optimal_positions(fees, costs), strict=True):
        fee = fees[pos - 1]
        over_w = overweight_fee(bag.weight, region, cls, fee == 0)
        charges.append(BagCharge(pos, fee, oversize_fee(bag.size, region), over_w))
    return charges


def compute_total(info: TripInfo | dict[str, Any]) -> int:
    """Ticket plus all checked-bag fees, in USD; ``info`` as in the benchmark JSON."""
    trip = _as_info(info)
    return trip.base_price + sum(charge.total for charge in bag_charges(trip))
