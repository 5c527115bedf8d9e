"""Opaque Knapsack: generator determinism and constraints, exact DP, environment, fixtures."""

from __future__ import annotations

import itertools
import json
import math
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptp.tasks.knapsack import (
    TOOL_NAMES,
    DifficultyConfig,
    KnapsackDataError,
    KnapsackEnv,
    KnapsackTask,
    generate,
    generate_tasks,
    inspect_budget,
    load_config,
    read_fixtures,
    score,
    solve_knapsack,
    write_fixtures,
)
from ptp.tools import ToolError
from ptp.trace import recorder

# --- generator ----------------------------------------------------------------------------


@pytest.mark.parametrize("difficulty", ["easy", "medium"])
def test_same_seed_gives_byte_identical_json(difficulty: str) -> None:
    assert generate(7, difficulty).model_dump_json() == generate(7, difficulty).model_dump_json()


def test_different_seeds_give_different_tasks() -> None:
    dumps = {generate(seed, "easy").private.model_dump_json() for seed in range(20)}
    assert len(dumps) == 20


def test_task_json_has_exactly_the_contract_keys() -> None:
    data = json.loads(generate(3, "easy").model_dump_json())
    assert list(data) == [
        "task_id", "family", "seed", "difficulty", "tools", "public", "private", "reference", "nl"
    ]  # fmt: skip
    assert data["task_id"] == "knap-easy-s3"
    assert data["family"] == "knapsack"
    assert data["tools"] == list(TOOL_NAMES)
    assert set(data["public"]) == {
        "n_items", "capacity", "allowed_classes", "inspect_budget", "item_ids"
    }  # fmt: skip
    assert set(data["private"]["items"][0]) == {"id", "weight", "value", "class"}
    # hidden properties must not leak into what the agent sees
    public_text = json.dumps(data["public"]) + data["nl"]
    assert '"weight"' not in json.dumps(data["public"])
    assert str(data["reference"]["optimal_value"]) not in public_text.split("Tools:")[0]


def _check_constraints(task: KnapsackTask) -> None:
    cfg = load_config(task.difficulty)
    items = task.private.items
    by_id = {item.id: item for item in items}
    public = task.public
    assert cfg.n_items[0] <= public.n_items == len(items) <= cfg.n_items[1]
    assert public.item_ids == [item.id for item in items]
    assert all(cfg.weight[0] <= i.weight <= cfg.weight[1] for i in items)
    assert all(cfg.value[0] <= i.value <= cfg.value[1] for i in items)
    assert len(public.allowed_classes) == cfg.n_allowed
    assert set(public.allowed_classes) <= set(cfg.classes)
    allowed = [i for i in items if i.cls in public.allowed_classes]
    assert len(allowed) >= 5
    allowed_weight = sum(i.weight for i in allowed)
    lo, hi = cfg.capacity_ratio
    assert lo * allowed_weight - 0.5 <= public.capacity <= hi * allowed_weight + 0.5
    ref = task.reference
    chosen = [by_id[i] for i in ref.optimal_ids]
    assert ref.optimal_ids == sorted(ref.optimal_ids)
    assert len(chosen) >= 3
    assert all(i.cls in public.allowed_classes for i in chosen)
    assert sum(i.weight for i in chosen) == ref.optimal_weight <= public.capacity
    assert sum(i.value for i in chosen) == ref.optimal_value
    assert max(i.value for i in chosen) <= Fraction(2, 5) * ref.optimal_value
    assert items[0].cls in public.allowed_classes  # the paper forces item 0 into an allowed class
    # the paper's budget reads the configured ranges, not the instance's weights and classes
    stat = public.capacity / (sum(cfg.weight) / 2) * 1.5 / (cfg.n_allowed / cfg.n_classes)
    raw = max(stat, len(chosen) * 1.1)
    assert public.inspect_budget == min(max(math.ceil(raw), 5), public.n_items)


@pytest.mark.parametrize("difficulty", ["easy", "medium"])
def test_generator_constraints_hold_over_many_seeds(difficulty: str) -> None:
    for seed in range(60):
        _check_constraints(generate(seed, difficulty))


