"""The booking desk's fixed facts and policy, shared by the environment, generator and expert."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

__all__ = [
    "AIRPORTS",
    "CABINS",
    "NOW",
    "Cabin",
    "changeable",
    "hours_since",
    "refundable",
    "says_basic_economy",
]

NOW = "2024-05-15 15:00"
"""The simulated current time (every template's assumptions state it)."""
TIME_FORMAT = "%Y-%m-%d %H:%M"
Cabin = Literal["basic_economy", "economy", "business"]
CABINS: tuple[str, ...] = ("basic_economy", "economy", "business")
AIRPORTS = (
    "ATL", "BOS", "CLT", "DEN", "DFW", "DTW", "EWR", "IAH", "JFK", "LAS", "LAX", "MIA", "MSP",
    "ORD", "PHL", "PHX", "SEA", "SFO",
)  # fmt: skip


def hours_since(created_at: str, now: str = NOW) -> float:
    """Hours from ``created_at`` to ``now`` (both ``YYYY-MM-DD HH:MM``)."""
    delta = datetime.strptime(now, TIME_FORMAT) - datetime.strptime(created_at, TIME_FORMAT)
    return delta.total_seconds() / 3600


def refundable(reservation: Mapping[str, Any], now: str = NOW) -> bool:
    """The cancellation policy: a full refund if booked under 24 hours ago or insured."""
    return bool(reservation["insurance"]) or hours_since(reservation["created_at"], now) < 24


def changeable(reservation: Mapping[str, Any]) -> bool:
    """The change policy: only economy and business reservations may move to another flight."""
    return reservation["cabin"] != "basic_economy"


_BASIC = re.compile(r"basic[\s_-]*economy", re.IGNORECASE)


def says_basic_economy(text: Any) -> bool:
    """Whether a message names the basic-economy cabin (the reason a change is refused)."""
    return isinstance(text, str) and bool(_BASIC.search(text))
