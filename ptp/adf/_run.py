"""A dataset run: every scenario item of the configuration through the flow, in parallel over
a bounded pool, each outcome appended to ``items.jsonl`` as it arrives and every accepted
teacher conversation written to the shared dataset writer (``ptp.data``).

Layout of a run folder::

    config.yaml          the configuration (a resume must match it)
    items.jsonl          one row per item (ItemRow), appended and fsynced as items finish
    traces/<task>.json   the accepted teacher run's trace (written before its row)
    dataset/             shards + manifest.json (exact and near de-duplication)
    summary.json         counts, written at the end

Crash safety: a row is written only after its trace file, and an example is added to the
writer only after its row; on resume, rows already written are not run again, accepted rows
whose example no shard holds (a buffer lost to the crash) are re-added from their trace file,
and a half-written last line of ``items.jsonl`` is moved to a side file.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ptp.data import DatasetWriter, read_dataset
from ptp.errors import ConfigError
from ptp.models import CassetteMissError
from ptp.results import git_commit
from ptp.tasks import get_family
from ptp.tasks.scenarios import ScenarioTask
from ptp.trace import Trace

from ._config import AdfConfig
from ._item import Flow, ItemRow, example_of, process_item
from ._pool import ModelFactory, ModelPool

__all__ = ["ITEMS_FILE", "RunSummary", "read_items", "run_adf", "scenario_tasks"]

ITEMS_FILE = "items.jsonl"
CONFIG_FILE = "config.yaml"


class RunSummary(BaseModel):
    """What a run did (this call's counts; ``items`` covers the whole folder)."""

    items: int
    accepted: int
    discarded: int
    ran: int
    recovered: int
    wall_s: float
    accepted_per_min: float


def scenario_tasks(config: AdfConfig) -> list[ScenarioTask]:
    """Every item of the configuration's scenario mix, in order."""
    tasks: list[ScenarioTask] = []
    for mix in config.scenarios:
        family = get_family(mix.family)
        tasks += family.generate(n=mix.n, seed=mix.seed, scenario=mix.scenario)
    return tasks


def read_items(folder: str | Path) -> list[ItemRow]:
    """The rows of a run folder (a damaged last line is skipped; :func:`run_adf` repairs it).

    Raises:
        ConfigError: a damaged line before the last, naming the file and line.
    """
    path = Path(folder) / ITEMS_FILE
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append(ItemRow.model_validate_json(line))
        except ValidationError as err:
            if number == len(lines):
                break
            raise ConfigError(
                f"{path}: line {number} is not an item row ({err.errors()[0]['msg']}); "
                "remove the line to run its item again"
            ) from err
    return rows


def _repair(path: Path) -> None:
    """Move a half-written last line (a crash mid-append) to a side file."""
    if not path.exists():
        return
    data = path.read_bytes()
    if not data or data.endswith(b"\n"):
        return
    cut = data.rfind(b"\n") + 1
    tail = data[cut:]
    try:
        ItemRow.model_validate_json(tail)
    except ValidationError:
        side = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        side.write_bytes(tail)
        with path.open("r+b") as out:
            out.truncate(cut)
        print(f"{path}: the last line was cut by a crash; moved it to {side.name}")
        return
    with path.open("ab") as out:
        out.write(b"\n")


def _append(path: Path, row: ItemRow) -> None:
    with path.open("a", encoding="utf-8") as out:
        out.write(row.model_dump_json() + "\n")
        out.flush()
        os.fsync(out.fileno())


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)


