"""Benchmarks: bootstrap CI of 10,000 rows with 5,000 resamples; the exact sign-flip p-value.

Run with ``python -m pytest ptp/tests/test_stats_bench.py --benchmark-enable``.
"""

from __future__ import annotations

import numpy as np
import pytest

from ptp.stats import EXACT_MAX_UNITS, P_EXACT, bootstrap_ci, paired_bootstrap

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


@pytest.mark.bench
@pytest.mark.parametrize("units", [12, EXACT_MAX_UNITS])
def test_exact_sign_flip_p_value(benchmark, units: int) -> None:
    # The largest exact enumeration (2**20 sign assignments) must stay cheap: every declared
    # comparison of a small suite takes this path.
    rng = np.random.default_rng(1)
    a, b = rng.normal(loc=0.4, size=units), rng.normal(size=units)
    res = benchmark.pedantic(
        paired_bootstrap,
        args=(a, b),
        kwargs={"n_resamples": N_RESAMPLES},
        rounds=5,
        iterations=1,
        warmup_rounds=1,
    )
    assert res.p_method == P_EXACT
    assert 0.0 < res.p_value <= 1.0
