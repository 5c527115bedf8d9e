"""Paired comparisons of two systems: bootstrap of differences with an exact sign-flip p-value
for few units, McNemar, Wilcoxon."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._bootstrap import Method, _as_values, _bootstrap_mean, _check_knobs, _factorize

# Up to this many paired units with a non-zero difference, the p-value comes from the exact
# sign-flip distribution (2**20 sign assignments, enumerated in two halves of 2**10); above,
# from the bootstrap. With few units the bootstrap's resampled means are far too concentrated
# (two pairs of 1 vs 0 gave p = 0.0002 where the exact test gives 0.5).
EXACT_MAX_UNITS = 20
P_EXACT = "sign-flip exact"
P_BOOTSTRAP = "bootstrap"


@dataclass(frozen=True, slots=True)
class PairedResult:
    """Paired bootstrap comparison of ``a`` and ``b``.

    Attributes:
        mean_diff: Observed mean of the paired differences ``a - b``.
        low: Lower confidence bound of the mean difference.
        high: Upper confidence bound of the mean difference.
        p_value: Two-sided p-value for a mean difference of 0.
        n: Number of pairs (rows) compared.
        p_method: How ``p_value`` was computed: ``"sign-flip exact"`` (the exact
            permutation distribution, for at most ``EXACT_MAX_UNITS`` units with a non-zero
            difference) or ``"bootstrap"`` (the shift method, for more units).
    """

    mean_diff: float
    low: float
    high: float
    p_value: float
    n: int
    p_method: str


@dataclass(frozen=True, slots=True)
class McNemarResult:
    """Exact McNemar test on paired binary outcomes.

    Attributes:
        b01: Pairs where ``a`` is wrong and ``b`` is right.
        b10: Pairs where ``a`` is right and ``b`` is wrong.
        p_value: Exact two-sided binomial p-value on the discordant pairs.
        statistic: ``min(b01, b10)``, the exact test statistic.
    """

    b01: int
    b10: int
    p_value: float
    statistic: float


@dataclass(frozen=True, slots=True)
class WilcoxonResult:
    """Wilcoxon signed-rank test with the matched-pairs rank-biserial effect size.

    Attributes:
        statistic: ``scipy.stats.wilcoxon`` statistic (two-sided: ``min(W+, W-)``).
        p_value: Two-sided p-value.
        rank_biserial: ``(W+ - W-) / (W+ + W-)`` in [-1, 1]; positive when ``a > b``.
        n: Number of non-zero differences (pairs used by the test).
    """

    statistic: float
    p_value: float
    rank_biserial: float
    n: int


def _task_value(task: Hashable, v: Any, side: str) -> float:
    """Average a per-task entry that is a number or a sequence of per-epoch numbers."""
    arr = np.asarray(v, dtype=np.float64)
    if arr.size == 0:
        raise ValueError(f"{side}[{task!r}] has no values")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{side}[{task!r}] contains NaN or infinite values")
    return float(arr.mean())


def _pair(
    a: Mapping[Hashable, Any] | ArrayLike,
    b: Mapping[Hashable, Any] | ArrayLike,
    ids: Sequence[Hashable] | None,
) -> tuple[NDArray[np.float64], Sequence[Hashable] | None]:
    """Return the paired differences ``a - b`` and optional cluster labels."""
    a_map, b_map = isinstance(a, Mapping), isinstance(b, Mapping)
    if a_map != b_map:
        raise TypeError("a and b must both be mappings or both be sequences")
    if a_map and b_map:
        if ids is not None:
            raise ValueError("ids is only used with sequence inputs; mappings carry their ids")
        common = [k for k in a if k in b]
        if not common:
            unmatched = len(set(a) ^ set(b))
            raise ValueError(
                f"a and b share no task ids: {unmatched} ids unmatched "
                f"({len(a)} in a, {len(b)} in b)"
            )
        with contextlib.suppress(TypeError):  # insertion-order independent when sortable
            common = sorted(common)
        diffs = [_task_value(k, a[k], "a") - _task_value(k, b[k], "b") for k in common]
        return np.asarray(diffs, dtype=np.float64), None
    xa, xb = _as_values(a, "a"), _as_values(b, "b")
    if xa.size != xb.size:
        raise ValueError(f"a and b must have the same length, got {xa.size} and {xb.size}")
    return xa - xb, ids


def _signed_sums(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """The sums ``sum(s_i * v_i)`` over all ``2**len(values)`` sign vectors ``s``."""
    sums = np.zeros(1, dtype=np.float64)
    for v in values:
        sums = np.concatenate((sums + v, sums - v))
    return sums


def sign_flip_test(
    differences: ArrayLike,
    clusters: Sequence[Hashable] | None = None,
    max_units: int = EXACT_MAX_UNITS,
) -> float:
    """Exact two-sided sign-flip (paired permutation) p-value for a mean difference of 0.

    Under the null hypothesis each unit's difference is as likely to have either sign, so
    the p-value is the fraction of the ``2**k`` sign assignments of the ``k`` units whose mean
    difference is at least as far from 0 as the observed one (with a relative tolerance of
    1e-9, so that ties are not lost to rounding). For 0/1 outcomes this is the exact sign
    test (``scipy.stats.binomtest`` on the discordant pairs). Units with a difference of
    exactly 0 do not change the statistic when flipped and are left out of the enumeration
    (the p-value is the same).

    Args:
        differences: Paired differences ``a - b``, one per row.
        clusters: Optional unit label per row (e.g. task id, several epochs per task): the
            rows of a unit flip sign together and the statistic is the mean over rows.
        max_units: Refuse to enumerate more non-zero units than this (``2**k`` grows fast).

    Returns:
        The p-value in (0, 1]; at least ``2 / 2**k`` when the observed difference is not 0.

    Raises:
        ValueError: If the input is empty or not finite, ``clusters`` has the wrong length,
            or more than ``max_units`` units have a non-zero difference.
    """
    d = _as_values(differences, "differences")
    if clusters is not None:
        inv, k = _factorize(clusters, d.size)
        d = np.bincount(inv, weights=d, minlength=k)
    d = d[d != 0.0]
    if d.size > max_units:
        raise ValueError(
            f"{d.size} units have a non-zero difference; the exact test enumerates 2**units "
            f"sign assignments and is limited to {max_units} (use paired_bootstrap)"
        )
    observed = abs(float(d.sum()))
    threshold = observed - 1e-9 * float(np.abs(d).sum())
    if d.size == 0 or threshold <= 0.0:  # every assignment is at least as extreme
        return 1.0
    # Meet in the middle: all signed sums of each half, then count the pairs (left, right)
    # with |left + right| >= threshold by binary search in the sorted right half.
    half = d.size // 2
    left = _signed_sums(d[:half])
    right = np.sort(_signed_sums(d[half:]))
    upper = right.size - np.searchsorted(right, threshold - left, side="left")
    lower = np.searchsorted(right, -threshold - left, side="right")
    count = int(upper.sum() + lower.sum())
    return min(1.0, count / float(2**d.size))


def paired_bootstrap(
    a: Mapping[Hashable, Any] | ArrayLike,
    b: Mapping[Hashable, Any] | ArrayLike,
    ids: Sequence[Hashable] | None = None,
    confidence: float = 0.95,
    n_resamples: int = 5000,
    seed: int | None = 0,
    method: Method = "percentile",
) -> PairedResult:
    """Paired bootstrap of the mean difference ``a - b`` with a two-sided p-value.

    Args:
        a: Mapping task id -> score (or list of per-epoch scores, averaged per task first),
            or a sequence of scores paired with ``b`` by position.
        b: Same form as ``a``. Mappings are paired on the ids present in both.
        ids: Only for sequences: optional cluster label (task id) per position; whole
            tasks are then resampled, as in ``bootstrap_ci(..., clusters=ids)``.
        confidence: Two-sided confidence level in (0, 1).
        n_resamples: Number of bootstrap resamples.
        seed: Seed for ``numpy.random.Generator(PCG64(seed))``.
        method: ``"percentile"`` or ``"bca"`` for the interval.

    Returns:
        A :class:`PairedResult`. The interval is always the bootstrap's. The p-value is
        exact when at most ``EXACT_MAX_UNITS`` units (pairs, or tasks with ``ids``/mappings)
        have a non-zero difference: :func:`sign_flip_test` (``p_method ==
        "sign-flip exact"``; e.g. two pairs of 1 vs 0 give 0.5, eight give 2/256). With
        more units it uses the bootstrap shift method (``p_method == "bootstrap"``): the
        fraction of centred resampled means at least as far from 0 as the observed mean,
        with the ``(1 + count) / (n_resamples + 1)`` correction.

    Raises:
        ValueError: If mappings share no id (the message gives the number unmatched),
            sequences differ in length, inputs are empty or non-finite, or a parameter
            is out of range.
        TypeError: If one input is a mapping and the other is not.
    """
    m = _check_knobs(confidence, n_resamples, method)
    diffs, clusters = _pair(a, b, ids)
    b_count = int(n_resamples)
    est, low, high, deltas, units = _bootstrap_mean(diffs, clusters, confidence, b_count, seed, m)
    unit_diffs = diffs
    if clusters is not None:
        inv, k = _factorize(clusters, diffs.size)
        unit_diffs = np.bincount(inv, weights=diffs, minlength=k)
    if np.count_nonzero(unit_diffs) <= EXACT_MAX_UNITS:
        p, p_method = sign_flip_test(unit_diffs), P_EXACT
    elif units < 2 or est == 0.0:  # nothing to test, or no observed difference at all
        p, p_method = 1.0, P_BOOTSTRAP
    elif deltas is None:  # constant non-zero differences: no resample is as extreme
        p, p_method = 1.0 / (b_count + 1), P_BOOTSTRAP
    else:
        extreme = int(np.count_nonzero(np.abs(deltas) >= abs(est)))
        p, p_method = (1.0 + extreme) / (b_count + 1.0), P_BOOTSTRAP
    return PairedResult(
        mean_diff=est,
        low=low,
        high=high,
        p_value=min(p, 1.0),
        n=int(diffs.size),
        p_method=p_method,
    )


def _as_binary(x: ArrayLike, name: str) -> NDArray[np.bool_]:
    arr = np.asarray(x)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.dtype != np.bool_:
        num = np.asarray(arr, dtype=np.float64)
        if not np.all((num == 0) | (num == 1)):
            raise ValueError(f"{name} must contain only booleans or 0/1")
        arr = num == 1
    return arr


def _binomial_two_sided(k: int, n: int) -> float:
    """Two-sided exact binomial p-value for ``k <= n / 2`` successes of ``n`` at p = 1/2:
    twice the lower tail, at most 1 (the distribution is symmetric). Written out with
    ``math.comb`` so that reports need not import scipy.stats (about a second)."""
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2.0**n
    return min(1.0, 2.0 * tail)


def mcnemar(a_correct: ArrayLike, b_correct: ArrayLike) -> McNemarResult:
    """Exact McNemar test for paired binary outcomes (e.g. per-task pass/fail).

    Args:
        a_correct: Booleans (or 0/1), whether system ``a`` got each item right.
        b_correct: Same for system ``b``, paired by position.

    Returns:
        A :class:`McNemarResult`: the exact two-sided binomial test (p = 1/2) on the
        discordant pairs, as ``scipy.stats.binomtest`` computes it
        (p = 1 when there are none).

    Raises:
        ValueError: If the inputs are empty, differ in length or are not binary.
    """
    xa, xb = _as_binary(a_correct, "a_correct"), _as_binary(b_correct, "b_correct")
    if xa.size != xb.size:
        raise ValueError(f"inputs must have the same length, got {xa.size} and {xb.size}")
    if xa.size == 0:
        raise ValueError("inputs are empty: need at least one pair")
    b01 = int(np.count_nonzero(~xa & xb))
    b10 = int(np.count_nonzero(xa & ~xb))
    n_disc = b01 + b10
    p = 1.0 if n_disc == 0 else _binomial_two_sided(min(b01, b10), n_disc)
    return McNemarResult(b01=b01, b10=b10, p_value=min(p, 1.0), statistic=float(min(b01, b10)))


def wilcoxon(
    a: ArrayLike, b: ArrayLike, zero_method: str = "wilcox", method: str = "auto"
) -> WilcoxonResult:
    """Wilcoxon signed-rank test on paired values with a rank-biserial effect size.

    Args:
        a: Scores of system ``a``.
        b: Scores of system ``b``, paired by position.
        zero_method: Passed to ``scipy.stats.wilcoxon`` (default ``"wilcox"``: drop zeros).
        method: Passed to ``scipy.stats.wilcoxon``: ``"auto"`` (exact for small samples,
            a permutation test for up to 13 pairs with ties or zeros, which can take about
            a second), ``"exact"`` or ``"asymptotic"``.

    Returns:
        A :class:`WilcoxonResult`. The matched-pairs rank-biserial correlation uses the
        ranks of ``|a - b|`` (average ties) after dropping zero differences. All-zero
        differences give p = 1 and effect 0.

    Raises:
        ValueError: If the inputs are empty, non-finite or differ in length.
    """
    xa, xb = _as_values(a, "a"), _as_values(b, "b")
    if xa.size != xb.size:
        raise ValueError(f"a and b must have the same length, got {xa.size} and {xb.size}")
    d = xa - xb
    nz = d[d != 0]
    if nz.size == 0:
        return WilcoxonResult(statistic=0.0, p_value=1.0, rank_biserial=0.0, n=0)
    import scipy.stats  # ~1 s to import: only Wilcoxon needs it

    ranks = scipy.stats.rankdata(np.abs(nz))
    w_plus = float(ranks[nz > 0].sum())
    w_minus = float(ranks[nz < 0].sum())
    r = (w_plus - w_minus) / (w_plus + w_minus)
    res = scipy.stats.wilcoxon(d, zero_method=zero_method, method=method)
    return WilcoxonResult(
        statistic=float(res.statistic),
        p_value=min(float(res.pvalue), 1.0),
        rank_biserial=r,
        n=int(nz.size),
    )
