"""L1 airline reading: item spans by code, per-item and header ptools, Python conversion.

The models here are fakes (``FakeReader``): these tests check the wiring, the spans and the
conversions, not a model's accuracy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ptp.tasks.airline import CITY_REGION, AirlineProblem, TripInfo, compute_total, generate
from ptp.tasks.airline import read_fixtures as read_airline
from ptp.tasks.airline._l1 import (
    L1_MAX_TOKENS,
    ItemReading,
    TripHeader,
    extract_header,
    extract_item,
    solve_level1,
    to_inches,
    to_pounds,
)
from ptp.tasks.airline._score import TripAnswer, score
from ptp.tasks.airline._spans import SpanError, find_item_spans, header_text, inches_only
from ptp.tasks.airline._units import inches_to_cm, pounds_to_kg
from ptp.testing import FakeModel

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "fixtures" / "airline").glob("*.jsonl"))
COMP_0 = ROOT.parent / "shared" / "rulearena" / "airline" / "comp_0.jsonl"
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _comp0() -> list[AirlineProblem]:
    if not COMP_0.is_file():
        pytest.skip(f"RuleArena data not found at {COMP_0}")
    rows = [json.loads(line) for line in COMP_0.read_text().splitlines()]
    return [
        AirlineProblem(task_id=f"comp0-{i}", prompt=r["prompt"], info=TripInfo(**r["info"]),
                       answer=compute_total(r["info"]), complexity=0, style="template",
                       source="rulearena")
        for i, r in enumerate(rows)
    ]  # fmt: skip


def _problems() -> list[AirlineProblem]:
    fixtures = [p for path in FIXTURES for p in read_airline(path)]
    generated = [
        p
        for c in (0, 1, 2)
        for style in ("template", "paraphrase")
        for p in generate(n=60, complexity=c, seed=11 + c, style=style)
    ]
    return fixtures + _comp0() + generated


def _as_written(span: str) -> dict[str, Any]:
    """What a perfect copier returns for an item span: its numbers and units as written."""
    numbers = [float(x) for x in _NUMBER.findall(span)]
    assert len(numbers) == 4, span
    size_unit = "cm" if " cm" in span else "inches" if "inches" in span else "in"
    weight_unit = re.search(r"(lbs|lb|pounds|kg)\b", span.rsplit(",", 1)[-1].split(";")[-1])
    return {"size": numbers[:3], "size_unit": size_unit, "weight": numbers[3],
            "weight_unit": weight_unit[1] if weight_unit else "lb"}  # fmt: skip


def _read_span(span: str) -> tuple[tuple[int, ...], int]:
    got = _as_written(inches_only(span))
    sizes = tuple(to_inches(v, got["size_unit"]) for v in got["size"])
    return sizes, to_pounds(got["weight"], got["weight_unit"])


# --- spans -----------------------------------------------------------------------------------


def test_fixture_files_are_there() -> None:
    assert len(FIXTURES) >= 6, FIXTURES


def test_spans_match_items_in_order_everywhere() -> None:
    """Fixtures, the benchmark's comp_0 and 360 generated problems: one span per item, carry-on
    first, each span holding exactly that item's three sizes and weight."""
    problems = _problems()
    assert len(problems) >= 100 + 360
    wrong = []
    for p in problems:
        got = [_read_span(s.text) for s in find_item_spans(p.prompt)]
        if got != [(b.size, b.weight) for b in p.info.bag_list]:
            wrong.append((p.task_id, p.prompt))
    assert wrong == []


def test_carry_on_written_last_comes_first() -> None:
    text = (
        "Ann will check two bags: a suitcase, 30 x 20 x 10 inches, 50 lbs; and a backpack "
        "(31 x 21 x 11 inches; 51 lbs). In the cabin she keeps a rucksack measuring 20 x 10 x "
        "5 inches and weighing 9 lbs as her carry-on."
    )
    spans = find_item_spans(text)
    assert [s.text.split()[1].rstrip(",") for s in spans] == ["rucksack", "suitcase", "backpack"]
    assert spans[2].text.endswith("51 lbs)")  # the closing bracket stays with its item
    assert header_text(text, spans) == (
        "Ann will check two bags: [item 2]; and [item 3]. In the cabin she keeps [item 1] as "
        "her carry-on."
    )


