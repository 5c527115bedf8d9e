"""Distillation end to end on the airline expert's traces, and each stage's refusals."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from ptp.cli import main
from ptp.distill import (
    DistillError,
    Episode,
    check_exact,
    distill_episodes,
    episode_from_trace,
    load_episodes,
    load_workflow,
    ptool_examples,
    read_imported,
    run_teacher,
    select,
    validate,
    worked_examples,
)
from ptp.distill._validate import leaks, worked_example_texts
from ptp.models import get_model
from ptp.results import EvalRecord, append_records
from ptp.tasks import get_family
from ptp.trace import recorder

AIRLINE = get_family("airline")
TEACHER = "expert:airline"


def run_expert(problem):
    """The expert's L3 run on ``problem``: (trace, answer, score)."""
    with recorder() as trace:
        result = AIRLINE.solvers["L3"](problem, get_model(TEACHER).for_task(problem))
    return trace, result.answer, AIRLINE.score(result.answer, problem).value


@cache
def corpus(seed: int = 7, n: int = 6) -> tuple[tuple, tuple[Episode, ...]]:
    tasks = [p for c in (0, 1) for s in ("template", "paraphrase")
             for p in AIRLINE.generate(n, seed=seed, complexity=c, style=s)]  # fmt: skip
    episodes = []
    for task in tasks:
        trace, answer, score = run_expert(task)
        episodes.append(episode_from_trace(trace, task_id=task.task_id, teacher=TEACHER,
                                           score=score, answer=answer))  # fmt: skip
    return tuple(tasks), tuple(episodes)


@cache
def distilled():
    _, episodes = corpus()
    return distill_episodes(list(episodes), "airline", traces="test corpus")


def test_select_refuses_too_few_successful_traces():
    _, episodes = corpus()
    failed = [e.model_copy(update={"score": 0.0}) for e in episodes[3:]]
    with pytest.raises(DistillError, match=r"3 successful traces of 24 .*need >= 10"):
        select([*episodes[:3], *failed])
    other = episodes[0].model_copy(update={"teacher": "openai:gpt-4o"})
    with pytest.raises(DistillError, match=r"2 teachers .* --teacher"):
        select([*episodes, other])


def test_mined_path_reads_the_text_and_reuses_observations():
    plan = distilled().plan
    steps = {s.var: s for s in plan.steps}
    assert [s.place for s in plan.steps].count("loop") == 3
    assert plan.item_offset == 1  # the carry-on is not a checked bag
    base = steps["base_fee"].args
    assert base["bag_position"].render() == "number"
    assert base["region"].render() == "region_of_2 if region_of == 'U.S.' else region_of"
    assert base["direction"].render() == "int(region_of != 'U.S.')"
    assert steps["overweight_fee"].args["complimentary"].render() == "base_fee == 0"
    assert plan.answer.render() == "calculator"
    names = {f.name for f in plan.fields}
    assert {"customer_class", "length", "width", "height", "weight"} <= names


def test_generated_module_is_valid_python_with_a_provenance_header(tmp_path):
    source = distilled().source
    assert source.startswith('"""Distilled airline workflow')
    assert f"Teacher: {TEACHER}" in source
    path = tmp_path / "wf.py"
    path.write_text(source)
    module = load_workflow(path)
    assert module.WORKFLOW.teacher == TEACHER


def test_exact_ptools_reproduce_the_training_answers(tmp_path):
    tasks, episodes = corpus()
    path = tmp_path / "wf.py"
    path.write_text(distilled().source)
    check = check_exact(load_workflow(path), distilled().plan, AIRLINE, list(tasks), list(episodes))
    on_path = set(distilled().plan.on_path)
    assert not {t: why for t, why in check.misses.items() if t in on_path}
    # the teacher may move bags to cheaper positions; the mined sum cannot express that
    assert set(check.misses) <= set(check.off_path)


