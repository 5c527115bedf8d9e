from hypothesis import given
from hypothesis import strategies as st

from ptp.models import cost_usd, price_table

tokens = st.integers(min_value=0, max_value=10**8)


def test_known_and_unknown_prices():
    assert cost_usd("openai:gpt-4o-mini", 1_000_000, 1_000_000) == 0.75
    assert cost_usd("local:gemma-3-270m", 500, 500) == 0.0
    assert cost_usd("vllm:http://h/v1#some-model", 10, 10) is None  # unknown: None, never 0


@given(tokens, tokens, tokens, tokens)
def test_cost_is_additive_and_non_negative(p1, c1, p2, c2):
    for price in price_table().values():
        both = price.cost(p1 + p2, c1 + c2)
        assert both >= 0
        assert abs(both - (price.cost(p1, c1) + price.cost(p2, c2))) <= 1e-9 * max(1.0, both)
