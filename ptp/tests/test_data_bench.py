"""Benchmark: export expert-policy L3 traces (airline, complexity 0-2, agent steps merged into
one conversation each) to Parquet with exact and near de-duplication.

    pytest ptp/tests/test_data_bench.py --benchmark-enable -n 0
"""

from __future__ import annotations

import shutil

import pytest

from ptp.data import export, record_runs
from ptp.tasks import get_family

TRACES = 1000


@pytest.mark.bench
@pytest.mark.slow
def test_export_1000_traces_to_parquet(benchmark, tmp_path):
    airline = get_family("airline")
    tasks = [t for c in (0, 1, 2) for t in airline.generate(TRACES // 3 + 1, seed=11, complexity=c)]
    record_runs("airline", "expert:airline", tasks[:TRACES], tmp_path / "runs")

    def run():
        shutil.rmtree(tmp_path / "data", ignore_errors=True)
        return export([tmp_path / "runs"], tmp_path / "data", fmt="parquet", shard_rows=5000)

    manifest = benchmark.pedantic(run, rounds=3, iterations=1)
    assert manifest.rows == TRACES and not manifest.dropped
