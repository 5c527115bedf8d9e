"""Data shipped with the package, taken from the public RuleArena benchmark (MIT, Zhou et al.).

- ``data/fees.json``: the benchmark's ``airline/fee_tables/bag_{1..4}/{0,1}.csv`` in one file,
  ``{"depart"|"arrive": {"1".."4": {region: {class: fee}}}}``; ``depart`` is ``0.csv`` (the U.S.
  city is the departure), ``arrive`` is ``1.csv``; position "4" also covers every later bag.
  Values are copied unchanged: like upstream, positions 3 and 4 have no Cuba row (the
  benchmark never puts more than 2 checked bags on a Cuba trip).
- ``data/policy.txt``: ``airline/reference_rules_textual.txt``, the policy a model is shown.
- ``data/policy_table.txt``: ``airline/reference_rules.txt``, the same policy with tables.
- ``data/rulearena_generator.json``: the data and rules of the benchmark's problem generator
  (``airline/gen_questions.py``, commit 3ca874a): cities, regions, price intervals, item caps,
  size and weight bands, prompt template. Transcribed (data only, no code) into the shape of
  ``rulearena/generator_facts.json``; a test compares the two when that file is present.
- ``data/LICENSE.rulearena``: the benchmark's MIT license.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any, Literal

__all__ = ["fee_tables", "generator_facts", "policy_text"]

FeeTables = dict[str, dict[int, dict[str, dict[str, int]]]]


def _read(name: str) -> str:
    return files(__package__).joinpath("data").joinpath(name).read_text(encoding="utf-8")


@cache
def fee_tables() -> FeeTables:
    """Base fee per checked-bag position: ``tables[direction_key][position][region][class]``."""
    raw = json.loads(_read("fees.json"))
    return {key: {int(pos): table for pos, table in by_pos.items()} for key, by_pos in raw.items()}


@cache
def generator_facts() -> dict[str, Any]:
    """RuleArena's generator data (``data/rulearena_generator.json``); do not mutate it."""
    return json.loads(_read("rulearena_generator.json"))


@cache
def policy_text(kind: Literal["textual", "table"] = "textual") -> str:
    """The bag policy a model is shown: ``textual`` (rules as sentences) or ``table``."""
    if kind not in ("textual", "table"):
        raise ValueError(f"policy kind must be 'textual' or 'table', not {kind!r}")
    return _read("policy.txt" if kind == "textual" else "policy_table.txt")
