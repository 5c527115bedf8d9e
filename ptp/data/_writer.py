"""The dataset writer: append-only shards (JSON Lines or Parquet), exact and near
de-duplication, and a manifest of what was kept and what was dropped and why.

A shard is written to a temporary file and hard-linked into place (``os.link`` fails rather
than replace an existing file), so a crash leaves complete shards only and no shard is ever
overwritten. The shard files are the truth: reopening a folder re-reads them (an orphan
temporary file is removed) and the next shard continues the numbering, so a refresh appends.
Near duplicates are found with datasketch's MinHash LSH over 9-byte shingles of every turn
but the system prompt; examples of one trace are never each other's near duplicates (the
steps of one ReAct run share most of their text by design).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, Field

from ptp.data._examples import SPACES, ChatExample, ExampleMeta
from ptp.errors import PtpError

if TYPE_CHECKING:  # datasketch is imported by the writer that needs it (it imports scipy)
    from datasketch import MinHash

Format = Literal["jsonl", "parquet"]
MANIFEST = "manifest.json"
SHINGLE = 9  # bytes
# Powers of an odd 64-bit constant (wrapping): the window hash depends on byte order.
_SHINGLE_WEIGHTS = np.array([pow(0x9E3779B97F4A7C15, i, 2**64) for i in range(SHINGLE)],
                            dtype=np.uint64)  # fmt: skip


class DatasetError(PtpError, ValueError):
    """A dataset folder or file that cannot be read or written as asked."""


class Discard(BaseModel):
    """One example (or call) left out: where it came from and why."""

    source: str
    reason: str
    duplicate_of: str | None = None


class ShardInfo(BaseModel):
    file: str
    rows: int
    sha256: str


class Manifest(BaseModel):
    """What a dataset folder holds; rewritten (atomically) after every shard."""

    format: Format
    rows: int = 0
    shards: list[ShardInfo] = Field(default_factory=list)
    splits: dict[str, int] = Field(default_factory=dict)
    dropped: dict[str, int] = Field(default_factory=dict)
    discards: list[Discard] = Field(default_factory=list)
    dedup: dict[str, str] = Field(default_factory=dict)


_FUNCTION = pa.struct([("name", pa.string()), ("arguments", pa.string())])
_TOOL_CALL = pa.struct([("id", pa.string()), ("type", pa.string()), ("function", _FUNCTION)])
_MESSAGE = pa.struct([
    ("role", pa.string()), ("content", pa.string()), ("tool_calls", pa.list_(_TOOL_CALL)),
    ("tool_call_id", pa.string()), ("name", pa.string()), ("weight", pa.int64()),
])  # fmt: skip
_META_TYPES = {int: pa.int64(), float: pa.float64(), str: pa.string()}
SCHEMA = pa.schema([
    ("id", pa.string()), ("messages", pa.list_(_MESSAGE)),
    ("tools", pa.string()), ("response_format", pa.string()),  # JSON text: free-form schemas
    *((name, _META_TYPES[field.annotation if isinstance(field.annotation, type) else str])
      for name, field in ExampleMeta.model_fields.items()),
])  # fmt: skip


def shingle_hashes(text: str) -> np.ndarray:
    """32-bit hashes of the text's ``SHINGLE``-byte shingles (lower-cased, whitespace runs
    collapsed): a polynomial hash over a numpy sliding window, so the cost stays in C."""
    data = np.frombuffer(SPACES.sub(" ", text.lower()).encode(), dtype=np.uint8)
    if len(data) < SHINGLE:
        data = np.pad(data, (0, SHINGLE - len(data)))
    windows = np.lib.stride_tricks.sliding_window_view(data.astype(np.uint64), SHINGLE)
    return np.unique((windows @ _SHINGLE_WEIGHTS) >> np.uint64(32))


def _row(example: ChatExample, key: str) -> dict[str, Any]:
    def dumped(value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)

    return {"id": key, "messages": example.messages, "tools": dumped(example.tools),
            "response_format": dumped(example.response_format),
            **example.metadata.model_dump()}  # fmt: skip


def _example(row: dict[str, Any]) -> ChatExample:
    meta = {name: row[name] for name in ExampleMeta.model_fields if name in row}
    messages = [{k: v for k, v in m.items() if v is not None} for m in row["messages"]]
    return ChatExample(
        messages=messages,
        tools=_loaded(row["tools"]),
        response_format=_loaded(row["response_format"]),
        metadata=ExampleMeta(**meta),
    )


def _loaded(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def read_shard(path: str | Path) -> list[ChatExample]:
    """The examples of one shard, either format.

    Raises:
        DatasetError: naming the file (and line) that does not parse.
    """
    path = Path(path)
    if path.suffix == ".parquet":
        try:
            return [_example(row) for row in pq.read_table(path).to_pylist()]
        except (pa.ArrowException, KeyError, ValueError) as err:
            raise DatasetError(f"{path}: not a ptp Parquet shard ({err})") from err
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            examples.append(ChatExample.model_validate_json(line))
        except ValueError as err:
            raise DatasetError(
                f"{path}:{number}: not a ptp chat example ({str(err).splitlines()[0]}); "
                "shards are written by ptp.data.DatasetWriter"
            ) from err
    return examples


def read_dataset(folder: str | Path, split: str | None = None) -> list[ChatExample]:
    """All examples of a dataset folder in shard order (``split`` keeps one split)."""
    manifest = load_manifest(folder)
    examples = [e for s in manifest.shards for e in read_shard(Path(folder) / s.file)]
    return [e for e in examples if split is None or e.metadata.split == split]


def load_manifest(folder: str | Path) -> Manifest:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise DatasetError(f"{folder}: no {MANIFEST}; write the folder with ptp data export")
    try:
        return Manifest.model_validate_json(path.read_bytes())
    except ValueError as err:
        raise DatasetError(f"{path}: damaged manifest ({str(err).splitlines()[0]})") from err


class DatasetWriter:
    """Append examples to a dataset folder; ``with DatasetWriter(folder) as out: out.add(e)``.

    Args:
        folder: the dataset folder (created; reopened and appended to when it exists).
        fmt: ``jsonl`` (OpenAI chat fine-tuning lines plus metadata) or ``parquet``.
        shard_rows: examples per shard; a shard is written when it is full and on ``close``.
        near_threshold: MinHash Jaccard estimate at or above which an example from another
            trace counts as a near duplicate (None: exact de-duplication only).
    """

    def __init__(self, folder: str | Path, *, fmt: Format = "jsonl", shard_rows: int = 1000,
                 near_threshold: float | None = 0.9, num_perm: int = 128) -> None:  # fmt: skip
        if shard_rows < 1:
            raise DatasetError(f"shard_rows={shard_rows}: a shard holds at least one example")
        self.folder = Path(folder)
        self.fmt = fmt
        self.shard_rows = shard_rows
        self.num_perm = num_perm
        self.near_threshold = near_threshold
        from datasketch import MinHash, MinHashLSH

        self._lsh = (
            MinHashLSH(threshold=near_threshold, num_perm=num_perm) if near_threshold else None
        )
        # One permutation table for all sketches (datasketch would draw it per sketch).
        table = MinHash(num_perm=num_perm)
        self._permutations, self._scheme = table.permutations, table.scheme
        self._sketches: dict[str, tuple[str, MinHash]] = {}  # id -> (trace, sketch)
        self._seen: set[str] = set()  # content hashes kept
        self._buffer: list[tuple[str, ChatExample]] = []
        self.manifest = Manifest(format=fmt, dedup=self._dedup_note())
        self._reopen()

    def _dedup_note(self) -> dict[str, str]:
        near = (f"datasketch MinHashLSH, Jaccard >= {self.near_threshold}, {self.num_perm} "
                f"permutations, {SHINGLE}-byte shingles of all turns but the "
                "system prompt, across traces") if self.near_threshold else "off"  # fmt: skip
        return {"exact": "SHA-256 of the normalized conversation (messages, tools, "
                "response_format; whitespace collapsed)", "near": near}  # fmt: skip

    def _reopen(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for orphan in self.folder.glob(".part-*.tmp"):
            orphan.unlink()  # a shard a crash interrupted: never linked into place
        previous = self.folder / MANIFEST
        if previous.exists():
            old = load_manifest(self.folder)
            if old.format != self.fmt:
                raise DatasetError(
                    f"{self.folder}: holds {old.format} shards; append with fmt={old.format!r} "
                    "or write to a new folder"
                )
            self.manifest.discards = old.discards
            self.manifest.dropped = old.dropped
        for path in sorted(self.folder.glob(f"part-*.{self.fmt}")):
            examples = read_shard(path)
            for example in examples:
                key = example.content_hash()
                if key not in self._seen:
                    self._remember(key, example, self._minhash(example))
            self._count(path, examples)
        self._write_manifest()

    def _minhash(self, example: ChatExample) -> MinHash | None:
        if self._lsh is None:
            return None
        from datasketch import MinHash

        sketch = MinHash(num_perm=self.num_perm, hashfunc=int, scheme=self._scheme,
                         permutations=self._permutations)  # fmt: skip
        sketch.update_batch(shingle_hashes(example.variable_text()).tolist())
        return sketch

    def _remember(self, key: str, example: ChatExample, sketch: MinHash | None) -> None:
        self._seen.add(key)
        if self._lsh is not None and sketch is not None:
            self._lsh.insert(key, sketch)
            self._sketches[key] = (example.metadata.trace, sketch)

    def _near(self, example: ChatExample, sketch: MinHash | None) -> str | None:
        if self._lsh is None or sketch is None or self.near_threshold is None:
            return None
        for other in self._lsh.query(sketch):
            trace, known = self._sketches[other]
            if trace != example.metadata.trace and sketch.jaccard(known) >= self.near_threshold:
                return other
        return None

    def duplicate(self, example: ChatExample) -> tuple[str, str] | None:
        """("exact duplicate" or "near duplicate", the kept example's id) when ``add`` would
        drop ``example``; None when it would keep it. Records nothing."""
        key = example.content_hash()
        if key in self._seen:
            return "exact duplicate", key
        near = self._near(example, self._minhash(example))
        return None if near is None else ("near duplicate", near)

    def add(self, example: ChatExample) -> Discard | None:
        """Keep ``example`` unless it duplicates one already kept; returns the discard, if any."""
        key = example.content_hash()
        source = f"{example.metadata.trace}#call{example.metadata.call}"
        if key in self._seen:
            return self.drop(source, "exact duplicate", duplicate_of=key)
        sketch = self._minhash(example)
        near = self._near(example, sketch)
        if near is not None:
            return self.drop(source, "near duplicate", duplicate_of=near)
        self._remember(key, example, sketch)
        self._buffer.append((key, example))
        if len(self._buffer) >= self.shard_rows:
            self.flush()
        return None

    def drop(self, source: str, reason: str, duplicate_of: str | None = None) -> Discard:
        """Record something left out (the manifest keeps every discard with its reason)."""
        discard = Discard(source=source, reason=reason, duplicate_of=duplicate_of)
        self.manifest.discards.append(discard)
        category = reason.split(":")[0]
        self.manifest.dropped[category] = self.manifest.dropped.get(category, 0) + 1
        return discard

    def flush(self) -> Path | None:
        """Write the buffered examples as the next shard; returns its path (None if empty)."""
        if not self._buffer:
            return None
        number = len(self.manifest.shards)
        final = self.folder / f"part-{number:05d}.{self.fmt}"
        tmp = self.folder / f".part-{number:05d}.{os.getpid()}.tmp"
        rows = [_row(example, key) for key, example in self._buffer]
        if self.fmt == "parquet":
            pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), tmp)
        else:
            with tmp.open("w", encoding="utf-8") as out:
                for _, example in self._buffer:
                    out.write(example.model_dump_json(exclude_none=False) + "\n")
        with tmp.open("rb") as written:
            os.fsync(written.fileno())
        try:
            os.link(tmp, final)  # fails when the file exists: shards are never overwritten
        except FileExistsError:
            raise DatasetError(
                f"{final}: exists and is not in {MANIFEST} (another writer?); nothing was "
                "overwritten; write to a new folder"
            ) from None
        finally:
            tmp.unlink()
        self._count(final, [example for _, example in self._buffer])
        self._buffer.clear()
        self._write_manifest()
        return final

    def _count(self, path: Path, examples: list[ChatExample]) -> None:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.manifest.shards.append(ShardInfo(file=path.name, rows=len(examples), sha256=digest))
        self.manifest.rows += len(examples)
        splits = Counter(self.manifest.splits) + Counter(e.metadata.split for e in examples)
        self.manifest.splits = dict(sorted(splits.items()))

    def _write_manifest(self) -> None:
        tmp = self.folder / f".{MANIFEST}.{os.getpid()}.tmp"
        tmp.write_text(self.manifest.model_dump_json(indent=1), encoding="utf-8")
        tmp.replace(self.folder / MANIFEST)

    def close(self) -> Manifest:
        """Write the last shard and the manifest; returns the manifest."""
        self.flush()
        self._write_manifest()
        return self.manifest

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
