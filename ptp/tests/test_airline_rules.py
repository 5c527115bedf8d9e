"""Airline fee rules, data, loader, scorer and agent tools."""

from __future__ import annotations

import inspect
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptp.tasks.airline import (
    CLASSES,
    REGIONS,
    TOOL_FUNCTIONS,
    AirlineDataError,
    TripInfo,
    bag_charges,
    base_fee,
    calculator,
    compute_total,
    fee_tables,
    generate,
    load_rulearena,
    optimal_positions,
    oversize_fee,
    overweight_fee,
    policy_text,
    region_of,
    score,
)
from ptp.tasks.airline import _tools as tools

RULEARENA = Path(__file__).resolve().parents[2].parent / "shared" / "rulearena"
AIRLINE = RULEARENA / "airline"
needs_rulearena = pytest.mark.skipif(
    not (AIRLINE / "comp_0.jsonl").is_file(), reason=f"RuleArena data not found at {RULEARENA}"
)


def _trip(cls: str, region: str, direction: int, price: int, bags: list[tuple]) -> dict:
    carry = {"id": 1, "name": "backpack", "size": [20, 13, 8], "weight": 9}
    checked = [
        {"id": i, "name": "luggage box", "size": list(size), "weight": weight}
        for i, (size, weight) in enumerate(bags, 2)
    ]
    return {
        "base_price": price,
        "customer_class": cls,
        "routine": region,
        "direction": direction,
        "bag_list": [carry, *checked],
    }


# --- the benchmark's own answers -------------------------------------------------------------


@needs_rulearena
def test_reproduces_all_level0_answers() -> None:
    rows = [json.loads(line) for line in (AIRLINE / "comp_0.jsonl").read_text().splitlines()]
    expected = json.loads((AIRLINE / "comp_0.answers.json").read_text())
    assert len(rows) == len(expected) == 100
    got = [compute_total(row["info"]) for row in rows]
    wrong = [(i, g, e) for i, (g, e) in enumerate(zip(got, expected, strict=True)) if g != e]
    assert wrong == []


@needs_rulearena
def test_packaged_data_matches_shared_copy() -> None:
    assert policy_text() == (AIRLINE / "reference_rules_textual.txt").read_text(encoding="utf-8")
    assert policy_text("table") == (AIRLINE / "reference_rules.txt").read_text(encoding="utf-8")
    for pos in range(1, 5):
        for direction, key in ((0, "depart"), (1, "arrive")):
            csv = (AIRLINE / "fee_tables" / f"bag_{pos}" / f"{direction}.csv").read_text(
                "utf-8-sig"
            )
            header, *rows = [line.split(",") for line in csv.splitlines()]
            table = {r[0]: dict(zip(header[1:], map(int, r[1:]), strict=True)) for r in rows}
            assert fee_tables()[key][pos] == table


# --- per-piece fees --------------------------------------------------------------------------


def test_oversize_thresholds() -> None:
    assert oversize_fee((30, 20, 12), "U.S.") == 0  # 62
    assert oversize_fee((30, 20, 13), "U.S.") == 30  # 63
    assert oversize_fee((30, 20, 15), "Europe") == 30  # 65
    assert oversize_fee((30, 20, 16), "Europe") == 150  # 66
    assert oversize_fee((30, 20, 16), "Peru") == 150
    assert oversize_fee((30, 20, 16), "U.S.") == 200
    assert oversize_fee((30, 20, 16), "China") == 200


def test_overweight_branches() -> None:
    assert overweight_fee(50, "U.S.", "Main Cabin", False) == 0
    assert overweight_fee(51, "U.S.", "Main Cabin", False) == 30
    assert overweight_fee(53, "U.S.", "Main Cabin", True) == 30  # complimentary, not premium
    assert overweight_fee(54, "U.S.", "Main Cabin", False) == 100
    assert overweight_fee(70, "Cuba", "Basic Economy", False) == 200
    assert overweight_fee(71, "Europe", "Main Cabin", False) == 200
    assert overweight_fee(71, "Hong Kong", "Main Cabin", False) == 450
    # Business / First: complimentary bags may weigh up to 70 lb.
    assert overweight_fee(70, "Europe", "First", True) == 0
    assert overweight_fee(70, "Europe", "First", False) == 100
    assert overweight_fee(71, "Japan", "Business", True) == 450
    assert overweight_fee(71, "Canada", "Business", True) == 200
    # Australia / New Zealand: complimentary bags up to 70 lb in any class, else 200.
    assert overweight_fee(70, "Australia", "Basic Economy", True) == 0
    assert overweight_fee(71, "New Zealand", "First", True) == 200
    assert overweight_fee(60, "New Zealand", "First", False) == 100


