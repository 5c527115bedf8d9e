"""Per-token prices, kept as data in prices.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files

_PER = Decimal(1_000_000)


@dataclass(frozen=True)
class Price:
    """USD per million input and output tokens."""

    input_per_mtok: Decimal
    output_per_mtok: Decimal

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """Exact cost in USD (Decimal arithmetic, rounded to a float once)."""
        if prompt_tokens < 0 or completion_tokens < 0:
            raise ValueError("token counts must be >= 0")
        total = prompt_tokens * self.input_per_mtok + completion_tokens * self.output_per_mtok
        return float(total / _PER)


@lru_cache(maxsize=1)
def price_table() -> dict[str, Price]:
    """The shipped price table, spec -> Price."""
    raw = json.loads(files("ptp.models").joinpath("prices.json").read_text(encoding="utf-8"))
    return {
        spec: Price(Decimal(str(p["input"])), Decimal(str(p["output"])))
        for spec, p in raw.items()
        if not spec.startswith("_")
    }


def cost_usd(spec: str, prompt_tokens: int, completion_tokens: int) -> float | None:
    """Cost of one call, or None when the model's price is unknown."""
    price = price_table().get(spec)
    return None if price is None else price.cost(prompt_tokens, completion_tokens)