def test_span_errors() -> None:
    with pytest.raises(SpanError, match="no item"):
        find_item_spans("Ann flies First from Boston to Paris. Her ticket is $300.")
    two = "Carry-on: a bag, 1 x 2 x 3 in, 4 lb.\nCarry-on: a box, 1 x 2 x 3 in, 4 lb."
    with pytest.raises(SpanError, match="2 items"):
        find_item_spans(two)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("3 ft 10 in long, 1 ft 11 in wide and 2 ft high", "46 in long, 23 in wide and 24 in high"),
        ("9 in long", "9 in long"),
        ("22 x 13 x 6 inches, 10 lbs", "22 x 13 x 6 inches, 10 lbs"),
    ],
)
def test_feet_and_inches_become_inches(text: str, want: str) -> None:
    assert inches_only(text) == want


# --- conversions and schemas ------------------------------------------------------------------


def test_metric_converts_back_exactly() -> None:
    for n in range(301):
        # through JSON, as a model's reply arrives
        cm, kg = json.loads(f"[{inches_to_cm(n)}, {pounds_to_kg(n)}]")
        assert (to_inches(cm, "cm"), to_pounds(kg, "kg")) == (n, n)
    assert to_inches(22.5, "in") == 23 and to_inches(22.49, "inches") == 22  # half up
    assert to_inches(57.15, "cm") == 23  # 22.5 in
    assert to_pounds(10, "lbs") == 10
    with pytest.raises(ValueError, match="finite"):
        to_pounds(float("nan"), "lb")


def _walk(schema: Any) -> list[dict[str, Any]]:
    if isinstance(schema, list):
        return [node for item in schema for node in _walk(item)]
    if not isinstance(schema, dict):
        return []
    return [schema, *(node for value in schema.values() for node in _walk(value))]


@pytest.mark.parametrize("model", [ItemReading, TripHeader])
def test_reply_schemas_are_bounded(model: type) -> None:
    """llama.cpp's grammar never closes an unbounded array; strings get a length or an enum."""
    nodes = _walk(model.model_json_schema())
    arrays = [n for n in nodes if n.get("type") == "array"]
    strings = [n for n in nodes if n.get("type") == "string"]
    assert all("maxItems" in n for n in arrays)
    assert all("maxLength" in n or "enum" in n for n in strings)
    assert model is TripHeader or arrays


def test_prompts_put_instructions_and_example_first_question_last() -> None:
    item = "a suitcase (55.88 x 30.48 x 20.32 cm; 4.5359237 kg)"
    messages = extract_item.messages(item)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"] == "item: A backpack: 22 x 13 x 6 inches, 10 lbs"
    assert json.loads(messages[2]["content"]) == {
        "size": [22, 13, 6], "size_unit": "inches", "weight": 10, "weight_unit": "lbs"
    }  # fmt: skip
    assert messages[-1]["content"] == f"item: {item}"
    example = json.loads(extract_header.messages("x")[2]["content"])
    assert example == {"customer_class": "Main Cabin", "origin_city": "Orlando",
                       "destination_city": "Philadelphia", "ticket_price": 180}  # fmt: skip
    assert "22 x 13" not in extract_header.messages("x")[1]["content"]  # items cut out


# --- end to end with fakes --------------------------------------------------------------------


