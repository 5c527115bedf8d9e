"""Where values are written: numbers, units, exact conversions, strings, field docs."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptp.distill._fields import arg_docs, match_value
from ptp.distill._text import convert, find_string, numbers, to_unit


def test_numbers_read_units_written_after_a_size_triple():
    text = "a box, 51 in × 25 in × 26 in, 52 lb; a bag 18 x 11 x 7 inches, 3.5 kg; $1,278.00"
    found = [(m.value, m.unit) for m in numbers(text)]
    assert found == [
        (Decimal(51), "in"), (Decimal(25), "in"), (Decimal(26), "in"), (Decimal(52), "lb"),
        (Decimal(18), "in"), (Decimal(11), "in"), (Decimal(7), "in"), (Decimal("3.5"), "kg"),
        (Decimal("1278.00"), None),
    ]  # fmt: skip


@given(st.integers(min_value=0, max_value=500))
def test_exact_metric_text_converts_back_to_the_integer(inches):
    cm = Decimal(inches) * Decimal("2.54")
    assert to_unit(float(cm), "centimeters", "in") == inches
    assert convert(Decimal(inches), "in", "cm") == cm


def test_match_value_finds_copies_and_conversions():
    text = "a backpack measuring 45.72 cm long and weighing 3.62873896 kg"
    (length,) = match_value(text, 18)
    assert (length.written, length.unit, length.target) == (Decimal("45.72"), "cm", "in")
    (weight,) = match_value(text, 8)
    assert (weight.unit, weight.target) == ("kg", "lb")
    assert match_value(text, 19) == []


def test_strings_match_whole_words_case_insensitively():
    assert find_string("flying from New York to Boston", "new york") == 12
    assert find_string("Bostonian", "Boston") is None


def test_unknown_unit_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown unit 'stone'"):
        to_unit(3.0, "stone", "lb")


def test_arg_docs_reads_google_style_and_one_line_lists():
    doc = """Fee.

    Args:
        length: length in inches. width: width in inches.
        region: the fee region,
            e.g. "Europe".

    Returns:
        USD.
    """
    docs = arg_docs(doc)
    assert docs["length"] == "length in inches."
    assert docs["width"] == "width in inches."
    assert docs["region"] == 'the fee region, e.g. "Europe".'
