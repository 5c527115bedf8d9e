"""Traces -> training sets: chat examples exactly as the model saw them, written as
append-only JSON Lines or Parquet shards with de-duplication and a manifest.

    manifest = ptp.data.export(["results/run"], "datasets/airline", fmt="parquet")
    train = ptp.data.read_dataset("datasets/airline", split="train")
"""

from ptp.data._examples import ChatExample, ExampleMeta, examples_from_trace
from ptp.data._export import export, held_out_by
from ptp.data._record import record_runs
from ptp.data._writer import (
    DatasetError,
    DatasetWriter,
    Discard,
    Manifest,
    load_manifest,
    read_dataset,
    read_shard,
)

__all__ = [
    "ChatExample",
    "DatasetError",
    "DatasetWriter",
    "Discard",
    "ExampleMeta",
    "Manifest",
    "examples_from_trace",
    "export",
    "held_out_by",
    "load_manifest",
    "read_dataset",
    "read_shard",
    "record_runs",
]