def test_base_fee_tables_and_gaps() -> None:
    assert base_fee(1, "U.S.", "Main Cabin", 0) == 40
    assert base_fee(2, "U.S.", "Main Cabin", 1) == 45
    assert base_fee(1, "Cuba", "Basic Economy", 0) == 35
    assert base_fee(1, "Cuba", "Basic Economy", 1) == 0
    assert base_fee(7, "Japan", "First", 0) == base_fee(4, "Japan", "First", 0) == 200
    assert base_fee(2, "Cuba", "Main Cabin", 0) == 150
    # No Cuba row for bags 3 and 4+ upstream (RuleArena caps Cuba at 2 checked bags): refuse.
    for position, cls, direction in [(3, "Main Cabin", 0), (3, "First", 1), (5, "First", 1)]:
        with pytest.raises(ValueError, match="fee tables have no base fee for checked bag"):
            base_fee(position, "Cuba", cls, direction)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: base_fee(1, "Mars", "First", 0), "unknown region 'Mars'"),
        (lambda: base_fee(1, "Europe", "Economy", 0), "unknown customer class 'Economy'"),
        (lambda: base_fee(0, "Europe", "First", 0), "position starts at 1"),
        (lambda: base_fee(1, "Europe", "First", 2), "direction is 0"),
        (lambda: oversize_fee((1, 2, 3), "Atlantis"), "unknown region"),
        (lambda: overweight_fee(10, "Europe", "Coach", True), "unknown customer class"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_complimentary_positions_form_a_prefix() -> None:
    """Why upstream's sort-by-gain order is optimal too: free positions always come first."""
    for direction, region, cls in itertools.product((0, 1), REGIONS, CLASSES):
        last = 2 if region == "Cuba" else 4  # the tables price Cuba's first 2 bags only
        free = [base_fee(p, region, cls, direction) == 0 for p in range(1, last + 1)]
        assert free == sorted(free, reverse=True), (direction, region, cls)


# --- hand-worked totals for levels 1 (7 checked bags) and 2 (10 checked bags) -----------------


def test_level1_business_japan_free_positions_go_to_biggest_gains() -> None:
    # Business, leaving the U.S. for Japan: positions 1-2 free, 3-7 cost $200 -> base $1,000.
    # bag                     oversize  paid ow  comp ow  paid  comp  gain
    # 1 30x20x10=60, 45 lb        0        0        0       0     0     0
    # 2 40x20x15=75, 60 lb      200      100        0     200   200     0
    # 3 34x18x12=64, 68 lb       30      100        0     100    30    70
    # 4 30x20x10=60, 52 lb        0       30        0      30     0    30
    # 5 30x18x12=60, 80 lb        0      450      450     450   450     0
    # 6 33x18x12=63, 55 lb       30      100        0     100    30    70
    # 7 28x16x10=54, 20 lb        0        0        0       0     0     0
    # Bags 3 and 6 take the free positions: violations 30+30 + 0+200+30+450+0 = 740.
    # Total = 900 + 1000 + 740 = 2640 (in list order, bags 1-2 free, it would be 2780).
    bags = [
        ((30, 20, 10), 45), ((40, 20, 15), 60), ((34, 18, 12), 68), ((30, 20, 10), 52),
        ((30, 18, 12), 80), ((33, 18, 12), 55), ((28, 16, 10), 20),
    ]  # fmt: skip
    info = _trip("Business", "Japan", 0, 900, bags)
    assert compute_total(info) == 2640
    assert {i for i, c in enumerate(bag_charges(info)) if c.base == 0} == {2, 5}


def test_level2_premium_economy_from_australia() -> None:
    # Premium Economy, Sydney -> U.S. (direction 1): positions 1-2 free, 3-10 $200 -> $1,600.
    # Complimentary bags to/from Australia may weigh 70 lb; paid ones 50 lb.
    # bag                      oversize  paid  comp  gain
    # 1  20x14x9=43,   40 lb       0       0     0     0
    # 2  30x20x12=62,  70 lb       0     100     0   100
    # 3  30x20x12=62,  65 lb       0     100     0   100
    # 4  40x25x20=85,  60 lb     200     200   200     0
    # 5  30x20x13=63,  52 lb      30      30    30     0
    # 6  30x20x12=62,  75 lb       0     200   200     0
    # 7  30x20x10=60,  54 lb       0     100     0   100
    # 8  32x20x12=64,  66 lb      30     100    30    70
    # 9  25x15x10=50,  51 lb       0      30     0    30
    # 10 45x30x25=100, 90 lb     200     200   200     0
    # Paid sum 1060; the two free positions save 100 + 100 -> 860.
    # Total = 1200 + 1600 + 860 = 3660.
    bags = [
        ((20, 14, 9), 40), ((30, 20, 12), 70), ((30, 20, 12), 65), ((40, 25, 20), 60),
        ((30, 20, 13), 52), ((30, 20, 12), 75), ((30, 20, 10), 54), ((32, 20, 12), 66),
        ((25, 15, 10), 51), ((45, 30, 25), 90),
    ]  # fmt: skip
    assert compute_total(_trip("Premium Economy", "Australia", 1, 1200, bags)) == 3660


def test_cuba_prices_two_checked_bags_and_refuses_a_third() -> None:
    # Main Cabin, U.S. -> Havana: bag 1 $0, bag 2 $150. Cuba: 54-70 lb costs $200 (paid bag),
    # oversize > 65 in $200. Bag A 60 in / 60 lb: 200 either way; bag B 90 in / 40 lb: 200.
    # Total = 250 + 0 + 150 + 200 + 200 = 800.
    bags = [((30, 20, 10), 60), ((40, 30, 20), 40)]
    assert compute_total(_trip("Main Cabin", "Cuba", 0, 250, bags)) == 800
    with pytest.raises(ValueError, match="give at most 2 checked bags"):
        compute_total(_trip("Main Cabin", "Cuba", 0, 250, [*bags, ((20, 15, 10), 50)]))


# --- the assignment is optimal ---------------------------------------------------------------

_bag = st.tuples(
    st.tuples(*[st.integers(5, 45)] * 3), st.one_of(st.integers(40, 100), st.integers(0, 120))
)


@settings(max_examples=60, deadline=None)
@given(
    cls=st.sampled_from(CLASSES),
    region=st.sampled_from(REGIONS),
    direction=st.sampled_from((0, 1)),
    price=st.integers(0, 2000),
    bags=st.lists(_bag, min_size=0, max_size=6),
)
def test_total_is_brute_force_minimum(cls, region, direction, price, bags) -> None:
    bags = bags[:2] if region == "Cuba" else bags  # the tables price 2 Cuba bags at most
    info = TripInfo.model_validate(_trip(cls, region, direction, price, bags))
    fees = [base_fee(p, region, cls, direction) for p in range(1, len(bags) + 1)]

    def cost(order: tuple[int, ...]) -> int:
        total = price
        for pos, (size, weight) in zip(order, bags, strict=True):
            fee = fees[pos - 1]
            over_w = overweight_fee(weight, region, cls, fee == 0)
            total += fee + max(oversize_fee(size, region), over_w)
        return total

    best = min(cost(order) for order in itertools.permutations(range(1, len(bags) + 1)))
    assert compute_total(info) == best
    assert cost(tuple(c.position for c in bag_charges(info))) == best


@settings(max_examples=150, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.sampled_from((0, 0, 35, 100, 200)), st.integers(0, 500), st.integers(0, 500)),
        max_size=6,
    )
)
def test_optimal_positions_for_any_fee_vector(data) -> None:
    """Free positions anywhere (not only first) and any costs, even comp > paid."""
    fees = [fee for fee, _, _ in data]
    costs = [(comp, paid) for _, comp, paid in data]

    def cost(order) -> int:
        return sum(
            fees[p - 1] + (comp if fees[p - 1] == 0 else paid)
            for p, (comp, paid) in zip(order, costs, strict=True)
        )

    positions = optimal_positions(fees, costs)
    assert sorted(positions) == list(range(1, len(fees) + 1))
    best = min(cost(order) for order in itertools.permutations(range(1, len(fees) + 1)))
    assert cost(positions) == best