def _route_cities(problem: AirlineProblem, text: str) -> tuple[str, str]:
    """The first two cities named in ``text`` whose route is the problem's."""
    names = sorted(CITY_REGION, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")(?!\w)")
    found = pattern.findall(text)
    info = problem.info
    for i, a in enumerate(found):
        for b in found[i + 1 :]:
            ra, rb = CITY_REGION[a], CITY_REGION[b]
            if info.routine == "U.S." and ra == rb == "U.S.":
                return a, b
            if (ra, rb) == (
                ("U.S.", info.routine) if info.direction == 0 else (info.routine, "U.S.")
            ):
                return a, b
    raise AssertionError(f"no route in {text!r}")


def FakeReader(
    problem: AirlineProblem, item_fix: Callable[[int, dict], dict] | None = None
) -> FakeModel:
    """A fake model answering every L1 call right: headers from the problem, items by reading
    the span it is sent; ``item_fix(k, reply)`` may spoil item k's reply (k from 1)."""
    seen = {"items": 0}

    def reply(payload: dict[str, Any]) -> str:
        question = payload["messages"][-1]["content"]
        if question.startswith("item: "):
            seen["items"] += 1
            got = _as_written(question.removeprefix("item: "))
            return json.dumps(item_fix(seen["items"], got) if item_fix else got)
        text = question.removeprefix("text: ")
        origin, destination = _route_cities(problem, text)
        return json.dumps({"customer_class": problem.info.customer_class, "origin_city": origin,
                           "destination_city": destination,
                           "ticket_price": problem.info.base_price})  # fmt: skip

    return FakeModel([reply] * 50)


def test_l1_end_to_end_right_on_every_fixture() -> None:
    problems = [p for path in FIXTURES for p in read_airline(path)] + _comp0()[:10]
    for problem in problems:
        model = FakeReader(problem)
        result = solve_level1(problem, model)
        assert result.stop_reason == "answered", (problem.task_id, result.failure)
        assert len(model.requests) == 1 + len(problem.info.bag_list)
        verdict = score(result.answer, problem)
        assert verdict.correct and verdict.answer == problem.answer, problem.task_id
        assert verdict.metadata["trip_exact"] is True, problem.task_id
        assert verdict.metadata["field_accuracy"] == 1.0
    sent = model.requests[-1]
    assert sent["max_tokens"] == L1_MAX_TOKENS and sent["temperature"] == 0


def test_one_wrong_weight_is_one_wrong_field() -> None:
    problem = read_airline(FIXTURES[0])[0]
    n = len(problem.info.bag_list)
    wrong = FakeReader(problem, lambda k, r: {**r, "weight": 0} if k == 2 else r)
    result = solve_level1(problem, wrong)
    verdict = score(result.answer, problem)
    meta = verdict.metadata
    assert result.stop_reason == "answered"
    assert meta["items_exact"] == pytest.approx((n - 1) / n)
    assert meta["field_accuracy"] == pytest.approx(1 - 1 / (4 + 4 * n))
    assert meta["trip_exact"] is False
    assert isinstance(result.answer, TripAnswer)
    assert result.answer.trip is not None
    assert result.answer.trip.bag_list[1].weight == 0 != problem.info.bag_list[1].weight


def test_failures_say_why() -> None:
    problem = read_airline(FIXTURES[0])[0]
    garbage = solve_level1(problem, FakeModel(["no idea"] * 2))
    assert garbage.stop_reason == "parse_failure"
    assert garbage.failure is not None and garbage.failure.startswith("PToolError")
    assert garbage.answer == TripAnswer()
    assert score(garbage.answer, problem).metadata["field_accuracy"] == 0.0

    city = json.dumps({"customer_class": "First", "origin_city": "Atlantis",
                       "destination_city": "Boston", "ticket_price": 10})  # fmt: skip
    invented = solve_level1(problem, FakeModel([city]))
    assert invented.stop_reason == "invalid_value"
    assert "Atlantis" in (invented.failure or "")

    nothing = problem.model_copy(update={"prompt": "Ann flies First from Boston to Paris."})
    no_items = solve_level1(nothing, FakeModel([]))
    assert no_items.stop_reason == "parse_failure"
    assert (no_items.failure or "").startswith("SpanError")
