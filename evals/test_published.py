"""The published numbers: the replayed grids' per-cell summary is snapshot-tested (syrupy),
so a changed cassette, prompt or scorer cannot change the README's tables unnoticed.

The grid is replayed in a subprocess (``pytest evals -m baseline``, as a user runs it); its
rows are reduced to one entry per cell: n, harness errors, correct, accuracy, mean tokens
and mean LLM calls. Update the snapshot after an intended change with
``pytest evals/test_published.py --snapshot-update`` and regenerate the README's tables
(``ptp report DIR --markdown``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from ptp.report import load_summary, readme_markdown
from ptp.results import EvalRecord, read_results

ROOT = Path(__file__).resolve().parents[1]
README_BEGIN = "<!-- ptp report --markdown: begin -->"
README_END = "<!-- ptp report --markdown: end -->"
SNAPSHOT = ROOT / "evals" / "__snapshots__" / "test_published" / "test_published_cells.json"


def replay(root: Path, results: Path, *args: str) -> list[EvalRecord]:
    """Replay ``root``'s recorded grids offline into ``results`` and read the rows back."""
    command = [sys.executable, "-m", "pytest", "evals", "-m", "baseline", "-q", "-n", "0"]
    command += ["-p", "no:cacheprovider", "--ptp-results", str(results), *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return read_results(results)


def published_cells(records: Iterable[EvalRecord]) -> dict[str, dict[str, float | int]]:
    """One entry per (suite, cell): what the README's tables publish."""
    cells: dict[str, list[EvalRecord]] = defaultdict(list)
    for row in records:
        axes = ", ".join(f"{k}={v}" for k, v in sorted(row.axes.items()))
        cells[f"{row.suite} | {axes}"].append(row)
    out: dict[str, dict[str, float | int]] = {}
    for key in sorted(cells):
        rows = cells[key]
        n = len(rows)
        correct = sum(r.correct for r in rows)
        out[key] = {
            "n": n,
            "errors": sum(r.error is not None for r in rows),
            "correct": correct,
            "accuracy": round(correct / n, 3),
            "mean_tokens": round(sum(r.prompt_tokens + r.completion_tokens for r in rows) / n, 1),
            "mean_llm_calls": round(sum(r.llm_calls for r in rows) / n, 2),
        }
    return out


@pytest.fixture
def json_snapshot(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


def readme_tables() -> str:
    """The README's generated section, between its markers."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(README_BEGIN) + len(README_BEGIN)
    return text[start : text.index(README_END)].strip("\n")


@pytest.mark.slow
def test_published_cells(tmp_path, json_snapshot):
    results = tmp_path / "results"
    assert published_cells(replay(ROOT, results)) == json_snapshot
    summary = load_summary(results, n_resamples=5000, seed=0)
    assert readme_markdown(summary).strip("\n") == readme_tables(), (
        "README.md's tables differ from the replay: paste `ptp report DIR --markdown` "
        f"between the markers ({README_BEGIN} ... {README_END})"
    )


@pytest.mark.slow
def test_a_changed_cassette_answer_breaks_the_snapshot(tmp_path):
    """A copy of the airline eval whose L3 cassette answers with the right total: the cell it
    belongs to no longer matches the committed snapshot (while an untouched copy does)."""
    copy = tmp_path / "repo"
    for part in ("evals/test_airline.py", "fixtures/airline", "cassettes/test_airline"):
        source, target = ROOT / part, copy / part
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    for name in ("pytest.ini", "conftest.py"):
        shutil.copy(ROOT / name, copy / name)
    case = "L3-0-template-gemma-3-270m-gen-t-c0-s2026-000"
    only = ["-k", "L3 and 0-template and gemma"]
    published = json.loads(SNAPSHOT.read_text())
    before = published_cells(replay(copy, tmp_path / "before", *only))
    (key,) = before
    assert before[key] == published[key]

    problem = next(r for r in read_results(tmp_path / "before") if r.case_id == case)
    cassette = copy / "cassettes" / "test_airline" / f"{case}.yaml"
    text = cassette.read_text()
    # the recorded final_answer action, whatever number it gave, now gives the right total
    answer = re.compile(r'(\\"answer\\": )-?[0-9][-+0-9.eE]*')
    assert len(answer.findall(text)) == 1
    cassette.write_text(answer.sub(rf"\g<1>{problem.expected}", text))
    after = published_cells(replay(copy, tmp_path / "after", *only))
    assert after[key]["correct"] == before[key]["correct"] + 1
    assert after[key] != published[key]