# --- loader ----------------------------------------------------------------------------------


def _write_jsonl(folder: Path, rows: list[dict], name: str = "comp_1.jsonl") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _rows(n: int = 4) -> list[dict]:
    return [{"prompt": p.prompt, "info": p.info.model_dump()} for p in generate(n, 1, 5)]


def test_loader_computes_answers_when_absent(tmp_path: Path) -> None:
    _write_jsonl(tmp_path / "airline", _rows())
    for path in (tmp_path, tmp_path / "airline", tmp_path / "airline" / "comp_1.jsonl"):
        problems = load_rulearena(path, complexity=1)
        assert [p.task_id for p in problems] == [f"ra-c1-{i:03d}" for i in range(4)]
        assert [p.answer for p in problems] == [p.answer for p in generate(4, 1, 5)]
        assert {(p.complexity, p.source) for p in problems} == {(1, "rulearena")}


def test_loader_prefers_given_answers(tmp_path: Path) -> None:
    _write_jsonl(tmp_path, _rows(2))
    (tmp_path / "comp_1.answers.json").write_text("[11, 22.0]")
    assert [p.answer for p in load_rulearena(tmp_path, 1)] == [11, 22]


@needs_rulearena
def test_loader_reads_rulearena_level0() -> None:
    problems = load_rulearena(AIRLINE)
    assert len(problems) == 100
    assert problems[0].task_id == "ra-c0-000"
    assert [p.answer for p in problems] == json.loads((AIRLINE / "comp_0.answers.json").read_text())


