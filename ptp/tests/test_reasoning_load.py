"""Reasoning datasets: the shipped questions, file and folder layouts, gold normalization,
and errors that name the file, the line, the field and the fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ptp.errors import ConfigError
from ptp.tasks.reasoning import (
    DATASETS,
    Choices,
    ReasoningDataError,
    dataset_file,
    load_dataset,
    normalize_gold,
    score,
    shipped_questions,
)


def _write(path: Path, rows: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = {
    "gsm8k": {"id": 1, "question": "2 + 2?", "gold_answer": 4},
    "math": {"id": "m1", "question": "Half of one?", "gold_answer": "\\frac{1}{2}"},
    "arc_challenge": {
        "id": "a1",
        "question": "Which?",
        "choices": {"label": ["A", "B"], "text": ["cat", "dog"]},
        "gold_answer": "B",
    },
    "anli": {"id": "n1", "premise": "It rains.", "hypothesis": "It is wet.", "gold_answer": "e"},
    "strategy_qa": {"id": "s1", "question": "Is ice cold?", "gold_answer": True},
    "table_mwp": {"id": "t1", "question": "Sum?", "table": "a | b\n1 | 2", "gold_answer": "3"},
}


@pytest.mark.parametrize("dataset", DATASETS)
def test_shipped_questions_load_and_their_gold_answers_score_one(dataset: str) -> None:
    tasks = shipped_questions(dataset)
    assert len(tasks) == 12
    assert len({t.task_id for t in tasks}) == 12
    assert all(t.dataset == dataset and t.task_id.startswith(f"{dataset}-") for t in tasks)
    for task in tasks:
        verdict = score(task.gold_answer, task)
        assert verdict.correct and verdict.value == 1.0, task


def test_multiple_choice_datasets_have_choices_and_label_golds() -> None:
    for dataset in ("arc_challenge", "commonsense_qa", "date"):
        for task in shipped_questions(dataset):
            assert task.choices is not None and task.gold_answer in task.choices.label
            assert task.kind == "choice"
    mixed = {t.kind for t in shipped_questions("table_mwp")}
    assert mixed == {"number", "choice"}


def test_a_file_or_any_folder_layout(tmp_path: Path) -> None:
    row = GOOD["gsm8k"]
    layouts = {
        "file.jsonl": None,
        "split/test.jsonl": "split",
        "root/gsm8k/dev.jsonl": "root",
        "flat/gsm8k.jsonl": "flat",
        "flat2/gsm8k_train.jsonl": "flat2",
        "hf/validation.jsonl": "hf",
    }
    for rel, folder in layouts.items():
        path = _write(tmp_path / rel, [row])
        source = path if folder is None else tmp_path / folder
        split = {"root": "dev", "flat2": "train", "hf": "dev"}.get(folder or "")
        assert dataset_file("gsm8k", source, split) == path
        assert [t.id for t in load_dataset("gsm8k", source, split)] == ["1"]


def test_missing_files_list_where_they_were_looked_for(tmp_path: Path) -> None:
    with pytest.raises(ReasoningDataError) as caught:
        load_dataset("gsm8k", tmp_path, "dev")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path}: no gsm8k dev file; put the gsm8k dev file at one of")
    assert "dev.jsonl" in message and "gsm8k/validation.jsonl" in message
    with pytest.raises(ReasoningDataError, match="no such file or folder"):
        load_dataset("gsm8k", tmp_path / "nope")
    with pytest.raises(ReasoningDataError, match="unknown split 'eval'; use one of train, dev"):
        load_dataset("gsm8k", tmp_path, "eval")
    with pytest.raises(ConfigError, match="unknown reasoning dataset 'mmlu'; use one of gsm8k"):
        load_dataset("mmlu", tmp_path)


@pytest.mark.parametrize("dataset", sorted(GOOD))
def test_good_lines_in_each_schema(dataset: str, tmp_path: Path) -> None:
    (task,) = load_dataset(dataset, _write(tmp_path / "d.jsonl", [GOOD[dataset]]))
    assert score(task.gold_answer, task).correct


@pytest.mark.parametrize(
    ("dataset", "mutate", "field", "needle"),
    [
        ("gsm8k", lambda r: r.pop("gold_answer"), "gold_answer", "add the field 'gold_answer'"),
        ("gsm8k", lambda r: r.update(gold_answer="many"), "gold_answer", "write the final number"),
        ("gsm8k", lambda r: r.update(question=""), "question", "add the question text"),
        ("gsm8k", lambda r: r.update(id=[1]), "id", "give every line a unique id"),
        (
            "arc_challenge",
            lambda r: r["choices"].update(text=["cat"]),
            "choices",
            "one label per text",
        ),
        ("arc_challenge", lambda r: r.pop("choices"), "choices", "add the field 'choices'"),
        ("arc_challenge", lambda r: r.update(gold_answer="E"), "gold_answer", "one of A, B"),
        (
            "arc_challenge",
            lambda r: r.update(choices={"label": "AB", "text": ["x", "y"]}),
            "choices.label",
            "list the option labels",
        ),
        ("anli", lambda r: r.pop("hypothesis"), "hypothesis", "add the field 'hypothesis'"),
        ("anli", lambda r: r.update(gold_answer="maybe"), "gold_answer", "entailment, neutral"),
        ("strategy_qa", lambda r: r.update(gold_answer="perhaps"), "gold_answer", "yes or no"),
        ("table_mwp", lambda r: r.pop("table"), "table", "write the table as text"),
    ],
)
def test_bad_line_names_file_line_field_and_fix(
    dataset: str, mutate: Any, field: str, needle: str, tmp_path: Path
) -> None:
    good = GOOD[dataset]
    bad = json.loads(json.dumps(good))
    bad["id"] = "second" if bad.get("id") != "second" else "x"
    mutate(bad)
    path = _write(tmp_path / "d.jsonl", [good, "", bad])
    with pytest.raises(ReasoningDataError) as caught:
        load_dataset(dataset, path)
    err = caught.value
    assert (err.path, err.line, err.field) == (path, 3, field)
    assert str(err).startswith(f"{path}:3: field {field!r}: ")
    assert needle in str(err)


def test_not_json_and_repeated_ids(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.jsonl", [GOOD["gsm8k"], "{oops"])
    with pytest.raises(ReasoningDataError, match=r"d.jsonl:2: not JSON .*write one JSON object"):
        load_dataset("gsm8k", path)
    path = _write(tmp_path / "e.jsonl", [GOOD["gsm8k"], GOOD["gsm8k"]])
    with pytest.raises(ReasoningDataError, match=r"e.jsonl:2: field 'id': id '1' repeats line 1"):
        load_dataset("gsm8k", path)


def test_gold_answers_are_normalized() -> None:
    ab = Choices(label=("A", "B"), text=("cat", "dog"))
    assert normalize_gold("gsm8k", "She pays 3 + 4 = 7.\n#### 7") == "7"
    assert normalize_gold("gsm8k", 18.0) == "18"
    assert normalize_gold("math", "so \\boxed{\\frac{1}{2}}") == "\\frac{1}{2}"
    assert normalize_gold("arc_challenge", "(b)", ab) == "B"
    assert normalize_gold("arc_challenge", "Dog", ab) == "B"
    assert normalize_gold("strategy_qa", False) == "no"
    assert normalize_gold("strategy_qa", "Yes") == "yes"
    for raw, label in [(0, "entailment"), ("n", "neutral"), ("2", "contradiction")]:
        assert normalize_gold("anli", raw) == label


def test_a_table_given_as_columns_is_rendered(tmp_path: Path) -> None:
    row = {**GOOD["table_mwp"], "table": {"name": ["Ann", "Ben"], "books": [7, 4]}}
    (task,) = load_dataset("table_mwp", _write(tmp_path / "t.jsonl", [row]))
    assert task.table == "name | books\nAnn | 7\nBen | 4"
    assert "Table:\nname | books" in __import__("ptp.tasks.reasoning").tasks.reasoning.core_prompt(
        task
    )


def test_unknown_keys_are_ignored_and_a_bom_is_accepted(tmp_path: Path) -> None:
    row = {**GOOD["gsm8k"], "answer": "rationale #### 4", "split": "test"}
    path = tmp_path / "bom.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8-sig")
    (task,) = load_dataset("gsm8k", path)
    assert task.gold_answer == "4"
