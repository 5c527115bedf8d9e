"""Tools an LLM agent may call; each docstring is what the agent reads.

Errors are ``ValueError`` with a message that tells the agent what to change.
"""

from __future__ import annotations

import ast
import difflib
import math
import operator
from collections.abc import Callable
from typing import Literal

from ptp._safe_ast import parse as parse_ast

from . import _rules
from ._cities import CITY_REGION, find_city
from ._schema import CustomerClass, Region

__all__ = [
    "TOOL_FUNCTIONS",
    "base_fee",
    "calculator",
    "oversize_fee",
    "overweight_fee",
    "region_of",
]


def base_fee(
    bag_position: int, region: Region, customer_class: CustomerClass, direction: Literal[0, 1]
) -> int:
    """Base fee in USD for one checked bag, by its position among the checked bags.

    Args:
        bag_position: 1 for the first checked bag, 2 for the second, ...; 4 and later cost the
            same. The carry-on is not a checked bag.
        region: the non-U.S. end of the trip, e.g. "Europe", "China", "Canada"; "U.S." when
            both cities are in the U.S. (use region_of to find it from a city).
        customer_class: one of "Basic Economy", "Main Cabin", "Main Plus", "Premium Economy",
            "Business", "First".
        direction: 0 if the trip departs from the U.S. city, 1 if it arrives at it.

    Returns:
        The fee in USD; 0 means this bag is complimentary.
    """
    return _rules.base_fee(bag_position, region, customer_class, direction)


def oversize_fee(length: int, width: int, height: int, region: Region) -> int:
    """Oversize fee in USD for one checked bag, from its length + width + height in inches.

    Args:
        length: length in inches. width: width in inches. height: height in inches.
        region: the fee region of the trip (see base_fee).

    Returns:
        The fee in USD (0 when the three sides add up to 62 inches or less). When a bag is both
        oversize and overweight only the higher of the two fees is charged.
    """
    return _rules.oversize_fee((length, width, height), region)


def overweight_fee(
    weight: int, region: Region, customer_class: CustomerClass, complimentary: bool
) -> int:
    """Overweight fee in USD for one checked bag.

    Args:
        weight: weight in pounds.
        region: the fee region of the trip (see base_fee).
        customer_class: the passenger's class (see base_fee).
        complimentary: True if this bag's base fee is 0 (a free checked bag).

    Returns:
        The fee in USD (0 when within the allowance). When a bag is both oversize and
        overweight only the higher of the two fees is charged.
    """
    return _rules.overweight_fee(weight, region, customer_class, complimentary)


_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[float], float]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}


def _evaluate(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow):
            left = float(left)  # float powers overflow instead of building huge integers
        result = _BINARY[type(node.op)](left, right)
        if isinstance(result, complex):
            raise ValueError("the result is not a real number")
        return result
    raise ValueError(
        f"unsupported expression part {ast.unparse(node)!r}: use numbers, + - * / // % ** "
        "and parentheses only"
    )


def calculator(expression: str) -> float:
    """Evaluate an arithmetic expression, e.g. "180 + 40 + 45 + 150" gives 415.0.

    Args:
        expression: numbers, + - * / // % ** and parentheses only (no names, no functions).

    Returns:
        The value as a float.
    """
    if len(expression) > 2000:
        raise ValueError("expression too long (at most 2000 characters)")
    try:
        tree = parse_ast(expression.strip(), "eval")
    except SyntaxError as err:
        raise ValueError(f"not an arithmetic expression ({err.msg}): {expression[:80]!r}") from err
    shown = expression if len(expression) <= 80 else expression[:77] + "..."
    try:
        value = float(_evaluate(tree))
    except ZeroDivisionError as err:
        raise ValueError(f"division by zero in {shown!r}") from err
    except OverflowError as err:
        raise ValueError(f"result too large in {shown!r}") from err
    if not math.isfinite(value):
        raise ValueError(f"result too large in {shown!r}")
    return value


def region_of(city: str) -> str:
    """The fee region of a city, e.g. "Paris" -> "Europe", "Chicago" -> "U.S.".

    Args:
        city: a city name as written in the problem.

    Returns:
        One of the regions the fee tools accept. For a trip between two U.S. cities the region
        is "U.S."; otherwise use the region of the non-U.S. city.
    """
    found = find_city(city)
    if found is None:
        close = difflib.get_close_matches(city, list(CITY_REGION), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"unknown city {city!r}{hint}")
    return CITY_REGION[found]


TOOL_FUNCTIONS = (base_fee, oversize_fee, overweight_fee, calculator, region_of)
