"""The Opaque Knapsack environment: its state lives here, in the harness process."""

from __future__ import annotations

from typing import Any

from ptp.tools import Tool, ToolError

from ._task import TOOL_NAMES, Item, KnapsackTask


class KnapsackEnv:
    """One episode of a task: inspect items within the budget, take them, finish.

    Every refused call (unknown id, budget spent, forbidden class, over capacity, taken twice,
    after finish) raises ToolError, changes nothing and counts as a violation.
    """

    def __init__(self, task: KnapsackTask) -> None:
        self.task = task
        self.items: dict[str, Item] = {item.id: item for item in task.private.items}
        self.capacity = task.public.capacity
        self.allowed = set(task.public.allowed_classes)
        self.budget = task.public.inspect_budget
        self.inspected: set[str] = set()
        self.taken: list[str] = []
        self.total_weight = 0
        self.total_value = 0
        self.violations = 0
        self.finished = False

    def _refuse(self, message: str) -> ToolError:
        self.violations += 1
        return ToolError(message)

    def _item(self, item_id: str) -> Item:
        if self.finished:
            raise self._refuse("the episode is finished; no more inspecting or taking")
        item = self.items.get(item_id) if isinstance(item_id, str) else None
        if item is None:
            raise self._refuse(f"unknown item id {item_id!r}; list_items() returns the ids")
        return item

    def list_items(self) -> list[str]:
        """Return the ids of all items (their weight, value and class are hidden)."""
        return list(self.task.public.item_ids)

    def inspect(self, item_id: str) -> dict[str, Any]:
        """Reveal one item: {"weight": int, "value": int, "class": str}.

        Each distinct item inspected uses one unit of the inspect budget; inspecting an item
        again is free. Over budget the call is refused with an error.
        """
        item = self._item(item_id)
        if item_id not in self.inspected:
            if len(self.inspected) >= self.budget:
                raise self._refuse(
                    f"inspect budget spent: {self.budget} distinct items already inspected; "
                    "re-inspecting those is free"
                )
            self.inspected.add(item_id)
        return {"weight": item.weight, "value": item.value, "class": item.cls}

    def take_item(self, item_id: str) -> dict[str, Any]:
        """Put one item in the knapsack; irreversible. Returns the new totals.

        Refused (with an error, nothing taken) when the item's class is not allowed, when it
        would exceed the capacity, or when it is already taken. Uninspected items may be
        taken; their weight and value count like any other.
        """
        item = self._item(item_id)
        if item_id in self.taken:
            raise self._refuse(f"item {item_id} is already taken")
        if item.cls not in self.allowed:
            allowed = ", ".join(sorted(self.allowed))
            raise self._refuse(
                f"item {item_id} has class {item.cls}, which is not allowed (allowed: "
                f"{allowed}); nothing was taken"
            )
        if self.total_weight + item.weight > self.capacity:
            raise self._refuse(
                f"item {item_id} weighs {item.weight} but only "
                f"{self.capacity - self.total_weight} capacity is left; nothing was taken"
            )
        self.taken.append(item_id)
        self.total_weight += item.weight
        self.total_value += item.value
        return {
            "taken": item_id,
            "total_weight": self.total_weight,
            "total_value": self.total_value,
            "remaining_capacity": self.capacity - self.total_weight,
        }

    def finish(self) -> dict[str, Any]:
        """End the episode and return a summary of what was taken; calling it again is harmless."""
        self.finished = True
        return {
            "taken": list(self.taken),
            "total_weight": self.total_weight,
            "total_value": self.total_value,
            "capacity": self.capacity,
            "items_inspected": len(self.inspected),
        }

    def tools(self) -> list[Tool]:
        """The four tools an agent uses, bound to this episode."""
        return [Tool.from_function(getattr(self, name)) for name in TOOL_NAMES]

    def outcome(self, answer: Any) -> KnapsackEnv:
        """What is scored: this episode's state (the agent's final answer does not count)."""
        return self