@pytest.mark.parametrize(
    ("mutate", "needles"),
    [
        (lambda r: r[2]["info"]["bag_list"][1].update(weight="heavy"),
         [":3:", "info.bag_list.1.weight", "whole number of pounds"]),
        (lambda r: r[1]["info"].update(routine="Narnia"),
         [":2:", "info.routine", "'Narnia'", "; use one of the values"]),
        (lambda r: r[0].pop("prompt"), [":1:", "'prompt'", "add the field 'prompt'"]),
        (lambda r: r[3]["info"]["bag_list"][0].update(size=[1, 2]),
         [":4:", "info.bag_list.0.size", "[length, width, height]"]),
    ],
)  # fmt: skip
def test_loader_errors_name_file_line_field_fix(tmp_path: Path, mutate, needles) -> None:
    rows = _rows()
    mutate(rows)
    _write_jsonl(tmp_path, rows)
    with pytest.raises(AirlineDataError) as caught:
        load_rulearena(tmp_path, 1)
    message = str(caught.value)
    for needle in ["comp_1.jsonl", *needles]:
        assert needle in message


def test_loader_errors_for_bad_json_missing_file_and_answers(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path, _rows(2))
    path.write_text(path.read_text() + "{not json\n")
    with pytest.raises(AirlineDataError, match=r"comp_1\.jsonl:3: not JSON"):
        load_rulearena(path)
    with pytest.raises(AirlineDataError, match=r"comp_2\.jsonl: no such file"):
        load_rulearena(tmp_path, complexity=2)
    _write_jsonl(tmp_path, _rows(2))
    (tmp_path / "comp_1.answers.json").write_text("[1, 2, 3]")
    with pytest.raises(AirlineDataError, match="expected a list of 2 totals, found 3"):
        load_rulearena(tmp_path, 1)
    (tmp_path / "comp_1.answers.json").write_text('[1, "2"]')
    with pytest.raises(AirlineDataError, match="total for problem 2"):
        load_rulearena(tmp_path, 1)


# --- scorer ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "output", ["$1,198.00", "1198", "USD 1,198", "The total cost is $1,198.", 1198, 1198.0]
)
def test_score_accepts_money_forms(output) -> None:
    verdict = score(output, _problem(1198))
    assert (verdict.correct, verdict.value) == (True, 1.0)
    assert verdict.answer == output and verdict.expected == 1198


@pytest.mark.parametrize("output", [None, "", "no idea", "$1,199", "1198.5", float("nan")])
def test_score_rejects_wrong_or_missing(output) -> None:
    verdict = score(output, _problem(1198))
    assert (verdict.correct, verdict.value) == (False, 0.0)


def _problem(answer: int):
    return generate(1, 0, 1)[0].model_copy(update={"answer": answer})


# --- agent tools -----------------------------------------------------------------------------


def test_tools_are_documented_and_typed() -> None:
    names = {f.__name__ for f in TOOL_FUNCTIONS}
    assert names == {"base_fee", "oversize_fee", "overweight_fee", "calculator", "region_of"}
    for tool in TOOL_FUNCTIONS:
        assert len(inspect.getdoc(tool) or "") > 40
        hints = inspect.get_annotations(tool, eval_str=True)
        assert "return" in hints and len(hints) == len(inspect.signature(tool).parameters) + 1


def test_tools_agree_with_rules() -> None:
    assert tools.base_fee(2, "Europe", "Main Cabin", 1) == 100
    assert tools.oversize_fee(30, 20, 16, "Europe") == 150
    assert tools.overweight_fee(60, "Cuba", "First", complimentary=False) == 200
    with pytest.raises(ValueError, match="unknown region 'Paris'"):
        tools.base_fee(1, "Paris", "First", 0)


def test_region_of() -> None:
    assert region_of("Paris") == "Europe"
    assert region_of("bogota") == "Colombia"
    assert region_of("Washington DC") == "U.S."
    with pytest.raises(ValueError, match="did you mean Toronto"):
        region_of("Torontoo")
    with pytest.raises(ValueError, match="unknown city 'Gotham'"):
        region_of("Gotham")


def test_calculator() -> None:
    assert calculator("180 + 40 + 45 + 150") == 415.0
    assert calculator("(2 + 3) * 4 / 5 - -1") == 5.0
    assert calculator("10 // 3 + 10 % 3 + 2 ** 3") == 12.0
    for bad, message in [
        ("__import__('os')", "unsupported"),
        ("x + 1", "unsupported"),
        ("max(1, 2)", "unsupported"),
        ("1 / 0", "division by zero"),
        ("9 ** 9 ** 9", "too large"),
        ("(-8) ** 0.5", "not a real number"),
        ("1 +", "not an arithmetic expression"),
    ]:
        with pytest.raises(ValueError, match=message):
            calculator(bad)