def test_inspect_budget_formula_and_clamp() -> None:
    cfg = DifficultyConfig(n_items=(40, 60), weight=(5, 15), value=(1, 9), n_classes=10,
                           n_allowed=2, capacity_ratio=(0.5, 0.5))  # fmt: skip
    # 50 / mean(5, 15) * 1.5 / (2 / 10) = 37.5 -> 38, whatever the instance's own weights
    assert inspect_budget(50, cfg, n_items=40, n_optimal=3) == 38
    # the paper's floats: 50 * 1.1 is 55.00000000000001, whose ceil is 56
    assert inspect_budget(1, cfg, n_items=60, n_optimal=50) == 56
    assert inspect_budget(1, cfg, n_items=40, n_optimal=1) == 5  # lower clamp
    assert inspect_budget(500, cfg, n_items=40, n_optimal=3) == 40  # upper clamp
    # as the paper's floats: 40 / 12.5 * 1.5 / 0.2 = 24.000000000000004, so 25 (not 24)
    easy_like = DifficultyConfig(n_items=(25, 40), weight=(5, 20), value=(1, 9), n_classes=15,
                                 n_allowed=3, capacity_ratio=(0.5, 0.5))  # fmt: skip
    assert inspect_budget(40, easy_like, n_items=40, n_optimal=3) == 25
    assert inspect_budget(36, easy_like, n_items=40, n_optimal=3) == 22  # 21.6


def test_optimum_is_truly_optimal_on_generated_easy_tasks() -> None:
    task = generate(11, "easy")
    allowed = [i for i in task.private.items if i.cls in task.public.allowed_classes]
    value, _ = solve_knapsack([i.weight for i in allowed], [i.value for i in allowed],
                              task.public.capacity)  # fmt: skip
    assert value == task.reference.optimal_value


def test_generate_tasks_derives_distinct_seeds() -> None:
    tasks = generate_tasks(4, seed=2, difficulty="easy")
    assert [t.seed for t in tasks] == [2000, 2001, 2002, 2003]
    assert tasks[1].model_dump_json() == generate(2001, "easy").model_dump_json()


def test_bad_arguments_are_refused_with_a_fix() -> None:
    with pytest.raises(ValueError, match="easy"):
        generate(1, "impossible")
    with pytest.raises(ValueError, match="seed"):
        generate(-1, "easy")


# --- exact solver -------------------------------------------------------------------------


def _brute_force(weights: list[int], values: list[int], capacity: int) -> int:
    best = 0
    for r in range(len(weights) + 1):
        for combo in itertools.combinations(range(len(weights)), r):
            if sum(weights[i] for i in combo) <= capacity:
                best = max(best, sum(values[i] for i in combo))
    return best


@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(st.tuples(st.integers(1, 30), st.integers(0, 100)), max_size=12),
    capacity=st.integers(0, 120),
)
def test_dp_optimum_equals_brute_force(items: list[tuple[int, int]], capacity: int) -> None:
    weights, values = [w for w, _ in items], [v for _, v in items]
    value, chosen = solve_knapsack(weights, values, capacity)
    assert value == _brute_force(weights, values, capacity)
    assert chosen == sorted(set(chosen))
    assert sum(weights[i] for i in chosen) <= capacity
    assert sum(values[i] for i in chosen) == value


# --- environment --------------------------------------------------------------------------


@pytest.fixture
def task() -> KnapsackTask:
    return generate(5, "easy")


def _first(task: KnapsackTask, allowed: bool):
    return next(i for i in task.private.items if (i.cls in task.public.allowed_classes) == allowed)


def test_inspect_budget_counts_distinct_items_and_reinspect_is_free(task: KnapsackTask) -> None:
    env = KnapsackEnv(task)
    ids = env.list_items()
    budget = task.public.inspect_budget
    for item_id in ids[:budget]:
        item = env.inspect(item_id)
        assert set(item) == {"weight", "value", "class"}
    assert env.inspect(ids[0]) == env.inspect(ids[0])  # free
    if budget < len(ids):
        with pytest.raises(ToolError, match="budget"):
            env.inspect(ids[budget])
        assert ids[budget] not in env.inspected
    assert len(env.inspected) == budget


def test_inspect_over_budget_on_small_budget() -> None:
    env = KnapsackEnv(generate(5, "easy"))
    env.budget = 2
    env.inspect("i00")
    env.inspect("i01")
    env.inspect("i00")
    with pytest.raises(ToolError, match="budget spent"):
        env.inspect("i02")
    assert env.inspected == {"i00", "i01"}
    assert env.violations == 1


