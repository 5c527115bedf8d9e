"""ptp.data: traces -> chat examples -> shards, with de-duplication and a manifest."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ptp.data import (
    DatasetError,
    DatasetWriter,
    export,
    held_out_by,
    load_manifest,
    read_dataset,
    record_runs,
)
from ptp.data._writer import shingle_hashes
from ptp.tasks import get_family


@pytest.fixture(scope="module")
def teacher_runs(tmp_path_factory) -> Path:
    """A results dir of expert-policy runs: airline L3 (agent steps) and knapsack persistent."""
    out = tmp_path_factory.mktemp("runs")
    airline, knapsack = get_family("airline"), get_family("knapsack")
    record_runs("airline", "expert:airline", airline.generate(6, seed=3, complexity=0), out)
    record_runs("knapsack", "expert:knapsack", knapsack.generate(2, seed=3), out,
                solver="persistent", axis="regime")  # fmt: skip
    return out


def test_agent_steps_become_one_conversation_with_the_replies_weighted(teacher_runs, tmp_path):
    manifest = export([teacher_runs], tmp_path / "ds")
    assert manifest.rows == 8  # one conversation per trace: 6 airline + 2 knapsack
    for example in read_dataset(tmp_path / "ds"):
        trace = json.loads((teacher_runs.parent / example.metadata.trace).read_text())
        calls = [e for e in _walk(trace["events"]) if e["kind"] == "llm"]
        last = calls[-1]["inputs"]["messages"]
        # exactly what the model saw at its last step, then its reply
        assert [m["content"] for m in example.messages[:-1]] == [m["content"] for m in last]
        assert len(example.replies) == len(calls)
        outputs = [c["output"] for c in calls]
        said = [o["text"] if isinstance(o, dict) else o for o in outputs]
        assert [r["content"] for r in example.replies] == said
        assert example.metadata.commit and example.metadata.score == 1.0


def _walk(events):
    for event in events:
        yield event
        yield from _walk(event.get("children") or [])


def test_failed_rows_are_dropped_with_the_reason(teacher_runs, tmp_path):
    lines = (teacher_runs / "results.jsonl").read_text().splitlines()
    failed = tmp_path / "failed"
    (failed / "traces").mkdir(parents=True)
    os.symlink(teacher_runs / "traces" / "teacher", failed / "traces" / "teacher")
    row = json.loads(lines[0]) | {"score": 0.0, "correct": False}
    (failed / "results.jsonl").write_text(json.dumps(row) + "\n" + lines[1] + "\n")
    manifest = export([failed], tmp_path / "ds")
    assert manifest.rows == 1
    assert manifest.dropped == {"below the score threshold": 1}
    assert manifest.discards[0].reason == "below the score threshold: 0.0 < 1.0"


def test_exports_append_and_drop_exact_duplicates(teacher_runs, tmp_path):
    first = export([teacher_runs], tmp_path / "ds", fmt="parquet", shard_rows=3)
    shards = {s.file: s.sha256 for s in first.shards}
    before = read_dataset(tmp_path / "ds")
    again = export([teacher_runs], tmp_path / "ds", fmt="parquet", shard_rows=3)
    assert again.rows == first.rows == 8
    assert again.dropped == {"exact duplicate": 8}
    assert {s.file: s.sha256 for s in again.shards} == shards  # nothing rewritten
    assert read_dataset(tmp_path / "ds") == before


def test_jsonl_and_parquet_hold_the_same_examples(teacher_runs, tmp_path):
    export([teacher_runs], tmp_path / "j", fmt="jsonl")
    export([teacher_runs], tmp_path / "p", fmt="parquet")
    assert read_dataset(tmp_path / "j") == read_dataset(tmp_path / "p")
    line = json.loads((tmp_path / "j" / "part-00000.jsonl").read_text().splitlines()[0])
    assert set(line) == {"messages", "tools", "response_format", "metadata"}  # OpenAI chat + ptp


def test_split_is_by_task_never_by_call(teacher_runs, tmp_path):
    rule = held_out_by(["*-s3-00[01]"])
    export([teacher_runs], tmp_path / "ds", held_out=rule)
    examples = read_dataset(tmp_path / "ds")
    held = {e.metadata.task_id for e in examples if e.metadata.split == "held_out"}
    assert held == {"gen-t-c0-s3-000", "gen-t-c0-s3-001"}
    assert load_manifest(tmp_path / "ds").splits == {"held_out": 2, "train": 6}
    by_fraction = held_out_by(fraction=0.5, seed=1)
    assert by_fraction("airline", "x") == by_fraction("airline", "x")  # deterministic
    with pytest.raises(DatasetError, match="0 <= fraction < 1"):
        held_out_by(fraction=1.5)


def test_near_duplicates_across_traces_are_dropped(teacher_runs, tmp_path):
    example = read_dataset_from(teacher_runs, tmp_path)[0]
    edited = example.model_copy(deep=True)
    edited.metadata.trace = "another/trace.json"
    edited.messages[-1]["content"] += " "  # whitespace only: an exact duplicate
    near = example.model_copy(deep=True)
    near.metadata.trace = "third/trace.json"
    near.messages[-1]["content"] += " Done."  # a small edit: a near duplicate
    other = example.model_copy(deep=True)
    other.metadata.trace = "fourth/trace.json"
    other.messages[1]["content"] = "An entirely different question about something else. " * 9
    with DatasetWriter(tmp_path / "near") as out:
        assert out.add(example) is None
        assert out.add(edited).reason == "exact duplicate"
        assert out.add(near).reason == "near duplicate"
        assert out.add(other) is None
    assert load_manifest(tmp_path / "near").dropped == {"exact duplicate": 1, "near duplicate": 1}


def read_dataset_from(runs: Path, tmp_path: Path):
    export([runs], tmp_path / "src")
    return read_dataset(tmp_path / "src")


def test_a_crash_leaves_complete_shards_and_never_overwrites(teacher_runs, tmp_path):
    examples = read_dataset_from(teacher_runs, tmp_path)
    folder = tmp_path / "crash"
    out = DatasetWriter(folder, shard_rows=2)
    for example in examples[:5]:
        out.add(example)  # two shards written, one example buffered; then the "crash"
    (folder / ".part-00002.999.tmp").write_text("half a shard")
    reopened = DatasetWriter(folder, shard_rows=2)
    assert not list(folder.glob("*.tmp"))
    assert reopened.manifest.rows == 4
    for example in examples:
        reopened.add(example)
    assert reopened.close().rows == len(examples)
    with pytest.raises(DatasetError, match=r"holds jsonl shards; append with fmt='jsonl'"):
        DatasetWriter(folder, fmt="parquet")


def test_refuses_an_existing_shard_name(teacher_runs, tmp_path):
    examples = read_dataset_from(teacher_runs, tmp_path)
    out = DatasetWriter(tmp_path / "race")
    out.add(examples[0])
    (tmp_path / "race" / "part-00000.jsonl").write_text("another writer's shard\n")
    with pytest.raises(DatasetError, match=r"exists .* nothing was overwritten"):
        out.flush()
    assert (tmp_path / "race" / "part-00000.jsonl").read_text() == "another writer's shard\n"


def test_a_damaged_shard_names_the_file_and_line(tmp_path):
    (tmp_path / "manifest.json").write_text('{"format": "jsonl"}')
    (tmp_path / "part-00000.jsonl").write_text('{"messages": []}\n')
    with pytest.raises(DatasetError, match=r"part-00000.jsonl:1: not a ptp chat example"):
        DatasetWriter(tmp_path)


def test_shingle_hashes_follow_the_text():
    assert (shingle_hashes("The  Bag weighs 20 kg") == shingle_hashes("the bag weighs 20 KG")).all()
    assert set(shingle_hashes("a bag of 20 kg")) != set(shingle_hashes("a bag of 21 kg"))
    assert len(shingle_hashes("ab")) == 1


def test_cli_export(teacher_runs, tmp_path, capsys):
    from ptp.cli import main

    assert main(["data", "export", str(teacher_runs), "--out", str(tmp_path / "ds"),
                 "--format", "parquet", "--held-out", "*-s3-000"]) == 0  # fmt: skip
    assert "8 examples (1 held_out, 7 train) in 1 parquet shard(s)" in capsys.readouterr().out
    assert main(["data", "export", str(tmp_path / "nothing"), "--out", str(tmp_path / "x")]) == 1
    assert "no results.jsonl" in capsys.readouterr().err
