"""Bootstrap confidence intervals for the mean, optionally resampling clusters (tasks)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

Method = Literal["percentile", "bca"]

_METHODS = ("percentile", "bca")
# Upper bound on the number of indices drawn at once (rows x resamples in one chunk): ~8 MiB.
_CHUNK_ELEMENTS = 1 << 20
# Resample unit types by multinomial counts when there are at most k / _TYPES_RATIO types.
_TYPES_RATIO = 32


@dataclass(frozen=True, slots=True)
class CI:
    """A bootstrap confidence interval for a mean.

    Attributes:
        estimate: The observed mean (over all rows, also when clusters are given).
        low: Lower bound of the interval.
        high: Upper bound of the interval.
        confidence: Two-sided confidence level, e.g. 0.95.
        n: Number of rows (values).
        n_resamples: Number of bootstrap resamples drawn.
        method: ``"percentile"`` or ``"bca"``.
    """

    estimate: float
    low: float
    high: float
    confidence: float
    n: int
    n_resamples: int
    method: str


def _as_values(values: ArrayLike, name: str = "values") -> NDArray[np.float64]:
    """Convert ``values`` to a finite, non-empty 1-D float64 array or raise ValueError."""
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {x.shape}")
    if x.size == 0:
        raise ValueError(f"{name} is empty: need at least one value to bootstrap")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def _check_knobs(confidence: float, n_resamples: int, method: str) -> str:
    """Validate the common bootstrap parameters; return the normalised method name."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    if int(n_resamples) != n_resamples or n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive integer, got {n_resamples!r}")
    m = str(method).lower()
    if m not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    return m


def _factorize(labels: Sequence[Hashable], n: int) -> tuple[NDArray[np.intp], int]:
    """Map labels to codes 0..k-1 in order of first appearance."""
    if len(labels) != n:
        raise ValueError(f"clusters has length {len(labels)} but there are {n} values")
    codes: dict[Hashable, int] = {}
    inv = np.fromiter((codes.setdefault(lab, len(codes)) for lab in labels), dtype=np.intp, count=n)
    return inv, len(codes)


