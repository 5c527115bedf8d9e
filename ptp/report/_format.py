"""Numbers as table text: one place decides how a mean, an interval, a p-value, a cost, a
latency or a count of reasons reads, so every table and every format agrees."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ptp.report._summary import Estimate

MISSING = "n/a"
STAT_MISSING = "-"  # a statistic no row of the cell has


def number(x: float | None, digits: int = 3, *, signed: bool = False) -> str:
    """``x`` with ``digits`` decimals (``+`` sign when ``signed``); MISSING for None."""
    if x is None:
        return MISSING
    return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"


def interval(mean: float | None, low: float | None, high: float | None, **kw: Any) -> str:
    """``mean [low, high]``."""
    if mean is None:
        return MISSING
    return f"{number(mean, **kw)} [{number(low, **kw)}, {number(high, **kw)}]"


def estimate(e: Estimate, *, ci: bool = True) -> str:
    """An :class:`Estimate` as ``mean [low, high]`` (the mean alone when ``ci`` is False)."""
    return interval(e.mean, e.low, e.high) if ci else number(e.mean)


def p_value(p: float | None) -> str:
    """Three decimals; ``<0.001`` below that; MISSING for None."""
    if p is None:
        return MISSING
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def cost(usd: float | None) -> str:
    """Mean USD per case with three significant digits; MISSING when unknown."""
    if usd is None:
        return MISSING
    return "0" if usd == 0 else f"{usd:.3g}"


def seconds(s: float | None) -> str:
    """Seconds: three decimals below 1 s (replay times are milliseconds), two up to 10 s,
    one above (a recorded model call can take half a minute)."""
    if s is None:
        return MISSING
    return f"{s:.1f}" if s >= 10 else f"{s:.2f}" if s >= 1 else f"{s:.3f}"


def partial(text: str, k: int, n: int) -> str:
    """``text (k/n)`` when only ``k`` of the cell's ``n`` rows had the value."""
    return text if k >= n else f"{text} ({k}/{n})"


def latency(mean: float | None, known: int, n: int) -> str:
    """Mean model latency; ``(k/n)`` when only k rows' latency is known; MISSING for none."""
    return MISSING if mean is None else partial(seconds(mean), known, n)


def stat_entry(e: Estimate | None, n_with: int | None, n: int) -> str:
    """``mean [low, high]``, with ``(k/n)`` when only k of the cell's n rows have the value."""
    if e is None:
        return STAT_MISSING
    # statistics range from rates to token counts: fewer decimals as the magnitude grows
    size = max(abs(e.mean), abs(e.low), abs(e.high))
    text = interval(e.mean, e.low, e.high, digits=0 if size >= 100 else 1 if size >= 10 else 3)
    return text if n_with is None else partial(text, n_with, n)


UNRECORDED = "unrecorded"


def reasons(counts: Mapping[str, int], n: int) -> str:
    """``answered 3, step_limit 5`` (most frequent first), plus ``unrecorded k`` for rows
    without a reason; STAT_MISSING when no row of the cell has one."""
    if not counts:
        return STAT_MISSING
    parts = [f"{name} {k}" for name, k in counts.items()]
    missing = n - sum(counts.values())
    if missing > 0:
        parts.append(f"{UNRECORDED} {missing}")
    return ", ".join(parts)