def test_generated_ptools_get_worked_examples_from_the_training_traces(tmp_path):
    """One header and one item per unit system, each a training text part with the values
    the teacher used there, as written; the ptools send them as demonstrations."""
    tasks, episodes = corpus()
    plan = distilled().plan
    examples = worked_examples(plan, list(episodes), AIRLINE.segment)
    headers = [e for e in examples if e.group == "header"]
    items = [e for e in examples if e.group == "item"]
    assert len(headers) == 1 and len(items) == 2
    assert {e.reading["weight_unit"] for e in items} == {"lb", "kg"}
    assert {e.task_id for e in examples} <= set(plan.on_path)
    parts = {t.task_id: AIRLINE.segment(t.prompt) for t in tasks}
    for example in examples:
        header, item_texts = parts[example.task_id]
        assert example.text in [header, *item_texts]
    header = headers[0]
    assert header.reading["city_from"] in header.text
    assert f"{header.reading['ticket']:g}" in header.text
    path = tmp_path / "wf.py"
    path.write_text(distilled().source)
    module = load_workflow(path)
    assert worked_example_texts(distilled().source) == [e.text for e in examples]
    assert len(module.read_item.examples) == 2 and len(module.read_header.examples) == 1


def test_ptool_examples_ask_the_workflows_own_prompts_and_answer_as_written(tmp_path):
    """Fine-tuning data for the workflow's ptools: one example per text part of each solved
    task on the mined path, the prompt exactly what the ptool sends, the reply the values
    written in that part; unsolved and off-path episodes are left out with the reason."""
    tasks, episodes = corpus()
    plan = distilled().plan
    path = tmp_path / "wf.py"
    path.write_text(distilled().source)
    module = load_workflow(path)
    unsolved = episodes[0].model_copy(update={"task_id": "unsolved", "score": 0.0})
    data = ptool_examples(module, plan, AIRLINE, [*episodes, unsolved], seed=7)
    on_path = set(plan.on_path)
    assert data.skipped.pop("unsolved") == "not solved"
    assert set(data.skipped) == {e.task_id for e in episodes} - on_path
    by_task = {t.task_id: t for t in tasks}
    for task_id in on_path:
        _, items = AIRLINE.segment(by_task[task_id].prompt)
        mine = [e for e in data.examples if e.metadata.task_id == task_id]
        assert [e.metadata.ptool for e in mine] == ["read_header"] + ["read_item"] * (
            len(items) - plan.item_offset
        )
    for example in data.examples:
        reader = getattr(module, example.metadata.ptool)
        *prompt, reply = example.messages
        text = prompt[-1]["content"].split(": ", 1)[1]
        assert prompt == reader.messages(text) and reply["weight"] == 1
        values = reader.return_type.model_validate_json(reply["content"]).model_dump()
        for name, value in values.items():
            written = f"{value:.12g}" if isinstance(value, float) else str(value)
            assert written in text or name.endswith("_unit"), (name, value, text)


def test_workflow_embeds_no_task_literal():
    tasks, _ = corpus()
    held_out = AIRLINE.generate(10, seed=2026, complexity=0, style="template")
    literals = {str(t.answer) for t in [*tasks, *held_out]} | {str(t.info.base_price) for t in
                                                               [*tasks, *held_out]}  # fmt: skip
    assert not leaks(distilled().source, {x for x in literals if int(float(x)) > 1})


def test_imported_traces_are_read_and_bad_lines_named(tmp_path):
    good = {
        "task_id": "t1",
        "text": "x",
        "teacher": "openai:gpt-4o",
        "score": 1,
        "answer": 3,
        "calls": [{"tool": "calculator", "arguments": {"expression": "1 + 2"}, "output": 3}],
    }
    path = tmp_path / "traces.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "score": "high"}) + "\n")
    with pytest.raises(DistillError, match=r"traces.jsonl:2: field score"):
        read_imported(path)
    path.write_text(json.dumps(good) + "\n")
    assert read_imported(path)[0].calls[0].output == 3


