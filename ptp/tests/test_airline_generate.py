"""Airline generator, wording, units, fixtures, cities and the L0 regex solver."""

from __future__ import annotations

import contextlib
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from ptp.errors import TaskDataError
from ptp.tasks.airline import (
    CHECKED_BAGS,
    CITIES_BY_REGION,
    CITY_REGION,
    REGIONS,
    US_CITIES,
    AirlineDataError,
    L0ParseError,
    compute_total,
    generate,
    load_rulearena,
    parse_prompt,
    read_fixtures,
    render_template,
    solve_l0,
    write_fixtures,
)
from ptp.tasks.airline._cities import find_city
from ptp.tasks.airline._units import (
    cm_to_inches,
    feet_inches,
    inches_to_cm,
    kg_to_pounds,
    pounds_to_kg,
)

AIRLINE = Path(__file__).resolve().parents[2].parent / "shared" / "rulearena" / "airline"
needs_rulearena = pytest.mark.skipif(
    not (AIRLINE / "comp_0.jsonl").is_file(), reason=f"RuleArena data not found at {AIRLINE}"
)


def _l0_accuracy(problems) -> float:
    right = 0
    for p in problems:
        with contextlib.suppress(L0ParseError):
            right += solve_l0(p.prompt) == p.answer
    return right / len(problems)


# --- generator -------------------------------------------------------------------------------


@pytest.mark.parametrize("complexity", [0, 1, 2])
def test_generate_shape_and_answers(complexity: int) -> None:
    problems = generate(40, complexity, seed=3)
    assert [p.task_id for p in problems] == [f"gen-t-c{complexity}-s3-{i:03d}" for i in range(40)]
    for p in problems:
        bags = p.info.bag_list
        cap = {"Cuba": 3, "Mexico": 6, "South America": 6}.get(p.info.routine, 99)
        assert len(bags) == min(CHECKED_BAGS[complexity] + 1, cap)
        assert [b.id for b in bags] == list(range(1, len(bags) + 1))
        assert sum(bags[0].size) <= 45 and bags[0].weight <= 12  # carry-on, as in level 0
        for bag in bags[1:]:  # level 0: every checked bag is oversize and overweight
            assert 63 <= sum(bag.size) <= 115 and 51 <= bag.weight <= 100
            assert min(bag.size) > 0
        assert p.answer == compute_total(p.info)
        assert (p.complexity, p.style, p.source) == (complexity, "template", "generated")


def test_generate_is_deterministic_and_seeded() -> None:
    a = generate(20, 1, seed=9, style="paraphrase")
    assert a == generate(20, 1, seed=9, style="paraphrase")
    assert generate(5, 1, seed=9, style="paraphrase") == a[:5]
    assert [p.info for p in generate(20, 1, seed=10)] != [p.info for p in a]


def test_template_and_paraphrase_share_trips() -> None:
    template, para = generate(15, 2, 4, "template"), generate(15, 2, 4, "paraphrase")
    assert [p.info for p in template] == [p.info for p in para]
    assert [p.answer for p in template] == [p.answer for p in para]
    assert all(t.prompt != q.prompt for t, q in zip(template, para, strict=True))
    assert para[0].task_id == "gen-p-c2-s4-000"


def test_generate_covers_regions_classes_and_directions() -> None:
    problems = generate(300, 0, seed=1)
    assert len({p.info.routine for p in problems}) >= 18
    assert len({p.info.customer_class for p in problems}) == 6
    assert {p.info.direction for p in problems} == {0, 1}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"complexity": 3}, "complexity must be 0, 1 or 2"),
        ({"style": "poem"}, "style must be"),
        ({"n": -1}, "n must be >= 0"),
    ],
)
def test_generate_rejects_bad_arguments(kwargs: dict, message: str) -> None:
    args = {"n": 1, "complexity": 0, "seed": 0, "style": "template"} | kwargs
    with pytest.raises(ValueError, match=message):
        generate(**args)


# --- wording ---------------------------------------------------------------------------------


@needs_rulearena
def test_template_reproduces_rulearena_prompts() -> None:
    head = re.compile(r"(.+?) is a .+? Class passenger flying from (.+?) to (.+?) with")
    for p in load_rulearena(AIRLINE):
        name, origin, dest = head.match(p.prompt).groups()
        assert render_template(p.info, name, origin, dest) == p.prompt


def test_paraphrases_vary_and_carry_distractors() -> None:
    prompts = [p.prompt for p in generate(60, 0, seed=2, style="paraphrase")]
    intros = ["Class passenger flying from", "has booked a", "Passenger:", "flies", "travels in"]
    intros += ["Leaving"]
    assert sum(any(p.startswith(x) or x in p.split("\n")[0] for p in prompts) for x in intros) >= 5
    layouts = ["Carry-on:", "(to check)", "will check", "Checked bag 1:", "| item | role |"]
    assert all(any(x in p for p in prompts) for x in layouts)
    details = ["meal", "seated in", "stays home", "booking reference", "checks in"]
    assert all(any(x in p for p in prompts) for x in details)
    assert any(" cm" in p for p in prompts) and any(" kg" in p for p in prompts)
    assert any(" ft " in p for p in prompts)
    assert not any("with the following items:\n1. A " in p for p in prompts)


