"""Worked examples for the generated ptools: training text and its exact reading.

A small model copies far better after one demonstration (the hand-written airline L1 has one
per ptool). The examples come from the training traces only: the text part as the family's
segmenter cuts it from a training task, and the values the teacher's calls used there, as
the text writes them (:func:`~ptp.distill._validate.exact_readings`). Held-out tasks are
never read, so an example cannot carry a held-out answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ptp.distill._corpus import Episode
from ptp.distill._mine import Plan, Segmenter
from ptp.distill._validate import exact_readings

__all__ = ["WorkedExample", "worked_examples"]

MAX_ITEM_EXAMPLES = 2
"""Item demonstrations at most: the first reading of each combination of written units."""


@dataclass(frozen=True)
class WorkedExample:
    """One demonstration for the ptool of ``group``: a training text part and its reading."""

    group: str
    task_id: str
    text: str
    reading: dict[str, Any]


def worked_examples(plan: Plan, episodes: list[Episode], segment: Segmenter) -> list[WorkedExample]:
    """One header example and up to :data:`MAX_ITEM_EXAMPLES` item examples (one per unit
    combination, in the order of ``plan.on_path``), from the on-path ``episodes``.

    Text parts whose reading cannot be taken from the teacher's calls (a value the text does
    not write) and readings of latent fields (the model infers them) are skipped.
    """
    by_id = {e.task_id: e for e in episodes}
    latent = {f.name for f in plan.fields if f.latent}
    examples: list[WorkedExample] = []
    units_seen: set[tuple[Any, ...]] = set()
    header_done = not plan.group_fields("header")
    for task_id in plan.on_path:
        episode = by_id.get(task_id)
        if episode is None:
            continue
        try:
            readings = exact_readings(plan, episode, segment)
        except LookupError:
            continue
        header_text, _ = segment(episode.text)
        for text, reading in readings.items():
            group = "header" if text == header_text else "item"
            if latent & reading.keys() or not reading:
                continue
            if group == "header" and not header_done:
                examples.append(WorkedExample(group, task_id, text, reading))
                header_done = True
            elif group == "item":
                units = tuple(v for k, v in sorted(reading.items()) if k.endswith("_unit"))
                if units not in units_seen and len(units_seen) < MAX_ITEM_EXAMPLES:
                    units_seen.add(units)
                    examples.append(WorkedExample(group, task_id, text, reading))
        if header_done and len(units_seen) >= MAX_ITEM_EXAMPLES:
            break
    return examples