def _check_config(folder: Path, config: AdfConfig) -> None:
    saved = folder / CONFIG_FILE
    data = config.model_dump(mode="json")
    if saved.exists():
        old = yaml.safe_load(saved.read_text(encoding="utf-8"))
        if not isinstance(old, dict):
            raise ConfigError(f"{saved}: not a configuration; restore it or use a new folder")
        # how many workers run does not change what is produced
        differing = sorted(k for k in data if k != "concurrency" and old.get(k) != data.get(k))
        if differing:
            raise ConfigError(
                f"{folder}: holds a run of another configuration (differs in "
                f"{', '.join(differing)}); resume with the same configuration or use a new folder"
            )
        return
    _write_atomic(saved, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _progress(total: int, done: int) -> Any:
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm is a dependency; a bare environment still runs
        return None
    return tqdm(total=total, initial=done, unit="item", desc="adf", leave=True)


def _guarded(flow: Flow, task: ScenarioTask) -> tuple[ItemRow, Trace | None]:
    """:func:`process_item`, with any unexpected error as a discarded row (one broken item
    never stops a run; a cassette miss does, as it is the harness's error)."""
    try:
        return process_item(flow, task)
    except CassetteMissError:
        raise
    except Exception as err:
        template = get_family(task.family).environment(task).template
        return ItemRow(
            task_id=task.task_id, family=task.family, scenario=task.scenario,
            difficulty=task.difficulty, capabilities=list(template.capabilities),
            status="discarded", reason=f"error: {type(err).__name__}: {err}"[:500], rounds=[],
        ), None  # fmt: skip


def _bounded(
    executor: ThreadPoolExecutor, flow: Flow, tasks: Iterable[ScenarioTask], limit: int
) -> Iterator[tuple[ItemRow, Trace | None]]:
    """Results as items finish, with at most ``limit`` submitted and not yet consumed."""
    pending: set[Future[tuple[ItemRow, Trace | None]]] = set()
    for task in tasks:
        pending.add(executor.submit(_guarded, flow, task))
        if len(pending) >= limit:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from (f.result() for f in done)
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        yield from (f.result() for f in done)


def run_adf(
    config: AdfConfig,
    folder: str | Path,
    *,
    teacher_factory: ModelFactory | None = None,
    reviewer_factory: ModelFactory | None = None,
    progress: bool = True,
) -> RunSummary:
    """Run (or resume) the configuration into ``folder``.

    Args:
        config: the run's configuration.
        folder: the run folder (created; a folder of the same configuration is resumed).
        teacher_factory, reviewer_factory: how the pools build models (default: clients from
            the specs, expert policies bound per task).
        progress: show a progress bar.

    Raises:
        ConfigError: the folder holds another configuration, or a damaged items file.
    """
    started = time.perf_counter()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _check_config(folder, config)
    items = folder / ITEMS_FILE
    _repair(items)
    rows = read_items(folder)
    done = {row.task_id for row in rows}
    out = config.output
    writer = DatasetWriter(
        folder / "dataset", fmt=out.format, shard_rows=out.shard_rows,
        near_threshold=out.near_threshold,
    )  # fmt: skip
    meta = {"commit": git_commit(Path.cwd()) or ""}
    recovered = _recover(folder, rows, writer, meta)
    flow = Flow(
        config,
        ModelPool(config.teacher_pool, "teacher", teacher_factory),
        ModelPool(config.reviewer_pool, "reviewer", reviewer_factory),
    )
    tasks = [t for t in scenario_tasks(config) if t.task_id not in done]
    total = len(tasks) + len(done)
    bar = _progress(total, len(done)) if progress else None
    accepted = discarded = 0
    workers = config.concurrency.max_workers
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="adf") as executor:
            for row, trace in _bounded(executor, flow, tasks, 2 * workers):
                example = None
                if trace is not None:
                    row.trace_file = f"traces/{row.task_id}.json"
                    example = example_of(row, trace, meta)
                    if example is None:
                        row.status, row.reason = "discarded", "dataset: no chat call in the run"
                    elif (duplicate := writer.duplicate(example)) is not None:
                        row.status = "discarded"
                        row.reason = f"dataset: {duplicate[0]} of {duplicate[1][:12]}"
                    if row.status == "accepted":
                        _write_atomic(folder / row.trace_file, trace.model_dump_json())
                    else:
                        row.trace_file = ""
                _append(items, row)
                if row.status == "accepted" and example is not None:
                    writer.add(example)
                    accepted += 1
                else:
                    discarded += 1
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(accepted=accepted, discarded=discarded)
    finally:
        if bar is not None:
            bar.close()
        writer.close()
    wall = time.perf_counter() - started
    summary = RunSummary(
        items=total, accepted=accepted, discarded=discarded, ran=len(tasks),
        recovered=recovered, wall_s=round(wall, 3),
        accepted_per_min=round(60 * accepted / wall, 1) if wall > 0 else 0.0,
    )  # fmt: skip
    _write_atomic(folder / "summary.json", summary.model_dump_json(indent=1))
    return summary


def _recover(folder: Path, rows: list[ItemRow], writer: DatasetWriter, meta: dict) -> int:
    """Re-add accepted rows' examples that no shard holds (lost in a crash's buffer)."""
    kept = {example.metadata.task_id for example in read_dataset(folder / "dataset")}
    recovered = 0
    for row in rows:
        if row.status != "accepted" or row.task_id in kept:
            continue
        path = folder / row.trace_file
        try:
            trace = Trace.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValidationError) as err:
            raise ConfigError(
                f"{path}: the trace of accepted item {row.task_id} cannot be read ({err}); "
                f"remove its line from {ITEMS_FILE} to run the item again"
            ) from err
        example = example_of(row, trace, meta)
        if example is not None and writer.add(example) is None:
            recovered += 1
    return recovered