def test_paraphrase_states_price_and_exact_metric_values() -> None:
    for p in generate(60, 1, seed=8, style="paraphrase"):
        price = p.info.base_price
        assert str(price) in p.prompt or f"{price:,}" in p.prompt
        sides = {s for bag in p.info.bag_list for s in bag.size}
        weights = {bag.weight for bag in p.info.bag_list}
        text = p.prompt.split("(Metric figures are exact")[0]  # drop the conversion note
        for cm in re.findall(r"(\d+(?:\.\d+)?) cm", text):
            inches = cm_to_inches(cm)
            assert inches == int(inches) and int(inches) in sides
        for kg in re.findall(r"(\d+(?:\.\d+)?) kg", text):
            pounds = kg_to_pounds(kg)
            assert pounds == int(pounds) and int(pounds) in weights
        if " cm" in p.prompt or " kg" in p.prompt:
            assert "1 in = 2.54 cm" in p.prompt


def test_units_are_exact() -> None:
    assert inches_to_cm(22) == "55.88"
    assert inches_to_cm(20) == "50.8"
    assert inches_to_cm(100) == "254"
    assert pounds_to_kg(10) == "4.5359237"
    assert pounds_to_kg(50) == "22.6796185"
    for n in range(1, 200):
        assert cm_to_inches(inches_to_cm(n)) == n
        assert kg_to_pounds(pounds_to_kg(n)) == n
        assert Decimal(pounds_to_kg(n)).as_tuple().exponent >= -8
    assert [feet_inches(n) for n in (9, 12, 22, 30)] == ["9 in", "1 ft", "1 ft 10 in", "2 ft 6 in"]


# --- cities ----------------------------------------------------------------------------------


def test_city_table() -> None:
    assert set(CITIES_BY_REGION) == set(REGIONS)
    assert sum(len(c) for c in CITIES_BY_REGION.values()) == len(CITY_REGION)  # no duplicates
    assert len(US_CITIES) == 23  # RuleArena's list
    assert all(len(cities) >= 2 for cities in CITIES_BY_REGION.values())
    for ambiguous in ("David", "Santiago", "Cartagena", "Cuenca", "Colón", "Colon"):
        assert find_city(ambiguous) is None
    assert find_city("washington dc") == "Washington D.C."


def test_paraphrases_never_double_a_full_stop() -> None:
    prompts = [p.prompt for p in generate(400, 0, seed=6, style="paraphrase")]
    assert sum("Washington D.C." in p for p in prompts) >= 5
    assert not [p for p in prompts if ".." in p]


# --- L0 regex solver -------------------------------------------------------------------------


@needs_rulearena
def test_l0_solves_all_rulearena_level0() -> None:
    problems = load_rulearena(AIRLINE)
    assert _l0_accuracy(problems) == 1.0
    for p in problems:
        parsed = parse_prompt(p.prompt)
        if p.info.routine == "U.S.":  # both ends in the U.S.: direction does not change fees
            parsed = parsed.model_copy(update={"direction": p.info.direction})
        assert parsed == p.info


@pytest.mark.parametrize("complexity", [0, 1, 2])
def test_l0_solves_generated_templates(complexity: int) -> None:
    problems = generate(50, complexity, seed=21)
    assert _l0_accuracy(problems) == 1.0
    for p in problems:
        if p.info.routine != "U.S.":
            assert parse_prompt(p.prompt) == p.info


def test_l0_fails_on_paraphrases() -> None:
    assert _l0_accuracy(generate(60, 0, seed=0, style="paraphrase")) < 1.0


@pytest.mark.parametrize(
    "prompt",
    [
        "",
        "Sarah is a Main Cabin Class passenger flying from Paris to Rome with the following "
        "items:\n1. A backpack: 22 x 13 x 6 inches, 10 lbs;\n\nSarah's flight ticket is $180.",
        "Sarah is a Main Cabin Class passenger flying from Gotham to Boston with the following "
        "items:\n1. A backpack: 22 x 13 x 6 inches, 10 lbs;\n\nSarah's flight ticket is $180.",
        "Sarah is a Main Cabin Class passenger flying from Paris to Boston with the following "
        "items:\n\nSarah's flight ticket is $180.",
    ],
)
def test_l0_raises_on_unreadable_prompts(prompt: str) -> None:
    with pytest.raises(L0ParseError):
        parse_prompt(prompt)


# --- fixtures --------------------------------------------------------------------------------


def test_fixtures_round_trip(tmp_path: Path) -> None:
    path = write_fixtures(tmp_path / "out", n=6, seed=5, complexity=1, style="paraphrase")
    assert path == tmp_path / "out" / "airline-c1-paraphrase.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6
    assert all(list(json.loads(x)) == sorted(json.loads(x)) for x in lines)
    assert read_fixtures(path) == generate(6, 1, 5, "paraphrase")


def test_fixtures_errors_name_line_and_field(tmp_path: Path) -> None:
    path = write_fixtures(tmp_path, n=3, seed=1, complexity=0, style="template")
    lines = path.read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[1])
    row["info"]["direction"] = 2
    lines[1] = json.dumps(row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(AirlineDataError) as caught:
        read_fixtures(path)
    message = str(caught.value)
    assert "airline-c0-template.jsonl:2: field 'info.direction'" in message
    assert caught.value.line == 2 and caught.value.field == "info.direction"
    assert isinstance(caught.value, TaskDataError)
    assert "info.direction" in message and "U.S. city is the departure" in message
