"""Results dirs -> a training dataset folder (``ptp data export``)."""

from __future__ import annotations

import fnmatch
import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from ptp.data._examples import examples_from_trace
from ptp.data._writer import DatasetError, DatasetWriter, Format, Manifest
from ptp.results import read_results


def run_commit(results_dir: Path) -> str:
    """The git commit of the run(s) that wrote ``results_dir`` (the last run's; "" unknown)."""
    runs = results_dir / "runs.jsonl"
    if not runs.is_file():
        return ""
    lines = [line for line in runs.read_text(encoding="utf-8").splitlines() if line.strip()]
    try:
        return str(json.loads(lines[-1]).get("git_commit", "")) if lines else ""
    except json.JSONDecodeError:
        return ""


def held_out_by(patterns: Iterable[str] = (), fraction: float = 0.0, seed: int = 0
                ) -> Callable[[str, str], bool]:  # fmt: skip
    """A split rule over tasks (never over calls, so no task is in both splits): a task is
    held out when its id matches a glob pattern (e.g. ``*-s7-*``, a generator seed) or when
    a hash of (seed, family, task id) falls below ``fraction``."""
    if not 0.0 <= fraction < 1.0:
        raise DatasetError(f"held-out fraction {fraction}: choose 0 <= fraction < 1")
    globs = tuple(patterns)

    def held_out(family: str, task_id: str) -> bool:
        if any(fnmatch.fnmatchcase(task_id, g) for g in globs):
            return True
        digest = hashlib.sha256(f"{seed}:{family}:{task_id}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64 < fraction

    return held_out


def export(
    sources: Iterable[str | Path],
    out: str | Path,
    *,
    fmt: Format = "jsonl",
    min_score: float = 1.0,
    held_out: Callable[[str, str], bool] | None = None,
    teacher: str | None = None,
    ptools: Iterable[str] = (),
    shard_rows: int = 1000,
    near_threshold: float | None = 0.9,
) -> Manifest:
    """Export the LLM calls of successful runs as chat examples.

    Args:
        sources: results dirs (``results.jsonl`` + ``traces/``), as ``--ptp-results`` writes.
        out: the dataset folder; appended to when it exists (duplicates are dropped).
        fmt: ``jsonl`` or ``parquet`` shards.
        min_score: rows scoring below are left out (success filter; 1.0 = correct only).
        held_out: ``(family, task_id) -> bool``; True puts the task's examples in the
            ``held_out`` split (``held_out_by`` builds one), else ``train``.
        teacher: keep only this model's rows (a model spec or ``expert:<family>``).
        ptools: keep only calls made by these ptools (empty: every call).
        shard_rows, near_threshold: as in ``DatasetWriter``.

    Returns:
        The folder's manifest after the export.

    Raises:
        DatasetError: a source is missing, or a row names a trace that is not there.
    """
    wanted = set(ptools)
    with DatasetWriter(out, fmt=fmt, shard_rows=shard_rows, near_threshold=near_threshold) as sink:
        for source in map(Path, sources):
            if not (source / "results.jsonl").is_file():
                raise DatasetError(
                    f"{source}: no results.jsonl; pass a results dir written with --ptp-results"
                )
            commit = run_commit(source)
            for row in read_results(source):
                where = f"{source.name}/{row.trace or row.case_id}"
                if teacher is not None and row.model != teacher:
                    continue
                if row.trace is None:
                    sink.drop(where, "no trace: the row has no recorded trace")
                    continue
                if row.score < min_score:
                    sink.drop(where, f"below the score threshold: {row.score} < {min_score}")
                    continue
                path = source / row.trace
                if not path.is_file():
                    raise DatasetError(
                        f"{source / 'results.jsonl'}: case {row.case_id} names trace "
                        f"{row.trace}, which is missing; copy the whole results dir"
                    )
                split = "held_out" if held_out and held_out(row.family, row.task_id) else "train"
                meta = {"family": row.family, "task_id": row.task_id, "teacher": row.model,
                        "regime": str(row.axes.get("regime", "")),
                        "level": str(row.axes.get("level", "")), "seed": row.seed,
                        "epoch": row.epoch, "split": split, "commit": commit,
                        "case_id": row.case_id, "trace": where, "score": row.score}  # fmt: skip
                examples, skipped = examples_from_trace(json.loads(path.read_bytes()), meta)
                for number, reason in skipped:
                    sink.drop(f"{where}#call{number}", reason)
                for example in examples:
                    if not wanted or example.metadata.ptool in wanted:
                        sink.add(example)
    return sink.manifest
