"""The one worked example every LLM level may show: RuleArena comp_0 line 1 (answer $1,245)."""

from __future__ import annotations

from ._schema import Bag, TripInfo

__all__ = ["EXAMPLE_INFO", "EXAMPLE_PROMPT"]

# A public benchmark problem (comp_0 line 1, answer $1,245): the one worked example.
EXAMPLE_PROMPT = (
    "Sarah is a Main Cabin Class passenger flying from Orlando to Philadelphia with the "
    "following items:\n1. A backpack: 22 x 13 x 6 inches, 10 lbs;\n2. A luggage box: "
    "44 x 22 x 20 inches, 69 lbs;\n3. A luggage box: 34 x 18 x 12 inches, 51 lbs;\n"
    "4. A backpack: 38 x 22 x 16 inches, 84 lbs;\n5. A backpack: 38 x 14 x 11 inches, "
    "90 lbs;\n\nSarah's flight ticket is $180."
)
EXAMPLE_INFO = TripInfo(
    base_price=180,
    customer_class="Main Cabin",
    routine="U.S.",
    direction=0,
    bag_list=[
        Bag(id=i + 1, name=name, size=size, weight=weight)
        for i, (name, size, weight) in enumerate(
            [
                ("backpack", (22, 13, 6), 10),
                ("luggage box", (44, 22, 20), 69),
                ("luggage box", (34, 18, 12), 51),
                ("backpack", (38, 22, 16), 84),
                ("backpack", (38, 14, 11), 90),
            ]
        )
    ],
)
