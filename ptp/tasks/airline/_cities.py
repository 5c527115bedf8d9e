"""Real cities and the fee region each belongs to (covers every city in RuleArena level 0)."""

from __future__ import annotations

import unicodedata

__all__ = ["CITIES_BY_REGION", "CITY_REGION", "US_CITIES", "find_city"]

US_CITIES: tuple[str, ...] = (
    "Atlanta", "Austin", "Boston", "Charlotte", "Chicago", "Dallas", "Denver", "Detroit",
    "Houston", "Las Vegas", "Los Angeles", "Miami", "Minneapolis", "Nashville", "New Orleans",
    "New York", "Orlando", "Philadelphia", "Phoenix", "Portland", "Sacramento",
    "Salt Lake City", "San Francisco", "Seattle", "Washington D.C.",
)  # fmt: skip

CITIES_BY_REGION: dict[str, tuple[str, ...]] = {
    "U.S.": US_CITIES,
    "Puerto Rico": ("San Juan", "Ponce", "Aguadilla", "Mayagüez"),
    "Canada": ("Toronto", "Montreal", "Vancouver", "Ottawa", "Calgary"),
    "Mexico": ("Mexico City", "Cancún", "Guadalajara", "Monterrey"),
    "Cuba": ("Havana", "Santiago de Cuba", "Varadero", "Holguín"),
    "Haiti": ("Port-au-Prince", "Cap-Haïtien", "Les Cayes"),
    "Panama": ("Panama City", "David", "Colón"),
    "Colombia": ("Bogotá", "Medellín", "Cali", "Cartagena"),
    "Ecuador": ("Quito", "Guayaquil", "Cuenca"),
    "Peru": ("Lima", "Cusco", "Arequipa"),
    "South America": ("Rio de Janeiro", "São Paulo", "Buenos Aires", "Santiago", "Montevideo"),
    "Israel": ("Jerusalem", "Tel Aviv", "Haifa", "Eilat"),
    "Qatar": ("Doha", "Al Wakrah", "Al Khor"),
    "Europe": (
        "London",
        "Paris",
        "Berlin",
        "Roma",
        "Amsterdam",
        "Barcelona",
        "Brussels",
        "Helsinki",
        "Munich",
        "Stockholm",
        "Vienna",
    ),
    "India": ("New Delhi", "Mumbai", "Bangalore", "Chennai", "Kolkata"),
    "China": ("Shanghai", "Beijing", "Guangzhou", "Shenzhen", "Chengdu", "Wuhan"),
    "Japan": ("Tokyo", "Osaka", "Nagoya", "Sapporo", "Fukuoka"),
    "South Korea": ("Seoul", "Busan", "Incheon", "Jeju"),
    "Hong Kong": ("Hong Kong", "Kowloon"),
    "Australia": ("Sydney", "Melbourne", "Brisbane", "Perth"),
    "New Zealand": ("Auckland", "Wellington", "Christchurch", "Queenstown"),
}
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
