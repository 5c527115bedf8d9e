"""Fine-tuning data for a distilled workflow's ptools: every text part of a training task,
asked as the workflow's ptool asks it (its system prompt, its worked examples, the part),
answered with the exact reading (the values the teacher's own tool calls used there, as
written). A student trained on them serves the workflow's ptools."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from ptp.data import ChatExample, ExampleMeta
from ptp.distill._corpus import Episode
from ptp.distill._mine import Plan, _off_path
from ptp.distill._validate import READERS, _structure, exact_readings
from ptp.distill.runtime import _whole_text


@dataclass
class PtoolData:
    """The examples, and the episodes left out with the reason."""

    examples: list[ChatExample] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def ptool_examples(
    module: ModuleType, plan: Plan, family: Any, episodes: Iterable[Episode], *, seed: int = 0
) -> PtoolData:
    """One example per text part of each solved ``episodes`` task on ``plan``'s path.

    ``module`` is the distilled workflow (its ``read_header``/``read_item`` ptools),
    ``plan`` the mined plan it was written from, ``family`` the task family object. Episodes
    that scored below 1, left the mined path, or used a value not written in the text are
    skipped (``PtoolData.skipped`` says why): their readings are not known to be right.
    """
    segment = family.segment or _whole_text
    fixed, loop = _structure(plan)
    readers = [getattr(module, name) for name, cls in READERS if hasattr(module, cls)]
    data = PtoolData()
    for episode in episodes:
        why = "not solved" if episode.score < 1 else _off_path(
            episode, fixed, loop, plan.item_offset, segment)  # fmt: skip
        if why:
            data.skipped[episode.task_id] = why
            continue
        try:
            readings = exact_readings(plan, episode, segment)
        except LookupError as err:
            data.skipped[episode.task_id] = str(err)
            continue
        for call, (text, values) in enumerate(readings.items()):
            reader = next(r for r in readers if set(r.return_type.model_fields) == set(values))
            argument = next(iter(reader.signature.parameters))
            reply = json.dumps({k: values[k] for k in reader.return_type.model_fields})
            meta = ExampleMeta(
                family=family.name, task_id=episode.task_id, teacher=episode.teacher,
                level="distilled", seed=seed, call=call, ptool=reader.name,
                score=episode.score, trace=episode.source,
            )  # fmt: skip
            messages = [*reader.messages(**{argument: text}),
                        {"role": "assistant", "content": reply, "weight": 1}]  # fmt: skip
            data.examples.append(ChatExample(messages=messages, metadata=meta))
    return data