def _results_dir(tmp_path: Path) -> Path:
    tasks, _ = corpus()
    rows = []
    for task in tasks:
        trace, answer, score = run_expert(task)
        ref = f"traces/test/{task.task_id}.json"
        trace.save(tmp_path / ref)
        rows.append(EvalRecord(case_id=task.task_id, suite="airline", task_id=task.task_id,
                               model=TEACHER, score=score, correct=score == 1, answer=answer,
                               trace=ref))  # fmt: skip
    append_records(tmp_path / "results.jsonl", rows)
    return tmp_path


def test_cli_distills_a_results_dir_and_refuses_to_overwrite(tmp_path, capsys):
    results = _results_dir(tmp_path / "run")
    assert len(load_episodes(results)) == len(corpus()[0])
    out = tmp_path / "wf.py"
    assert main(["distill", str(results), "--family", "airline", "--out", str(out)]) == 0
    assert "on the canonical path" in capsys.readouterr().out
    out.write_text("# edited by hand\n")
    assert main(["distill", str(results), "--family", "airline", "--out", str(out)]) == 1
    assert "--force" in capsys.readouterr().err


def test_cli_validates_with_exact_ptools_on_training_and_held_out_tasks(tmp_path, capsys):
    results = _results_dir(tmp_path / "run")
    fixtures = [AIRLINE.write_fixtures(tmp_path / "tasks", 6, 7, complexity=c, style=s)
                for c in (0, 1) for s in ("template", "paraphrase")]  # fmt: skip
    held_out = AIRLINE.write_fixtures(tmp_path / "held", 5, 2026, complexity=0, style="template")
    out = tmp_path / "wf.py"
    argv = ["distill", str(results), "--family", "airline", "--out", str(out), "--validate"]
    assert main(argv) == 1
    assert "--tasks FILE" in capsys.readouterr().err
    assert main([*argv, "--tasks", *map(str, fixtures), str(held_out)]) == 0
    printed = capsys.readouterr().out
    on_path = len(distilled().plan.on_path)
    assert f"({on_path} on the mined path, 0 of them lost)" in printed
    assert "training " in printed and "/24 reproduced" in printed and "held-out " in printed
    assert "/5 right" in printed


def test_validation_fails_when_the_mined_logic_loses_a_training_answer(tmp_path):
    tasks, episodes = corpus()
    out = tmp_path / "wf.py"
    out.write_text(distilled().source, encoding="utf-8")
    module = load_workflow(out)
    check = validate(module, distilled().plan, "airline", list(episodes), list(tasks),
                     teacher=TEACHER)  # fmt: skip
    assert not check.lost and check.held_out.n == 0
    module.run = lambda text, tools, segment: 0  # logic that answers nothing right
    check = validate(module, distilled().plan, "airline", list(episodes), list(tasks),
                     teacher=TEACHER)  # fmt: skip
    assert set(check.lost) == set(distilled().plan.on_path)
    assert any(line.startswith("  LOST ") for line in check.summary())


def test_a_results_dir_without_agent_traces_is_refused(tmp_path):
    append_records(tmp_path / "results.jsonl", [])
    (tmp_path / "results.jsonl").write_text("")
    with pytest.raises(DistillError, match="no agent episodes"):
        load_episodes(tmp_path)


def test_knapsack_codeact_traces_get_a_clear_reason_why_not():
    """The same pipeline on CodeAct traces (tool calls proxied from code): the expert's
    inspections and takes follow its observations, so there is no fixed path to mine."""
    knapsack = get_family("knapsack")
    tasks = knapsack.generate(10, seed=3, difficulty="easy")
    episodes = run_teacher("knapsack", "expert:knapsack", tasks, level="persistent")
    assert all(e.score == 1 and e.calls for e in episodes)
    with pytest.raises(DistillError, match=r"inspect \d+\.\.\d+ times.*cannot mine"):
        distill_episodes(episodes, "knapsack", traces="test")
