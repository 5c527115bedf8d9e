"""Against RuleArena's own files in ``../shared/rulearena`` (CI has them beside the repo): the
shipped generator data, L0 on every level-0 prompt, the exact template, the rulearena fixture."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from string import Template

import pytest

from ptp.tasks import get_family
from ptp.tasks.airline import CITY_REGION, TripInfo, generate, solve_l0
from ptp.tasks.airline._cities import RULEARENA_CITY_REGION, US_CITIES, find_city
from ptp.tasks.airline._data import generator_facts

ROOT = Path(__file__).resolve().parents[2]
RULEARENA = ROOT.parent / "shared" / "rulearena"
AIRLINE = RULEARENA / "airline"
FACTS = RULEARENA / "generator_facts.json"
needs = pytest.mark.skipif(
    not (AIRLINE / "comp_0.jsonl").is_file() or not FACTS.is_file(),
    reason=f"RuleArena data (comp_0.jsonl, generator_facts.json) not found under {RULEARENA}",
)
NEW_CITIES = ("Athens", "Copenhagen", "Kyoto", "Madrid", "Xiamen", "Zurich")


@needs
def test_shipped_generator_data_equals_rulearena_facts() -> None:
    assert generator_facts() == json.loads(FACTS.read_text(encoding="utf-8"))


def test_lookup_knows_every_rulearena_city() -> None:
    for city in NEW_CITIES:
        assert find_city(city) == city and city in CITY_REGION
    assert CITY_REGION["Kyoto"] == "Japan" and CITY_REGION["Xiamen"] == "China"
    assert all(CITY_REGION[c] == r for c, r in RULEARENA_CITY_REGION.items())
    assert all(CITY_REGION[c] == "U.S." for c in US_CITIES)
    assert len(RULEARENA_CITY_REGION) == 23 + 52


def test_l0_solves_every_prompt_of_the_shipped_rulearena_fixture() -> None:
    """Runs without ../shared: the fixture holds the benchmark's prompts and answers."""
    family = get_family("airline")
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "airline"
    problems = family.read_fixtures(fixture / "airline-c0-rulearena.jsonl")
    assert len(problems) == 100
    for problem in problems:
        result = family.solvers["L0"](problem, None)
        assert family.score(result.answer, problem).correct, problem.task_id


@needs
def test_l0_solves_every_level0_prompt_line_by_line() -> None:
    lines = AIRLINE.joinpath("comp_0.jsonl").read_text(encoding="utf-8").splitlines()
    answers = json.loads(AIRLINE.joinpath("comp_0.answers.json").read_text(encoding="utf-8-sig"))
    assert len(lines) == len(answers) == 100
    for k, (line, answer) in enumerate(zip(lines, answers, strict=True), 1):
        assert solve_l0(json.loads(line)["prompt"]) == answer, f"comp_0.jsonl line {k}"


def _render(facts: dict, name: str, cls: str, origin: str, dest: str, info) -> str:
    items = "\n".join(
        facts["item_line"].format(
            i=b.id, name=b.name, L=b.size[0], W=b.size[1], H=b.size[2], weight=b.weight
        )
        for b in info.bag_list
    )
    values = {"name": name, "class": cls, "departure": origin, "destination": dest}
    values |= {"bag_list": items, "base_price": f"${info.base_price}"}
    return Template(facts["prompt_template"]).substitute(values)


@needs
def test_template_style_is_rulearena_template_character_for_character() -> None:
    facts = json.loads(FACTS.read_text(encoding="utf-8"))
    head = re.compile(r"(\w+) is a (.+?) Class passenger flying from (.+?) to (.+?) with the")
    sources = [json.loads(x) for x in AIRLINE.joinpath("comp_0.jsonl").open(encoding="utf-8")]
    for line in sources:  # the renderer below is RuleArena's
        name, cls, origin, dest = head.match(line["prompt"]).groups()
        info = TripInfo.model_validate(line["info"])
        assert _render(facts, name, cls, origin, dest, info) == line["prompt"]
    for level in (0, 1, 2):
        for p in generate(200, level, seed=4):
            name, cls, origin, dest = head.match(p.prompt).groups()
            assert name in facts["passenger_names"] and cls == p.info.customer_class
            assert _render(facts, name, cls, origin, dest, p.info) == p.prompt


def _readme_one_liner() -> str:
    text = (ROOT / "fixtures" / "README.md").read_text(encoding="utf-8")
    lines = [x.strip() for x in text.splitlines() if x.strip().startswith("python -c ")]
    assert len(lines) == 1, "fixtures/README.md should show one `python -c` line"
    return shlex.split(lines[0])[2]


@needs
def test_rulearena_fixture_is_what_the_readme_line_writes(tmp_path: Path) -> None:
    code = _readme_one_liner()
    assert "'../shared/rulearena/airline'" in code and "'fixtures/airline'" in code
    code = code.replace("'../shared/rulearena/airline'", repr(str(AIRLINE)))
    exec(code.replace("'fixtures/airline'", repr(str(tmp_path))), {})
    name = "airline-c0-rulearena.jsonl"
    shipped = (ROOT / "fixtures" / "airline" / name).read_bytes()
    assert (tmp_path / name).read_bytes() == shipped
    rows = [json.loads(x) for x in shipped.decode().splitlines()]
    answers = json.loads(AIRLINE.joinpath("comp_0.answers.json").read_text(encoding="utf-8-sig"))
    assert [r["answer"] for r in rows] == answers
    assert {r["source"] for r in rows} == {"rulearena"}