def test_take_rules_refuse_and_change_nothing(task: KnapsackTask) -> None:
    env = KnapsackEnv(task)
    bad = _first(task, allowed=False)
    with pytest.raises(ToolError, match="not allowed"):
        env.take_item(bad.id)
    assert env.taken == [] and env.total_weight == 0
    good = _first(task, allowed=True)
    result = env.take_item(good.id)  # uninspected items may be taken
    assert result["total_weight"] == good.weight
    assert result["remaining_capacity"] == task.public.capacity - good.weight
    with pytest.raises(ToolError, match="already taken"):
        env.take_item(good.id)
    env.total_weight = task.public.capacity  # the knapsack is now full
    other = [i for i in task.private.items if i.cls in task.public.allowed_classes][1]
    with pytest.raises(ToolError, match="capacity"):
        env.take_item(other.id)
    assert env.taken == [good.id] and env.total_value == good.value
    with pytest.raises(ToolError, match="unknown item"):
        env.inspect("nope")
    assert env.violations == 4


def test_optimal_play_scores_one_and_finish_ends_the_episode(task: KnapsackTask) -> None:
    env = KnapsackEnv(task)
    for item_id in task.reference.optimal_ids:
        env.take_item(item_id)
    summary = env.finish()
    assert summary["total_value"] == task.reference.optimal_value
    with pytest.raises(ToolError, match="finished"):
        env.inspect(task.public.item_ids[0])
    result = score(env, task)
    assert result.correct and result.value == 1.0
    assert result.answer == result.expected == task.reference.optimal_value
    meta = result.metadata
    assert meta["solved"] and meta["optimality"] == 1.0
    assert meta["items_taken"] == len(task.reference.optimal_ids)
    assert meta["capacity_utilization"] == task.reference.optimal_weight / task.public.capacity
    assert meta["violations"] == 1


def test_partial_score_and_tools_are_traced(task: KnapsackTask) -> None:
    env = KnapsackEnv(task)
    tools = {t.name: t for t in env.tools()}
    assert list(tools) == list(TOOL_NAMES)
    assert "budget" in tools["inspect"].description
    with recorder() as trace:
        tools["take_item"](task.reference.optimal_ids[0])
        with pytest.raises(ToolError):
            tools["take_item"](task.reference.optimal_ids[0])
    events = trace.find("tool")
    assert [e.name for e in events] == ["take_item", "take_item"]
    assert events[1].error is not None
    result = score(env, task)
    assert not result.correct and 0 < result.value < 1
    assert result.metadata["items_inspected"] == 0 and result.metadata["violations"] == 1


def test_env_tools_work_through_the_sandbox_interpreter(task: KnapsackTask) -> None:
    from ptp.sandbox import Interpreter

    env = KnapsackEnv(task)
    best = task.reference.optimal_ids
    code = (
        "ids = list_items()\n"
        "seen = {i: inspect(i) for i in ids[:3]}\n"
        f"for i in {best!r}:\n"
        "    take_item(i)\n"
        "summary = finish()\n"
        "len(ids), sorted(seen[ids[0]]), summary['total_value']"
    )
    with Interpreter("persistent", tools=env.tools()) as py:
        obs = py.run(code)
    assert obs.ok, obs.error
    n, keys, value = task.public.n_items, ["class", "value", "weight"], task.reference.optimal_value
    assert obs.value == repr((n, keys, value))
    assert obs.tool_calls == 1 + 3 + len(best) + 1
    assert score(env, task).correct and len(env.inspected) == 3


# --- fixtures -----------------------------------------------------------------------------


def test_fixtures_round_trip(tmp_path: Path) -> None:
    path = write_fixtures(tmp_path, n=3, seed=1, difficulty="medium")
    assert path == tmp_path / "knapsack-medium.jsonl"
    assert read_fixtures(path) == generate_tasks(3, 1, "medium")
    assert path.read_text().count("\n") == 3


def test_malformed_line_names_file_line_field_and_fix(tmp_path: Path) -> None:
    path = write_fixtures(tmp_path, n=2, seed=1, difficulty="easy")
    lines = path.read_text().splitlines()
    data = json.loads(lines[1])
    data["public"]["capacity"] = "lots"
    path.write_text(lines[0] + "\n" + json.dumps(data) + "\n")
    with pytest.raises(KnapsackDataError) as info:
        read_fixtures(path)
    message = str(info.value)
    assert f"{path}:2: field 'public.capacity'" in message
    assert "write a whole number, or regenerate the file with ptp tasks generate" in message
    assert info.value.line == 2 and info.value.field == "public.capacity"


def test_non_json_line_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n{not json\n")
    with pytest.raises(KnapsackDataError, match=r"bad\.jsonl:2: not JSON"):
        read_fixtures(path)
