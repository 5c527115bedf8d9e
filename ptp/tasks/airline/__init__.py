"""RuleArena airline bag fees: data, exact rules, loader, generator, scorer, L0 solver, tools.

>>> problems = generate(n=5, complexity=0, seed=1, style="paraphrase")
>>> score_answer(f"The total is ${problems[0].answer:,}.", problems[0].answer)
(True, 1.0)
"""

from ._cities import CITIES_BY_REGION, CITY_REGION, US_CITIES
from ._data import fee_tables, policy_text
from ._fixtures import read_fixtures, write_fixtures
from ._generate import CHECKED_BAGS, generate
from ._io import AirlineDataError
from ._l0 import L0ParseError, parse_prompt, solve_l0
from ._load import load_rulearena
from ._phrasing import Person, render_paraphrase, render_template
from ._rules import (
    BagCharge,
    bag_charges,
    base_fee,
    compute_total,
    optimal_positions,
    oversize_fee,
    overweight_fee,
)
from ._schema import CLASSES, REGIONS, AirlineProblem, Bag, TripInfo
from ._score import score_answer
from ._tools import TOOL_FUNCTIONS, calculator, region_of

__all__ = [
    "CHECKED_BAGS",
    "CITIES_BY_REGION",
    "CITY_REGION",
    "CLASSES",
    "REGIONS",
    "TOOL_FUNCTIONS",
    "US_CITIES",
    "AirlineDataError",
    "AirlineProblem",
    "Bag",
    "BagCharge",
    "L0ParseError",
    "Person",
    "TripInfo",
    "bag_charges",
    "base_fee",
    "calculator",
    "compute_total",
    "fee_tables",
    "generate",
    "load_rulearena",
    "optimal_positions",
    "oversize_fee",
    "overweight_fee",
    "parse_prompt",
    "policy_text",
    "read_fixtures",
    "region_of",
    "render_paraphrase",
    "render_template",
    "score_answer",
    "solve_l0",
    "write_fixtures",
]
