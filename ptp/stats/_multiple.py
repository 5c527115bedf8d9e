"""Multiple-comparison corrections."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def holm(pvalues: ArrayLike) -> list[float]:
    """Holm–Bonferroni step-down adjusted p-values.

    Args:
        pvalues: Raw p-values in [0, 1], one per hypothesis.

    Returns:
        Adjusted p-values in the input order: ``max_{j <= i} min(1, (m - j) * p_(j))`` for
        the i-th smallest p-value (0-based ``j``), so they are monotone in the raw
        p-values, never below the raw ones and capped at 1.

    Raises:
        ValueError: If a p-value is NaN or outside [0, 1], or the input is not 1-D.
    """
    p = np.asarray(pvalues, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError(f"pvalues must be one-dimensional, got shape {p.shape}")
    if p.size == 0:
        return []
    if not np.all((p >= 0.0) & (p <= 1.0)):
        raise ValueError("pvalues must lie in [0, 1] (and not be NaN)")
    m = p.size
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(np.maximum.accumulate((m - np.arange(m)) * p[order]), 1.0)
    out = np.empty(m, dtype=np.float64)
    out[order] = adjusted
    return out.tolist()
