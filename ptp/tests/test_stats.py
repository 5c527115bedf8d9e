"""Tests for ptp.stats: agreement with scipy.stats, hand examples and properties."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
from hypothesis import example, given, settings
from hypothesis import strategies as st

import ptp.stats._bootstrap as bootstrap_module
from ptp.stats import (
    CI,
    EXACT_MAX_UNITS,
    P_BOOTSTRAP,
    P_EXACT,
    McNemarResult,
    PairedResult,
    WilcoxonResult,
    bootstrap_ci,
    holm,
    mcnemar,
    paired_bootstrap,
    sign_flip_test,
    wilcoxon,
)

B_REF = 20_000  # resamples for the Monte-Carlo comparisons with scipy
FAST = settings(max_examples=30, deadline=None)

finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)
samples = st.lists(
    st.one_of(finite, st.integers(-5, 5).map(float)), min_size=2, max_size=40
).filter(lambda xs: min(xs) != max(xs))


def _scipy_ci(data, method: str, seed: int = 1, statistic=np.mean):
    res = scipy.stats.bootstrap(
        (data,),
        statistic,
        n_resamples=B_REF,
        method=method,
        vectorized=True,
        batch=2000,
        rng=np.random.default_rng(seed),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def _assert_bounds_close(ours: CI, ref: tuple[float, float], rel: float = 0.04) -> None:
    """Bounds agree within ``rel`` of the interval width (~5 Monte-Carlo sd at B=20k)."""
    width = ref[1] - ref[0]
    assert width > 0
    assert abs(ours.low - ref[0]) <= rel * width, (ours, ref)
    assert abs(ours.high - ref[1]) <= rel * width, (ours, ref)


# --------------------------------------------------------------------------- bootstrap_ci


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(("method", "scipy_method"), [("percentile", "percentile"), ("bca", "BCa")])
def test_bootstrap_ci_agrees_with_scipy(seed: int, method: str, scipy_method: str) -> None:
    x = np.random.default_rng(100 + seed).lognormal(sigma=1.0, size=30)
    ours = bootstrap_ci(x, n_resamples=B_REF, seed=seed, method=method)
    assert ours.estimate == pytest.approx(x.mean())
    assert (ours.n, ours.n_resamples, ours.method, ours.confidence) == (30, B_REF, method, 0.95)
    _assert_bounds_close(ours, _scipy_ci(x, scipy_method, seed=seed))


def test_bca_differs_from_percentile_on_skewed_data() -> None:
    # Guards against BCa silently degrading to the percentile interval.
    x = np.random.default_rng(7).lognormal(sigma=1.0, size=25)
    bca = bootstrap_ci(x, n_resamples=B_REF, method="bca")
    pct_ref = _scipy_ci(x, "percentile")
    bca_ref = _scipy_ci(x, "BCa")
    _assert_bounds_close(bca, bca_ref)
    assert abs(bca.high - pct_ref[1]) > 0.1 * (pct_ref[1] - pct_ref[0])


@pytest.mark.parametrize("confidence", [0.8, 0.99])
def test_bootstrap_ci_confidence_level_agrees_with_scipy(confidence: float) -> None:
    x = np.random.default_rng(5).normal(size=50)
    ours = bootstrap_ci(x, confidence=confidence, n_resamples=B_REF, method="bca")
    ref = scipy.stats.bootstrap(
        (x,),
        np.mean,
        confidence_level=confidence,
        n_resamples=B_REF,
        method="BCa",
        rng=np.random.default_rng(3),
    ).confidence_interval
    _assert_bounds_close(ours, (ref.low, ref.high))


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_small_chunks_give_same_distribution(monkeypatch, method: str) -> None:
    # Force many chunks (3 resamples each) with a partial last chunk.
    monkeypatch.setattr(bootstrap_module, "_CHUNK_ELEMENTS", 100)
    x = np.random.default_rng(11).exponential(size=30)
    ours = bootstrap_ci(x, n_resamples=B_REF + 1, method=method)
    _assert_bounds_close(ours, _scipy_ci(x, "BCa" if method == "bca" else "percentile"))


@pytest.mark.parametrize(("method", "scipy_method"), [("percentile", "percentile"), ("bca", "BCa")])
def test_clustered_agrees_with_scipy_over_cluster_indices(method: str, scipy_method: str) -> None:
    # Unequal cluster sizes; scipy resamples (and jackknifes) cluster indices.
    rng = np.random.default_rng(21)
    k = 40
    sizes = rng.integers(1, 6, size=k)
    labels = np.repeat(np.arange(k), sizes)
    effects = rng.lognormal(size=k)
    x = effects[labels] + rng.normal(scale=0.3, size=labels.size)
    perm = rng.permutation(x.size)  # rows of a cluster need not be contiguous
    x, labels = x[perm], labels[perm]
    sums = np.bincount(labels, weights=x)
    counts = np.bincount(labels).astype(float)

    def ratio(idx, axis=-1):
        return sums[idx].sum(axis=axis) / counts[idx].sum(axis=axis)

    ours = bootstrap_ci(x, n_resamples=B_REF, method=method, clusters=labels.tolist())
    assert ours.estimate == pytest.approx(x.mean())
    assert ours.n == x.size
    _assert_bounds_close(ours, _scipy_ci(np.arange(k), scipy_method, statistic=ratio))


@pytest.mark.parametrize("clustered", [False, True])
def test_bca_acceleration_matches_explicit_jackknife(clustered: bool) -> None:
    rng = np.random.default_rng(31)
    labels = np.repeat(np.arange(12), rng.integers(1, 9, size=12)) if clustered else None
    x = rng.lognormal(size=labels.size if clustered else 25)
    units = labels if clustered else np.arange(x.size)
    jack = np.array([x[units != j].mean() for j in np.unique(units)])
    u = jack.mean() - jack
    expected = np.sum(u**3) / (6.0 * np.sum(u**2) ** 1.5)
    dev, sizes = bootstrap_module._group(x, float(x.mean()), labels)
    assert bootstrap_module._acceleration(dev, sizes) == pytest.approx(expected, rel=1e-9)
    assert abs(expected) > 0.01


@pytest.mark.parametrize(("method", "scipy_method"), [("percentile", "percentile"), ("bca", "BCa")])
def test_few_distinct_values_agree_with_scipy(method: str, scipy_method: str) -> None:
    # Pass/fail scores take the multinomial fast path; it must match row resampling.
    x = (np.random.default_rng(41).random(640) < 0.2).astype(float)
    ours = bootstrap_ci(x, n_resamples=B_REF, method=method)
    _assert_bounds_close(ours, _scipy_ci(x, scipy_method))


@pytest.mark.parametrize("clustered", [False, True])
def test_forced_multinomial_path_agrees_with_scipy(monkeypatch, clustered: bool) -> None:
    # Every unit is its own type: the multinomial path must still be plain resampling.
    monkeypatch.setattr(bootstrap_module, "_TYPES_RATIO", 1)
    x = np.random.default_rng(44).lognormal(size=6)
    labels = np.arange(6) if clustered else None
    for method, scipy_method in (("percentile", "percentile"), ("bca", "BCa")):
        ours = bootstrap_ci(x, n_resamples=B_REF, method=method, clusters=labels)
        _assert_bounds_close(ours, _scipy_ci(x, scipy_method))


@pytest.mark.parametrize(("method", "scipy_method"), [("percentile", "percentile"), ("bca", "BCa")])
def test_clustered_pass_fail_agrees_with_scipy(method: str, scipy_method: str) -> None:
    # 400 tasks with 1-3 epochs of pass/fail: few distinct (sum, size) cluster types.
    rng = np.random.default_rng(42)
    k = 400
    labels = np.repeat(np.arange(k), rng.integers(1, 4, size=k))
    x = (rng.random(labels.size) < rng.beta(0.5, 0.5, size=k)[labels]).astype(float)
    sums = np.bincount(labels, weights=x)
    counts = np.bincount(labels).astype(float)

    def ratio(idx, axis=-1):
        return sums[idx].sum(axis=axis) / counts[idx].sum(axis=axis)

    ours = bootstrap_ci(x, n_resamples=B_REF, method=method, clusters=labels)
    _assert_bounds_close(ours, _scipy_ci(np.arange(k), scipy_method, statistic=ratio))


def test_pass_fail_copies_equal_per_task_ci() -> None:
    v = (np.random.default_rng(43).random(300) < 0.7).astype(float)
    for method in ("percentile", "bca"):
        per_task = bootstrap_ci(v, n_resamples=2000, method=method)
        clustered = bootstrap_ci(
            np.repeat(v, 3), n_resamples=2000, method=method, clusters=np.repeat(np.arange(300), 3)
        )
        assert (clustered.low, clustered.high) == pytest.approx((per_task.low, per_task.high))


def test_clustering_widens_interval_for_duplicated_epochs() -> None:
    v = np.random.default_rng(2).normal(size=50)
    rows = np.repeat(v, 4)
    naive = bootstrap_ci(rows)
    clustered = bootstrap_ci(rows, clusters=np.repeat(np.arange(50), 4))
    ratio = (clustered.high - clustered.low) / (naive.high - naive.low)
    assert ratio == pytest.approx(2.0, rel=0.15)  # sqrt(4 epochs)


def test_singleton_clusters_match_unclustered() -> None:
    x = np.random.default_rng(4).normal(size=200)
    for method in ("percentile", "bca"):
        a = bootstrap_ci(x, method=method, n_resamples=500)
        b = bootstrap_ci(x, method=method, n_resamples=500, clusters=[f"t{i}" for i in range(200)])
        assert a.low == pytest.approx(b.low, rel=1e-12, abs=1e-12)
        assert a.high == pytest.approx(b.high, rel=1e-12, abs=1e-12)


def test_single_cluster_gives_zero_width() -> None:
    ci = bootstrap_ci([0.0, 1.0, 1.0], clusters=["a", "a", "a"], method="bca")
    assert ci.low == ci.high == ci.estimate == pytest.approx(2 / 3)


def test_seed_determinism() -> None:
    x = np.random.default_rng(0).normal(size=100)
    assert bootstrap_ci(x, seed=3) == bootstrap_ci(x, seed=3)
    assert bootstrap_ci(x, seed=3) != bootstrap_ci(x, seed=4)


def test_accepts_booleans_and_lists() -> None:
    ci = bootstrap_ci([True, False, True, True], n_resamples=200)
    assert ci.estimate == 0.75
    assert 0.0 <= ci.low <= ci.high <= 1.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"values": []}, "empty"),
        ({"values": [1.0, np.nan]}, "NaN"),
        ({"values": [[1.0, 2.0]]}, "one-dimensional"),
        ({"values": [1.0, 2.0], "confidence": 1.0}, "confidence"),
        ({"values": [1.0, 2.0], "n_resamples": 0}, "n_resamples"),
        ({"values": [1.0, 2.0], "method": "basic"}, "method"),
        ({"values": [1.0, 2.0], "clusters": [1]}, "clusters"),
    ],
)
def test_bootstrap_ci_rejects_bad_input(kwargs, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        bootstrap_ci(**kwargs)


@FAST
@given(
    c=st.one_of(finite, st.just(0.1), st.just(1 / 3)),
    n=st.integers(1, 30),
    method=st.sampled_from(["percentile", "bca"]),
    clustered=st.booleans(),
)
def test_constant_input_gives_zero_width(c: float, n: int, method: str, clustered: bool) -> None:
    clusters = [i % 3 for i in range(n)] if clustered else None
    ci = bootstrap_ci([c] * n, n_resamples=200, method=method, clusters=clusters)
    assert ci.estimate == ci.low == ci.high == c
    assert not np.isnan([ci.estimate, ci.low, ci.high]).any()


@FAST
@given(xs=samples, method=st.sampled_from(["percentile", "bca"]), seed=st.integers(0, 2**32))
def test_ci_contains_estimate(xs: list[float], method: str, seed: int) -> None:
    ci = bootstrap_ci(xs, n_resamples=300, seed=seed, method=method)
    tol = 1e-9 * (1.0 + max(abs(v) for v in xs))
    assert np.isfinite([ci.low, ci.high]).all()
    assert ci.low - tol <= ci.estimate <= ci.high + tol
    assert min(xs) - tol <= ci.low and ci.high <= max(xs) + tol


@FAST
@given(
    xs=samples,
    method=st.sampled_from(["percentile", "bca"]),
    levels=st.lists(st.floats(0.5, 0.99), min_size=2, max_size=2),
)
def test_width_non_decreasing_in_confidence(xs: list[float], method: str, levels) -> None:
    lo_c, hi_c = sorted(levels)
    narrow = bootstrap_ci(xs, confidence=lo_c, n_resamples=300, method=method)
    wide = bootstrap_ci(xs, confidence=hi_c, n_resamples=300, method=method)
    tol = 1e-9 * (1.0 + max(abs(v) for v in xs))
    assert wide.low <= narrow.low + tol
    assert wide.high >= narrow.high - tol


@FAST
@given(
    xs=samples,
    epochs=st.integers(1, 5),
    method=st.sampled_from(["percentile", "bca"]),
)
@example(xs=[0.0, 7.325493445837409e-117], epochs=1, method="bca")  # den**1.5 underflowed
def test_clustered_copies_equal_per_task_ci(xs: list[float], epochs: int, method: str) -> None:
    rows = np.repeat(np.asarray(xs), epochs)
    tasks = np.repeat(np.arange(len(xs)), epochs)
    per_task = bootstrap_ci(xs, n_resamples=300, method=method)
    clustered = bootstrap_ci(rows, n_resamples=300, method=method, clusters=tasks)
    tol = 1e-9 * (1.0 + max(abs(v) for v in xs))
    assert clustered.estimate == pytest.approx(per_task.estimate, abs=tol)
    assert clustered.low == pytest.approx(per_task.low, abs=tol)
    assert clustered.high == pytest.approx(per_task.high, abs=tol)
    assert clustered.n == len(xs) * epochs


# ------------------------------------------------------------------------ paired_bootstrap


def test_paired_sequences_match_bootstrap_of_differences() -> None:
    rng = np.random.default_rng(8)
    a, b = rng.normal(size=80), rng.normal(size=80)
    for method in ("percentile", "bca"):
        res = paired_bootstrap(a, b, n_resamples=1000, method=method)
        ci = bootstrap_ci(a - b, n_resamples=1000, method=method)
        assert isinstance(res, PairedResult)
        assert (res.mean_diff, res.low, res.high, res.n) == (ci.estimate, ci.low, ci.high, 80)


def test_paired_ids_resample_tasks() -> None:
    rng = np.random.default_rng(9)
    ids = np.repeat(np.arange(30), 3)
    a, b = rng.normal(size=90), rng.normal(size=90)
    res = paired_bootstrap(a, b, ids=ids, n_resamples=1000)
    ci = bootstrap_ci(a - b, n_resamples=1000, clusters=ids)
    assert (res.low, res.high) == (ci.low, ci.high)


def test_paired_mappings_intersect_and_average_epochs() -> None:
    a = {"t1": [1.0, 0.0, 1.0], "t2": 1.0, "t3": 0.0, "only_a": 5.0}
    b = {"t3": [0.0, 1.0], "t2": 0.0, "t1": 0.0, "only_b": 1.0}
    res = paired_bootstrap(a, b, n_resamples=500)
    expected = np.array([2 / 3 - 0.0, 1.0 - 0.0, 0.0 - 0.5])  # sorted ids t1, t2, t3
    ref = paired_bootstrap(expected, np.zeros(3), n_resamples=500)
    assert res.n == 3
    assert res.mean_diff == pytest.approx(expected.mean())
    assert (res.low, res.high, res.p_value) == pytest.approx((ref.low, ref.high, ref.p_value))


def test_paired_mappings_without_common_ids() -> None:
    with pytest.raises(ValueError, match="3 ids unmatched"):
        paired_bootstrap({"a": 1.0, "b": 0.0}, {"c": 1.0})


@pytest.mark.parametrize(
    ("a", "b", "exc"),
    [
        ({"a": 1.0}, [1.0], TypeError),
        ([1.0, 2.0], [1.0], ValueError),
        ([], [], ValueError),
        ({"a": []}, {"a": 1.0}, ValueError),
    ],
)
def test_paired_rejects_bad_input(a, b, exc) -> None:
    with pytest.raises(exc):
        paired_bootstrap(a, b)


@FAST
@given(xs=st.lists(finite, min_size=1, max_size=40), method=st.sampled_from(["percentile", "bca"]))
def test_paired_identical_inputs(xs: list[float], method: str) -> None:
    for a, b in ((xs, list(xs)), (dict(enumerate(xs)), dict(enumerate(xs)))):
        res = paired_bootstrap(a, b, n_resamples=200, method=method)
        assert res.mean_diff == res.low == res.high == 0.0
        assert res.p_value == 1.0


@FAST
@given(xs=samples, shift=finite, seed=st.integers(0, 1000))
def test_paired_p_value_in_unit_interval(xs: list[float], shift: float, seed: int) -> None:
    a = np.asarray(xs)
    res = paired_bootstrap(a + shift, a[::-1], n_resamples=300, seed=seed)
    nonzero = int(np.count_nonzero(a + shift - a[::-1]))
    if nonzero <= EXACT_MAX_UNITS:  # exact: at least the observed assignment and its mirror
        assert res.p_method == P_EXACT
        assert min(1.0, 2 / 2**nonzero) <= res.p_value <= 1.0
    else:
        assert res.p_method == P_BOOTSTRAP
        assert 1 / 301 <= res.p_value <= 1.0


def test_paired_p_value_matches_t_test() -> None:  # many units: the bootstrap p
    rng = np.random.default_rng(12)
    d = rng.normal(size=400)
    d += 2.0 * d.std() / np.sqrt(d.size) - d.mean()  # t ~= 2, two-sided p ~= 0.046
    ref = scipy.stats.ttest_1samp(d, 0.0).pvalue
    res = paired_bootstrap(d, np.zeros_like(d), n_resamples=B_REF)
    assert res.p_method == P_BOOTSTRAP
    assert res.p_value == pytest.approx(ref, abs=0.01)
    assert res.low > 0.0  # 95% interval excludes 0, consistent with p < 0.05


def test_paired_p_value_for_clear_difference() -> None:
    rng = np.random.default_rng(13)
    a = rng.normal(loc=1.0, size=100)
    res = paired_bootstrap(a, a - 1.0 + rng.normal(scale=0.1, size=100), n_resamples=999)
    assert res.p_value == pytest.approx(1 / 1000)
    assert res.low < 1.0 < res.high


def test_paired_single_unit_has_nothing_to_test() -> None:
    assert paired_bootstrap([1.0], [0.0]).p_value == 1.0  # 2 of 2 sign assignments
    res = paired_bootstrap([1.0, 0.5, 1.0], [0.0, 0.0, 0.0], ids=["t", "t", "t"])
    assert res.p_value == 1.0
    assert res.low == res.high == res.mean_diff == pytest.approx(2.5 / 3)


def test_paired_constant_nonzero_difference() -> None:
    # Three pairs: exact sign flips, 2 of the 8 assignments are as extreme (was 1/100).
    res = paired_bootstrap([2.0, 3.0, 4.0], [1.0, 2.0, 3.0], n_resamples=99)
    assert (res.mean_diff, res.low, res.high) == (1.0, 1.0, 1.0)
    assert (res.p_value, res.p_method) == (pytest.approx(2 / 8), P_EXACT)
    # Many pairs: no bootstrap resample is as extreme, p = 1 / (B + 1).
    many = paired_bootstrap(np.ones(30), np.zeros(30), n_resamples=99)
    assert (many.p_value, many.p_method) == (pytest.approx(1 / 100), P_BOOTSTRAP)


# ------------------------------------------------------------------------ sign-flip exact


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([1, 1], [0, 0], 0.5),  # the example: the bootstrap said 0.0002
        ([1] * 8, [0] * 8, 2 / 256),
        ([0] * 8, [1] * 8, 2 / 256),
        ([1, 0], [0, 0], 1.0),
        ([1, 1, 1, 0], [0, 0, 0, 1], 10 / 16),  # |sum| >= 2: 1 + 4 + 4 + 1 of 16
    ],
)
def test_small_sample_p_values_are_exact(a, b, expected: float) -> None:
    res = paired_bootstrap(a, b)
    assert res.p_method == P_EXACT
    assert res.p_value == pytest.approx(expected)


def _scipy_sign_flip(x, y) -> float:
    return scipy.stats.permutation_test(
        (np.asarray(x, float), np.asarray(y, float)),
        lambda u, v, axis: np.mean(u - v, axis=axis),
        permutation_type="samples",
        vectorized=True,
        n_resamples=np.inf,
    ).pvalue


@pytest.mark.parametrize("n", [2, 3, 5, 8, 11, 14])
def test_sign_flip_agrees_with_scipy_permutation_test(n: int) -> None:
    rng = np.random.default_rng(50 + n)
    x, y = rng.normal(size=n), rng.normal(loc=0.5, size=n)
    ref = _scipy_sign_flip(x, y)
    assert sign_flip_test(x - y) == pytest.approx(ref, rel=1e-12)
    res = paired_bootstrap(x, y)
    assert (res.p_value, res.p_method) == (pytest.approx(ref, rel=1e-12), P_EXACT)


@FAST
@given(pairs=st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=1, max_size=40))
def test_sign_flip_on_binary_outcomes_is_the_exact_sign_test(pairs) -> None:
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    wins, losses = sum(x > y for x, y in pairs), sum(x < y for x, y in pairs)
    if wins + losses > EXACT_MAX_UNITS:
        return
    ref = 1.0 if wins + losses == 0 else scipy.stats.binomtest(wins, wins + losses).pvalue
    res = paired_bootstrap(a, b, n_resamples=50)
    assert res.p_method == P_EXACT
    assert res.p_value == pytest.approx(ref, rel=1e-9)
    assert res.p_value == pytest.approx(mcnemar(a, b).p_value, rel=1e-9)


@FAST
@given(d=st.lists(st.integers(-3, 3).map(lambda v: v / 10), min_size=1, max_size=12))
def test_sign_flip_matches_brute_force_with_ties_and_zeros(d: list[float]) -> None:
    # Tenths are not exact in binary: ties must survive rounding (the tolerance).
    signs = np.array(np.meshgrid(*[[1.0, -1.0]] * len(d))).reshape(len(d), -1).T
    sums = np.round(signs @ (np.asarray(d) * 10))  # exact integers
    expected = np.mean(np.abs(sums) >= abs(round(sum(v * 10 for v in d))))
    assert sign_flip_test(d) == pytest.approx(expected)


def test_sign_flip_with_clusters_flips_whole_tasks() -> None:
    # Rows of a task flip together; the statistic is the mean over rows.
    d = np.array([0.5, 1.0, -0.2, 0.7, 0.1, 0.3])
    tasks = ["t1", "t1", "t2", "t3", "t3", "t3"]
    codes = np.array([0, 0, 1, 2, 2, 2])
    flips = [np.array(s) for s in np.ndindex(2, 2, 2)]
    stats = [abs(np.sum(d * np.where(np.array(s)[codes] == 1, -1.0, 1.0))) for s in flips]
    expected = np.mean(np.array(stats) >= abs(d.sum()) - 1e-12)
    assert sign_flip_test(d, clusters=tasks) == pytest.approx(expected)
    res = paired_bootstrap(d, np.zeros_like(d), ids=tasks)
    assert (res.p_value, res.p_method) == (pytest.approx(expected), P_EXACT)


def test_zero_differences_leave_the_exact_p_unchanged() -> None:
    # 8 wins among 100 pairs: exact (8 non-zero units), as if the ties were not there.
    a, b = [1] * 8 + [0] * 92, [0] * 100
    res = paired_bootstrap(a, b)
    assert (res.p_value, res.p_method) == (pytest.approx(2 / 256), P_EXACT)


def test_exact_up_to_the_limit_then_bootstrap() -> None:
    rng = np.random.default_rng(60)
    d = rng.normal(loc=0.3, size=EXACT_MAX_UNITS + 1)
    at_limit = paired_bootstrap(d[:-1], np.zeros(EXACT_MAX_UNITS), n_resamples=2000)
    assert at_limit.p_method == P_EXACT
    assert at_limit.p_value == pytest.approx(_scipy_sign_flip(d[:-1], np.zeros(EXACT_MAX_UNITS)))
    over = paired_bootstrap(d, np.zeros_like(d), n_resamples=2000)
    assert over.p_method == P_BOOTSTRAP
    with pytest.raises(ValueError, match="limited to 20"):
        sign_flip_test(d)
    assert sign_flip_test(d, max_units=21) == pytest.approx(
        _scipy_sign_flip(d, np.zeros_like(d)), rel=1e-9
    )


def test_sign_flip_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="empty"):
        sign_flip_test([])
    with pytest.raises(ValueError, match="clusters"):
        sign_flip_test([1.0, 2.0], clusters=["a"])


# ------------------------------------------------------------------------------- mcnemar


def test_mcnemar_hand_example() -> None:
    a = [1] * 9 + [0] + [1] * 5 + [0] * 3
    b = [0] * 9 + [1] + [1] * 5 + [0] * 3
    res = mcnemar(a, b)
    assert isinstance(res, McNemarResult)
    assert (res.b01, res.b10, res.statistic) == (1, 9, 1.0)
    assert res.p_value == pytest.approx(2 * 11 / 1024)  # 2 * P(X <= 1), X ~ Bin(10, 1/2)


@FAST
@given(
    pairs=st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=200),
)
def test_mcnemar_agrees_with_binomtest(pairs) -> None:
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    res = mcnemar(a, b)
    b01 = int(np.sum(~a & b))
    b10 = int(np.sum(a & ~b))
    assert (res.b01, res.b10) == (b01, b10)
    if b01 + b10 == 0:
        assert res.p_value == 1.0
    else:
        ref = scipy.stats.binomtest(b01, b01 + b10, 0.5).pvalue
        assert res.p_value == pytest.approx(ref)
    assert mcnemar(b, a).p_value == pytest.approx(res.p_value)
    assert 0.0 <= res.p_value <= 1.0


def test_mcnemar_no_discordant_pairs() -> None:
    res = mcnemar([True, False, True], [True, False, True])
    assert (res.b01, res.b10, res.p_value) == (0, 0, 1.0)


@pytest.mark.parametrize(("a", "b"), [([1, 2], [0, 1]), ([1], [1, 0]), ([], [])])
def test_mcnemar_rejects_bad_input(a, b) -> None:
    with pytest.raises(ValueError):
        mcnemar(a, b)


# ------------------------------------------------------------------------------ wilcoxon


def test_wilcoxon_textbook_example() -> None:
    # Wikipedia "Wilcoxon signed-rank test" example: W = W+ - W- = 9 over 9 non-zero pairs.
    x2 = [125, 115, 130, 140, 140, 115, 140, 125, 140, 135]
    x1 = [110, 122, 125, 120, 140, 124, 123, 137, 135, 145]
    res = wilcoxon(x2, x1, method="asymptotic")  # "auto" would run a slow permutation test
    assert isinstance(res, WilcoxonResult)
    assert res.n == 9
    assert res.statistic == 18.0  # min(W+ = 27, W- = 18)
    assert res.rank_biserial == pytest.approx(9 / 45)
    ref = scipy.stats.wilcoxon(x2, x1, method="asymptotic")
    assert res.p_value == pytest.approx(ref.pvalue) and res.p_value > 0.5
    swapped = wilcoxon(x1, x2, method="asymptotic")
    assert swapped.rank_biserial == pytest.approx(-9 / 45)
    assert swapped.p_value == pytest.approx(res.p_value)


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        ([1, -2, 3, 4, -5, 0], 1 / 15),  # ranks 1..5: W+ = 8, W- = 7
        ([2, -2, 3, 1], 0.5),  # ties: ranks 2.5, 2.5, 4, 1 -> W+ = 7.5, W- = 2.5
        ([1, 2, 3], 1.0),
        ([-1, -2, -3], -1.0),
    ],
)
def test_rank_biserial_hand_examples(d: list[float], expected: float) -> None:
    res = wilcoxon(d, [0.0] * len(d))
    assert res.rank_biserial == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(5))
def test_wilcoxon_agrees_with_scipy(seed: int) -> None:
    # n > 13 keeps scipy off its (slow) exhaustive permutation path for ties.
    rng = np.random.default_rng(seed)
    n = 20 + 12 * seed
    if seed == 0:  # continuous, no ties: scipy's exact distribution
        a, b = rng.normal(size=n), rng.normal(loc=0.4, size=n)
    else:  # ties and zero differences: normal approximation
        a = rng.integers(0, 6, size=n).astype(float)
        b = rng.integers(0, 6, size=n).astype(float) + (seed % 2)
    ref = scipy.stats.wilcoxon(a, b, zero_method="wilcox")
    res = wilcoxon(a, b)
    assert res.p_value == pytest.approx(ref.pvalue)
    assert res.statistic == pytest.approx(ref.statistic)
    assert res.n == int(np.count_nonzero(a != b))
    assert wilcoxon(b, a).rank_biserial == pytest.approx(-res.rank_biserial)


def test_wilcoxon_all_zero_differences() -> None:
    res = wilcoxon([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert (res.p_value, res.rank_biserial, res.n) == (1.0, 0.0, 0)


def test_wilcoxon_rejects_length_mismatch() -> None:
    with pytest.raises(ValueError, match="same length"):
        wilcoxon([1.0, 2.0], [1.0])


# ---------------------------------------------------------------------------------- holm


def _holm_reference(p: list[float]) -> list[float]:
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def test_holm_hand_example() -> None:
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])
    assert holm([]) == []


@FAST
@given(p=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=30))
def test_holm_properties(p: list[float]) -> None:
    adj = holm(p)
    assert isinstance(adj, list) and len(adj) == len(p)
    assert adj == pytest.approx(_holm_reference(p))
    for raw, a in zip(p, adj, strict=True):
        assert raw <= a <= 1.0
    for i in range(len(p)):
        for j in range(len(p)):
            if p[i] < p[j]:
                assert adj[i] <= adj[j]
    assert min(adj) == pytest.approx(min(1.0, len(p) * min(p)))


@pytest.mark.parametrize("bad", [[0.1, 1.5], [-0.1], [np.nan]])
def test_holm_rejects_invalid(bad) -> None:
    with pytest.raises(ValueError):
        holm(bad)
