"""L0 baseline: regular expressions for the benchmark's template wording, then the rules.

It reads the template exactly and nothing else, so it measures how far pure parsing goes.
For a trip between two U.S. cities it returns ``direction=0``: the U.S. fee rows are the same
both ways, so the total does not depend on it.
"""

from __future__ import annotations

import re

from ._cities import CITY_REGION
from ._rules import compute_total
from ._schema import CLASSES, Bag, TripInfo

__all__ = ["L0ParseError", "parse_prompt", "parse_route", "solve_l0"]

_HEAD = re.compile(
    r"^(?P<name>.+?) is an? (?P<cls>" + "|".join(map(re.escape, CLASSES)) + r") Class passenger "
    r"flying from (?P<origin>.+?) to (?P<dest>.+?) with the following items:\n"
)
_ITEM = re.compile(
    r"^(?P<id>\d+)\. An? (?P<name>[^:\n]+): (?P<l>\d+) x (?P<w>\d+) x (?P<h>\d+) inches, "
    r"(?P<lb>\d+) lbs;$",
    re.MULTILINE,
)
_TICKET = re.compile(r"flight ticket is \$(?P<price>\d{1,3}(?:,\d{3})+|\d+)\.\s*$")


class L0ParseError(ValueError):
    """The prompt is not in the template wording the L0 parser reads."""


def _route(origin: str, dest: str) -> tuple[str, int]:
    regions = []
    for city in (origin, dest):
        if city not in CITY_REGION:
            raise L0ParseError(f"unknown city {city!r}")
        regions.append(CITY_REGION[city])
    if regions == ["U.S.", "U.S."]:
        return "U.S.", 0
    if regions[0] == "U.S.":
        return regions[1], 0
    if regions[1] == "U.S.":
        return regions[0], 1
    raise L0ParseError(f"neither {origin!r} nor {dest!r} is a U.S. city")


def parse_prompt(text: str) -> TripInfo:
    """Read a template-style prompt into a :class:`TripInfo`; raise :class:`L0ParseError` if not."""
    head = _HEAD.match(text)
    ticket = _TICKET.search(text)
    if head is None or ticket is None:
        raise L0ParseError("prompt does not follow the template's first or last sentence")
    bags = [
        Bag(id=int(m["id"]), name=m["name"], size=(int(m["l"]), int(m["w"]), int(m["h"])),
            weight=int(m["lb"]))
        for m in _ITEM.finditer(text)
    ]  # fmt: skip
    if not bags:
        raise L0ParseError("no item lines in the template form")
    routine, direction = _route(head["origin"], head["dest"])
    return TripInfo(
        base_price=int(ticket["price"].replace(",", "")),
        customer_class=head["cls"],
        routine=routine,
        direction=direction,
        bag_list=bags,
    )


def parse_route(text: str) -> tuple[str, str]:
    """The (origin, destination) cities of a template-style prompt, as written.

    Raises:
        L0ParseError: the first sentence is not in the template wording.
    """
    head = _HEAD.match(text)
    if head is None:
        raise L0ParseError("prompt does not follow the template's first sentence")
    return head["origin"], head["dest"]


def solve_l0(prompt: str) -> int:
    """Total cost of a template-style prompt, computed by parsing and the rules."""
    return compute_total(parse_prompt(prompt))
