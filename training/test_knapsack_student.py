"""The knapsack students' training data: one conversation per expert episode, whose replies
use earlier blocks' variables in the persistent regime and never in the reset regime."""

from __future__ import annotations

import ast
import builtins
import re

import pytest

from ptp.data import read_dataset
from training.knapsack_student import build_dataset

TOOLS = {"list_items", "inspect", "take_item", "finish"}
BLOCK = re.compile(r"```python\n(.*?)\n```", re.S)


def free_names(code: str) -> set[str]:
    """Names a block reads that it neither assigns nor gets from builtins or the tools."""
    tree = ast.parse(code)
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
              and isinstance(n.ctx, ast.Store)}  # fmt: skip
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
              and isinstance(n.ctx, ast.Load)}  # fmt: skip
    return loaded - stored - TOOLS - set(dir(builtins))


@pytest.fixture(scope="module", params=["persistent", "reset"])
def episodes(request, tmp_path_factory):
    data = build_dataset(tmp_path_factory.mktemp(request.param) / "data", request.param, 3)
    return request.param, read_dataset(data)


def test_one_conversation_per_episode_with_every_reply_trained(episodes):
    regime, examples = episodes
    assert len(examples) == 3
    for example in examples:
        assert example.metadata.regime == regime and example.metadata.teacher == "expert:knapsack"
        replies = example.replies
        assert len(replies) >= 4  # list, inspect, dynamic program, take and finish
        assert all(len(BLOCK.findall(r["content"])) == 1 for r in replies)


def test_only_persistent_replies_read_earlier_blocks_variables(episodes):
    regime, examples = episodes
    carried = set().union(*(free_names(BLOCK.findall(r["content"])[0])
                            for e in examples for r in e.replies))  # fmt: skip
    if regime == "persistent":
        assert {"seen", "chosen"} <= carried
    else:
        assert carried == set()
