"""Cities and the fee region of each: RuleArena's own lists plus a few unambiguous extras.

The generator draws only from RuleArena's lists (:data:`US_CITIES`,
:data:`RULEARENA_CITY_REGION`); the lookup (:data:`CITY_REGION`, :func:`find_city`, used by L0,
L1 and the ``region_of`` tool) also knows :data:`_EXTRA` cities that a paraphrase or a model
may name. Names that are also first names or other places (David, Santiago, Cartagena, Cuenca,
Colón) are left out on purpose.
"""

from __future__ import annotations

import unicodedata

from ._data import generator_facts

__all__ = [
    "CITIES_BY_REGION",
    "CITY_REGION",
    "RULEARENA_CITY_REGION",
    "US_CITIES",
    "find_city",
]

US_CITIES: tuple[str, ...] = tuple(generator_facts()["us_cities"])
"""RuleArena's U.S. cities, in its order."""

RULEARENA_CITY_REGION: dict[str, str] = {
    **{city: "U.S." for city in US_CITIES},
    **generator_facts()["international_city_region"],
}
"""Every city RuleArena's generator uses -> its region, in the benchmark's order."""

_EXTRA: dict[str, tuple[str, ...]] = {
    "U.S.": ("Detroit", "Nashville"),
    "Puerto Rico": ("Ponce", "Aguadilla", "Mayagüez"),
    "Canada": ("Calgary",),
    "Mexico": ("Cancún", "Guadalajara", "Monterrey"),
    "Cuba": ("Santiago de Cuba", "Varadero", "Holguín"),
    "Haiti": ("Cap-Haïtien", "Les Cayes"),
    "Panama": ("Bocas del Toro",),
    "Colombia": ("Medellín", "Cali"),
    "Ecuador": ("Guayaquil",),
    "Peru": ("Cusco", "Arequipa"),
    "South America": ("Montevideo",),
    "Israel": ("Tel Aviv", "Haifa", "Eilat"),
    "Qatar": ("Al Wakrah", "Al Khor"),
    "India": ("Bangalore", "Chennai", "Kolkata"),
    "Japan": ("Sapporo", "Fukuoka"),
    "South Korea": ("Jeju",),
    "Hong Kong": ("Kowloon",),
    "Australia": ("Brisbane", "Perth"),
    "New Zealand": ("Wellington", "Christchurch", "Queenstown"),
}


def _by_region() -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for city, region in RULEARENA_CITY_REGION.items():
        grouped.setdefault(region, []).append(city)
    for region, cities in _EXTRA.items():
        grouped.setdefault(region, []).extend(cities)
    return {region: tuple(cities) for region, cities in grouped.items()}


CITIES_BY_REGION: dict[str, tuple[str, ...]] = _by_region()
"""Region -> the cities the lookup knows (RuleArena's first, then the extras)."""
CITY_REGION: dict[str, str] = {
    city: region for region, cities in CITIES_BY_REGION.items() for city in cities
}


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.casefold() if ch.isalnum())


_FOLDED = {_fold(city): city for city in CITY_REGION}


def find_city(name: str) -> str | None:
    """The table's spelling of ``name`` (case, accents, spaces and punctuation ignored), or None."""
    return _FOLDED.get(_fold(name))