def _group(
    x: NDArray[np.float64], theta_hat: float, clusters: Sequence[Hashable] | None
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
    """Per-unit sums of deviations from ``theta_hat`` and unit sizes (None: all size 1).

    Working with deviations keeps resampled means exact for constant units and avoids
    cancellation in the jackknife.
    """
    dev = x - theta_hat
    if clusters is None:
        return dev, None
    inv, k = _factorize(clusters, x.size)
    sums = np.bincount(inv, weights=dev, minlength=k)
    sizes = np.bincount(inv, minlength=k).astype(np.float64)
    return sums, sizes


def _unit_types(
    per_unit: NDArray[np.float64], sizes: NDArray[np.float64] | None
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None, NDArray[np.float64]]:
    """Distinct (value, size) unit types, their sizes (None: all 1) and frequencies."""
    if sizes is None:
        vals, counts = np.unique(per_unit, return_counts=True)
        return vals, None, counts / per_unit.size
    pairs, counts = np.unique(np.column_stack((per_unit, sizes)), axis=0, return_counts=True)
    return pairs[:, 0], pairs[:, 1], counts / per_unit.size


def _resample_deltas(
    dev: NDArray[np.float64],
    sizes: NDArray[np.float64] | None,
    n_resamples: int,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Bootstrap distribution of (resampled mean - observed mean), resampling units.

    Each resample draws ``k`` units with replacement; its mean is
    ``sum(unit deviation sums) / sum(unit sizes)``. Work is done in chunks so that memory
    stays bounded. When the units take few distinct values (e.g. pass/fail scores), the
    number of draws of each distinct unit type is sampled directly from the equivalent
    multinomial distribution, which is exact and much faster.
    """
    k = dev.size
    per_unit = dev
    if sizes is not None and np.all(sizes == sizes[0]):
        per_unit, sizes = dev / sizes[0], None  # equal sizes: mean of unit means
    vals, tsizes, freq = _unit_types(per_unit, sizes)
    use_types = vals.size * _TYPES_RATIO <= k
    width = vals.size if use_types else k
    out = np.empty(n_resamples, dtype=np.float64)
    chunk = max(1, min(n_resamples, _CHUNK_ELEMENTS // width))
    for start in range(0, n_resamples, chunk):
        c = min(chunk, n_resamples - start)
        sl = slice(start, start + c)
        if use_types:
            counts = rng.multinomial(k, freq, size=c).astype(np.float64)
            if tsizes is None:
                out[sl] = counts @ vals / k
            else:
                out[sl] = (counts @ vals) / (counts @ tsizes)
            continue
        idx = rng.integers(0, k, size=(c, k))
        if sizes is None:
            out[sl] = per_unit.take(idx).mean(axis=1)
        else:
            out[sl] = per_unit.take(idx).sum(axis=1) / sizes.take(idx).sum(axis=1)
    return out


def _acceleration(dev: NDArray[np.float64], sizes: NDArray[np.float64] | None) -> float:
    """BCa acceleration from the jackknife (leave one unit out) of the mean."""
    k = dev.size
    if k < 2:
        return 0.0
    total = float(k) if sizes is None else float(sizes.sum())
    leave_out = 1.0 if sizes is None else sizes
    # theta_(j) - theta_hat for leaving unit j out.
    theta_j = -dev / (total - leave_out)
    u = theta_j.mean() - theta_j
    # a is scale-free: rescale u so that tiny spreads (1e-117) do not underflow den**1.5
    peak = float(np.max(np.abs(u)))
    if not peak > 0.0 or not np.isfinite(peak):
        return 0.0
    u = u / peak
    den = float(np.sum(u * u))
    a = float(np.sum(u**3)) / (6.0 * den**1.5)
    return a if np.isfinite(a) else 0.0


def _interval(
    deltas: NDArray[np.float64],
    theta_hat: float,
    dev: NDArray[np.float64],
    sizes: NDArray[np.float64] | None,
    confidence: float,
    method: str,
    scale: float,
) -> tuple[float, float]:
    """Percentile or BCa interval from the bootstrap deltas (resampled - observed)."""
    alpha = (1.0 - confidence) / 2.0
    levels = np.array([alpha, 1.0 - alpha])
    if method == "bca":
        # imported here: ~0.3 s, paid by every pytest worker that collects the evals
        from scipy.special import ndtr, ndtri

        b = deltas.size
        # Ties within rounding error of the observed value count as ties (mid-rank), so that
        # a degenerate bootstrap distribution gives z0 = 0 rather than +-inf.
        tol = 64.0 * np.finfo(np.float64).eps * scale
        below = np.count_nonzero(deltas < -tol)
        at_or_below = np.count_nonzero(deltas <= tol)
        frac = (below + at_or_below) / (2.0 * b)
        frac = min(max(frac, 0.5 / b), 1.0 - 0.5 / b)
        z0 = float(ndtri(frac))
        a = _acceleration(dev, sizes)
        w = z0 + ndtri(levels)
        denom = 1.0 - a * w
        with np.errstate(divide="ignore", invalid="ignore"):
            adj = ndtr(z0 + w / denom)
        # Beyond the pole of the BCa transform the adjusted level tends to 0 or 1.
        levels = np.where(denom > 0.0, adj, np.where(w > 0.0, 1.0, 0.0))
        levels = np.clip(np.nan_to_num(levels, nan=0.5), 0.0, 1.0)
    lo, hi = np.quantile(deltas, levels)
    lo, hi = min(lo, hi), max(lo, hi)
    return theta_hat + float(lo), theta_hat + float(hi)


def _bootstrap_mean(
    x: NDArray[np.float64],
    clusters: Sequence[Hashable] | None,
    confidence: float,
    n_resamples: int,
    seed: int | None,
    method: str,
) -> tuple[float, float, float, NDArray[np.float64] | None, int]:
    """Shared engine: (estimate, low, high, deltas, number of resampled units).

    ``deltas`` is None when every resample would equal the estimate (constant data or a
    single unit); the interval then has zero width.
    """
    theta_hat = float(x.mean())
    if x.min() == x.max():
        c = float(x[0])
        k = x.size if clusters is None else _factorize(clusters, x.size)[1]
        return c, c, c, None, k
    dev, sizes = _group(x, theta_hat, clusters)
    if dev.size < 2:  # a single cluster: every resample is the full data
        return theta_hat, theta_hat, theta_hat, None, dev.size
    rng = np.random.Generator(np.random.PCG64(seed))
    deltas = _resample_deltas(dev, sizes, n_resamples, rng)
    scale = max(abs(theta_hat), float(np.max(np.abs(x))))
    low, high = _interval(deltas, theta_hat, dev, sizes, confidence, method, scale)
    return theta_hat, low, high, deltas, dev.size


def bootstrap_ci(
    values: ArrayLike,
    confidence: float = 0.95,
    n_resamples: int = 5000,
    seed: int | None = 0,
    method: Method = "percentile",
    clusters: Sequence[Hashable] | None = None,
) -> CI:
    """Bootstrap confidence interval for the mean of ``values``.

    Args:
        values: 1-D numeric values (e.g. per-sample scores); booleans count as 0/1.
        confidence: Two-sided confidence level in (0, 1).
        n_resamples: Number of bootstrap resamples.
        seed: Seed for ``numpy.random.Generator(PCG64(seed))``; same seed, same result.
        method: ``"percentile"`` or ``"bca"`` (bias-corrected and accelerated).
        clusters: Optional cluster label per value (e.g. task id, with several epochs per
            task). When given, whole clusters are resampled and each resample's statistic
            is the mean of its rows (sum of cluster sums / sum of cluster sizes); the BCa
            acceleration is then a jackknife over clusters.

    Returns:
        A :class:`CI`. Constant input gives a zero-width interval at the constant.

    Raises:
        ValueError: If ``values`` is empty, not 1-D or not finite, ``clusters`` has the
            wrong length, or a parameter is out of range.
    """
    m = _check_knobs(confidence, n_resamples, method)
    x = _as_values(values)
    est, low, high, _, _ = _bootstrap_mean(x, clusters, confidence, int(n_resamples), seed, m)
    return CI(
        estimate=est,
        low=low,
        high=high,
        confidence=float(confidence),
        n=int(x.size),
        n_resamples=int(n_resamples),
        method=m,
    )
