"""Benchmark: bootstrap CI of 10,000 rows with 5,000 resamples.

Run with ``python -m pytest ptp/tests/test_stats_bench.py --benchmark-enable``.
"""

from __future__ import annotations

import numpy as np
import pytest

from ptp.stats import bootstrap_ci

N_ROWS = 10_000
N_RESAMPLES = 5_000
N_TASKS = 2_000  # clustered cases: 5 epochs per task


@pytest.mark.bench
@pytest.mark.parametrize(
    ("method", "clustered", "pass_fail"),
    [
        ("percentile", False, False),
        ("bca", False, False),
        ("percentile", True, False),
        ("bca", True, False),
        ("bca", False, True),
        ("bca", True, True),
    ],
    ids=[
        "percentile",
        "bca",
        "clustered-percentile",
        "clustered-bca",
        "pass-fail-bca",
        "clustered-pass-fail-bca",
    ],
)
def test_bootstrap_ci_10k_rows_5k_resamples(
    benchmark, method: str, clustered: bool, pass_fail: bool
) -> None:
    rng = np.random.default_rng(0)
    # Continuous scores are the worst case; pass/fail scores take the multinomial fast path.
    values = (rng.random(N_ROWS) < 0.6).astype(float) if pass_fail else rng.normal(size=N_ROWS)
    clusters = np.repeat(np.arange(N_TASKS), N_ROWS // N_TASKS) if clustered else None
    ci = benchmark.pedantic(
        bootstrap_ci,
        args=(values,),
        kwargs={"n_resamples": N_RESAMPLES, "method": method, "clusters": clusters},
        rounds=5,
        iterations=1,
        warmup_rounds=1,
    )
    assert ci.low < ci.estimate < ci.high
    assert ci.n == N_ROWS and ci.n_resamples == N_RESAMPLES
