from decimal import Decimal
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from ptp.parse import OutputParseError, parse_as, parse_money


class Trip(BaseModel):
    cabin: str
    bags: int


@pytest.mark.parametrize(
    "text",
    ["$1,198.00", "1198", "USD 1,198", "The total cost is $1,198.", "1,198 dollars", "1198.0"],
)
def test_money_forms(text):
    assert parse_money(text) == Decimal("1198")


def test_money_prefers_the_last_marked_amount():
    assert parse_money("Bag 1 costs $30, bag 2 $45; total 2 bags: $75") == Decimal("75")
    assert parse_money("nothing here") is None
    assert parse_money("-$5") == Decimal("-5")


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(min_value=0, max_value=10**9, places=2),
    st.sampled_from(["${:,}", "USD {:,}", "{:,} dollars", "The total cost is ${:,}."]),
)
def test_money_round_trip(amount, form):
    assert parse_money(form.format(amount)) == amount


def test_json_in_fences_and_prose():
    assert parse_as('Sure!\n```json\n{"cabin": "First", "bags": 2}\n```', Trip) == Trip(
        cabin="First", bags=2
    )
    assert parse_as('I think {"cabin": "Main", "bags": 1} is it.', Trip).bags == 1


def test_primitives_and_literals():
    assert parse_as("The answer is $1,234.00", int) == 1234
    assert parse_as("Yes, it is.", bool) is True
    assert parse_as("Clearly Business.", Literal["Business", "First"]) == "Business"
    assert parse_as("[1, 2, 3]", list[int]) == [1, 2, 3]


def test_garbage_raises_with_the_raw_text():
    with pytest.raises(OutputParseError, match="Trip") as info:
        parse_as("no json here", Trip)
    assert info.value.raw == "no json here"


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30), st.integers(min_value=0, max_value=50), st.text(max_size=40))
def test_any_trip_survives_surrounding_prose(cabin, bags, prose):
    text = (
        prose.replace("{", "").replace("[", "")
        + " "
        + Trip(cabin=cabin, bags=bags).model_dump_json()
    )
    assert parse_as(text, Trip) == Trip(cabin=cabin, bags=bags)
