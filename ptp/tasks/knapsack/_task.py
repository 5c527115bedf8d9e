"""The task instance: what the agent sees, what stays hidden, and the reference answer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# The environment's tools, in the order agents are shown them (KnapsackEnv.tools()).
TOOL_NAMES = ("list_items", "inspect", "take_item", "finish")

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Item(BaseModel):
    """One item; ``cls`` is written as ``class`` in JSON."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", serialize_by_alias=True, validate_by_name=True
    )

    id: str
    weight: int = Field(gt=0)
    value: int = Field(ge=0)
    cls: str = Field(alias="class")


class Public(BaseModel):
    """What the agent may know at the start; items' properties stay hidden until inspected."""

    model_config = _FROZEN

    n_items: int
    capacity: int
    allowed_classes: list[str]
    inspect_budget: int
    item_ids: list[str]


class Private(BaseModel):
    """Every item with its weight, value and class."""

    model_config = _FROZEN

    items: list[Item]


class Reference(BaseModel):
    """One optimal solution (found by exact dynamic programming)."""

    model_config = _FROZEN

    optimal_value: int
    optimal_weight: int
    optimal_ids: list[str]  # sorted


class KnapsackTask(BaseModel):
    """One Opaque Knapsack instance; ``model_dump_json()`` is its fixture line."""

    model_config = _FROZEN

    task_id: str
    family: str = "knapsack"
    seed: int
    difficulty: str
    tools: list[str]
    public: Public
    private: Private
    reference: Reference
    nl: str


def statement(public: Public) -> str:
    """The natural-language task statement shown to the model."""
    allowed = ", ".join(public.allowed_classes)
    return (
        f"Fill a knapsack with hidden items. There are {public.n_items} items; "
        "list_items() returns their ids. Each item has a weight, a value and a class, "
        "which stay hidden until you inspect the item.\n"
        f"- Capacity: the total weight of the items you take must not exceed "
        f"{public.capacity}.\n"
        f"- Allowed classes: only items of class {allowed} may be taken; taking an item of "
        "any other class is refused.\n"
        f"- Inspect budget: you may inspect at most {public.inspect_budget} distinct items; "
        "inspecting an item again is free.\n"
        "- Taking is irreversible: a taken item cannot be put back.\n"
        "Goal: maximize the total value of the items you take.\n"
        "Tools:\n"
        "- list_items() -> list[str]: all item ids.\n"
        '- inspect(item_id) -> {"weight": int, "value": int, "class": str}: reveal one item.\n'
        "- take_item(item_id) -> dict: put the item in the knapsack; returns the new totals.\n"
        "- finish() -> dict: end the episode and get a summary; call it when you are done."
    )
