"""Multi-style runs: enriched and correct-only logs, the LLM-judge filter, and the oracle
over styles; fake models only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ptp.data import load_manifest, read_dataset
from ptp.results import EvalRecord, append_records
from ptp.tasks.reasoning import (
    CORRECT_ONLY_FILE,
    ENRICHED_FILE,
    STYLES,
    Verdict,
    oracle_markdown,
    oracle_rows,
    review,
    run_question,
    run_questions,
    shipped_questions,
    write_jsonl_atomic,
)
from ptp.tasks.reasoning._oracle import main as oracle_main
from ptp.testing import FakeModel

GSM = shipped_questions("gsm8k")[:2]  # golds 14 and 12


def _reply(answer: str) -> str:
    return json.dumps({"reasoning": f"so it is {answer}", "answer": answer})


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_enriched_and_correct_only_logs(tmp_path: Path) -> None:
    styles = ["step_by_step", "concise", "analogies"]
    # question 1: two styles right; question 2: none right (one prose reply, one no answer)
    fake = FakeModel([_reply("14"), _reply("13"), _reply("14"),
                      _reply("11"), "I am not sure.", "The answer is 10."],
                     spec="vllm:http://fake:8000/v1#fake-model")  # fmt: skip
    files = run_questions(GSM, fake, tmp_path / "out", styles=styles, dataset=tmp_path / "ds")
    assert (files.questions, files.kept_questions) == (2, 1)
    examples = read_dataset(tmp_path / "ds")  # the kept solutions, in the shared writer's shards
    assert [(e.metadata.task_id, e.metadata.style) for e in examples] == [
        ("gsm8k-ptp-01", "step_by_step"), ("gsm8k-ptp-01", "analogies")]  # fmt: skip
    assert examples[0].replies == [{"role": "assistant", "content": _reply("14"), "weight": 1}]
    assert load_manifest(tmp_path / "ds").rows == 2
    assert files.enriched == tmp_path / "out" / ENRICHED_FILE
    enriched = _lines(files.enriched)
    assert [(r["id"], r["style"], r["correct"]) for r in enriched] == [
        ("ptp-01", "step_by_step", True),
        ("ptp-01", "concise", False),
        ("ptp-01", "analogies", True),
        ("ptp-02", "step_by_step", False),
        ("ptp-02", "concise", False),
        ("ptp-02", "analogies", False),
    ]
    first = enriched[0]
    assert first["model"] == "vllm:http://fake:8000/v1#fake-model"
    assert first["dataset"] == "gsm8k" and first["gold_answer"] == "14"
    assert first["messages"][-1] == {"role": "assistant", "content": _reply("14")}
    assert [m["role"] for m in first["messages"]] == ["system", "user", "assistant"]
    assert first["structured"] and first["answer"] == "14" and first["reasoning"] == "so it is 14"
    assert first["verdict"] is None and not first["judged"]
    prose = enriched[4]
    assert prose["no_answer"] and not prose["structured"] and prose["check"] == "no_answer"
    (kept,) = _lines(files.correct_only)
    assert kept["flags"] == {"step_by_step": True, "concise": False, "analogies": True}
    assert kept["kept"] == ["step_by_step", "analogies"] and kept["n_correct"] == 2
    assert set(kept["solutions"]) == {"step_by_step", "analogies"}
    assert kept["solutions"]["analogies"]["messages"][-1]["content"] == _reply("14")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [ENRICHED_FILE, CORRECT_ONLY_FILE]
    )  # no temporary files left


def test_every_style_by_default() -> None:
    fake = FakeModel([_reply("14")] * len(STYLES))
    run = run_question(GSM[0], fake)
    assert list(run.replies) == list(STYLES) and all(run.flags.values())
    with pytest.raises(KeyError, match="unknown style 'telepathy'"):
        run_question(GSM[0], fake, styles=["telepathy"])


def test_the_judge_filters_right_answers_with_bad_reasoning(tmp_path: Path) -> None:
    fake = FakeModel([_reply("14"), _reply("14"), _reply("13")])
    fake_judge = FakeModel(
        [
            json.dumps({"valid": True, "problem": ""}),
            json.dumps({"valid": False, "problem": "3 * 4 is not 14"}),
        ],
        spec="openai:gpt-4o-mini",
    )
    styles = ["step_by_step", "concise", "analogies"]
    files = run_questions(GSM[:1], fake, tmp_path, styles=styles, judge=fake_judge)
    assert len(fake_judge.requests) == 2  # only the right answers are reviewed
    verdicts = [r["verdict"] for r in _lines(files.enriched)]
    assert verdicts == [{"valid": True, "problem": ""},
                        {"valid": False, "problem": "3 * 4 is not 14"}, None]  # fmt: skip
    (kept,) = _lines(files.correct_only)
    assert kept["flags"] == {"step_by_step": True, "concise": True, "analogies": False}
    assert kept["kept"] == ["step_by_step"]
    judge_request = fake_judge.requests[0]
    assert judge_request["response_format"]["json_schema"]["strict"] is True
    assert "reasoning: so it is 14" in judge_request["messages"][-1]["content"]


def test_a_judge_without_a_usable_verdict_keeps_nothing(tmp_path: Path) -> None:
    fake_judge = FakeModel(["looks fine to me", "still prose"])
    assert review(GSM[0], "r", "14", fake_judge) is None
    fake = FakeModel([_reply("14")])
    fake_judge = FakeModel(["no json", "none again"])
    files = run_questions(GSM[:1], fake, tmp_path, styles=["concise"], judge=fake_judge)
    assert files.kept_questions == 0 and _lines(files.correct_only) == []
    assert isinstance(Verdict(valid=True), Verdict)


def test_write_jsonl_atomic_replaces_whole_files(tmp_path: Path) -> None:
    path = write_jsonl_atomic(tmp_path / "a" / "x.jsonl", [{"b": 1, "a": "é"}])
    assert path.read_text(encoding="utf-8") == '{"a": "é", "b": 1}\n'
    write_jsonl_atomic(path, [])
    assert path.read_text(encoding="utf-8") == ""
    with pytest.raises(TypeError):
        write_jsonl_atomic(path, [{"x": object()}])
    assert path.read_text(encoding="utf-8") == ""  # the old file is untouched on failure
    assert [p.name for p in path.parent.iterdir()] == ["x.jsonl"]


# --- oracle over styles ------------------------------------------------------------------


def _row(style: str, task: str, correct: bool, answer: str | None, dataset: str = "gsm8k"):
    return EvalRecord(
        case_id=f"{style}-{dataset}-{task}",
        suite="reasoning",
        task_id=task,
        model="local:gemma-3-270m",
        axes={"style": style, "dataset": dataset, "model": "local:gemma-3-270m"},
        answer=answer,
        correct=correct,
        score=float(correct),
    )


ROWS = [
    # q1: a right, b wrong; q2: a wrong, b right; q3: both wrong; q4: both right
    _row("a", "q1", True, "1"), _row("b", "q1", False, "2"),
    _row("a", "q2", False, "5"), _row("b", "q2", True, "3"),
    _row("a", "q3", False, None), _row("b", "q3", False, None),
    _row("a", "q4", True, "4"), _row("b", "q4", True, "4"),
    _row("reference", "q1", True, "1"),
    _row("a", "q5", True, "7"),  # b has no row for q5: not counted
]  # fmt: skip


def test_oracle_over_styles_vs_the_best_single_style() -> None:
    (row,) = oracle_rows(ROWS, n_resamples=200)
    assert (row.dataset, row.model, row.questions) == ("gsm8k", "local:gemma-3-270m", 4)
    assert row.accuracy == {"a": 0.5, "b": 0.5}
    assert row.best_style == "a" and row.best.estimate == 0.5
    assert row.oracle.estimate == 0.75 and row.gain == pytest.approx(0.25)
    assert row.oracle.low <= 0.75 <= row.oracle.high
    assert row.agreement == {"a": 0.25, "b": 0.25}  # same answer only on q4
    text = oracle_markdown([row])
    assert "| gsm8k | local:gemma-3-270m | 4 | a | 50% [" in text and "+25 pts" in text
    assert oracle_markdown([]).startswith("No reasoning rows")


def test_oracle_command_reads_a_results_dir(tmp_path: Path, capsys) -> None:
    append_records(tmp_path / "results.jsonl", ROWS)
    assert oracle_main([str(tmp_path)]) == 0
    assert "oracle over styles" in capsys.readouterr().out
