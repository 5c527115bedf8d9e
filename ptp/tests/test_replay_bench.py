"""Benchmark: replaying the shipped grid, as users run it (``pytest evals -m baseline -n N``).

Each round is a fresh pytest process (start-up, xdist workers, every case, the reports), so
the figure is the wall time a user waits. Target (issue 9): >= 3,000 cases/min at ``-n 2`` on
the 2-core machine. Runs only with ``--benchmark-enable`` (it replays the whole grid):

    pytest ptp/tests/test_replay_bench.py --benchmark-enable -p no:randomly
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ptp.results import read_results

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.bench
@pytest.mark.slow
@pytest.mark.parametrize("workers", ["2", "8"])
def test_replay_throughput(benchmark, tmp_path, workers: str) -> None:
    if benchmark.disabled:
        pytest.skip("replays the whole grid; run with --benchmark-enable")
    runs = iter(range(1000))

    def replay() -> Path:
        results = tmp_path / f"r{next(runs)}"
        command = [sys.executable, "-m", "pytest", "evals", "-m", "baseline", "-q", "-n"]
        command += [workers, "-p", "no:randomly", "--ptp-results", str(results)]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-2000:]
        return results

    results = benchmark.pedantic(replay, rounds=3, iterations=1)
    cases = len(read_results(results))
    benchmark.extra_info["cases"] = cases
    benchmark.extra_info["cases_per_min_at_median"] = round(cases / benchmark.stats["median"] * 60)
