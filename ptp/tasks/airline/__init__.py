"""RuleArena airline bag fees: data, exact rules, loader, generator, scorer, solvers, tools.

>>> problems = generate(n=5, complexity=0, seed=1, style="paraphrase")
>>> score(f"The total is ${problems[0].answer:,}.", problems[0]).correct
True

The family protocol (``FAMILY``, also ``ptp.tasks.get_family("airline")``) is what evals use:
``FAMILY.solvers["L1"](problem, model)`` then ``FAMILY.score(result.answer, problem)``.
"""

from ._cities import CITIES_BY_REGION, CITY_REGION, US_CITIES
from ._data import fee_tables, policy_text
from ._expert import airline_expert, trip_route
from ._family import FAMILY, FeeTools, read_fixtures, write_fixtures
from ._generate import CHECKED_BAGS, generate
from ._io import AirlineDataError
from ._l0 import L0ParseError, parse_prompt, parse_route, solve_l0
from ._l1 import ItemReading, TripHeader, extract_header, extract_item
from ._levels import (
    CAPS,
    COT_MAX_TOKENS,
    L1_MAX_TOKENS,
    L1_RETRIES,
    L3_REPLY_TOKENS,
    L3_STEP_RULE,
    L3_TOKEN_RULE,
    SOLVERS,
    cot_messages,
    extract_trip,
    l3_step_budget,
    worked_solution,
)
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
from ._score import TripAnswer, score, trip_metrics
from ._spans import SpanError, find_item_spans
from ._tools import TOOL_FUNCTIONS, calculator, region_of

__all__ = [
    "CAPS",
    "CHECKED_BAGS",
    "CITIES_BY_REGION",
    "CITY_REGION",
    "CLASSES",
    "COT_MAX_TOKENS",
    "FAMILY",
    "L1_MAX_TOKENS",
    "L1_RETRIES",
    "L3_REPLY_TOKENS",
    "L3_STEP_RULE",
    "L3_TOKEN_RULE",
    "REGIONS",
    "SOLVERS",
    "TOOL_FUNCTIONS",
    "US_CITIES",
    "AirlineDataError",
    "AirlineProblem",
    "Bag",
    "BagCharge",
    "FeeTools",
    "ItemReading",
    "L0ParseError",
    "Person",
    "SpanError",
    "TripAnswer",
    "TripHeader",
    "TripInfo",
    "airline_expert",
    "bag_charges",
    "base_fee",
    "calculator",
    "compute_total",
    "cot_messages",
    "extract_header",
    "extract_item",
    "extract_trip",
    "fee_tables",
    "find_item_spans",
    "generate",
    "l3_step_budget",
    "load_rulearena",
    "optimal_positions",
    "oversize_fee",
    "overweight_fee",
    "parse_prompt",
    "parse_route",
    "policy_text",
    "read_fixtures",
    "region_of",
    "render_paraphrase",
    "render_template",
    "score",
    "solve_l0",
    "trip_metrics",
    "trip_route",
    "worked_solution",
    "write_fixtures",
]
