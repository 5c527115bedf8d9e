"""Paired statistics of two sets of rows (side ``a`` and side ``b``) matched by task id:
the paired bootstrap on scores (exact sign-flip p-value for few tasks), McNemar on correctness,
and Holm across a family of tests (both kinds of p-value in one family)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel

from ptp.report._rows import row_correct, row_score
from ptp.results import EvalRecord
from ptp.stats import holm, mcnemar, paired_bootstrap


class PairedStats(BaseModel):
    """``a - b`` on the tasks both sides ran; the statistics are None when nothing pairs.

    Attributes:
        n_pairs: Tasks present on both sides (the bootstrap's units).
        n_unpaired_a: Tasks only side ``a`` ran (excluded from the test, reported here).
        n_unpaired_b: Tasks only side ``b`` ran.
        mean_a: Mean over paired tasks of side ``a``'s per-task mean score.
        mean_b: Same for side ``b``.
        mean_diff: ``mean_a - mean_b``.
        low: Lower bound of the paired-bootstrap CI of ``mean_diff``.
        high: Upper bound.
        p_value: Two-sided p-value of ``mean_diff`` (see ``p_method``).
        p_method: ``"sign-flip exact"`` (at most 20 tasks with a non-zero difference) or
            ``"bootstrap"`` (the paired bootstrap's shift method).
        p_holm: ``p_value`` after Holm's correction across the family it was tested in.
        n_mcnemar: (task, epoch) pairs used by McNemar.
        mcnemar_b01: Pairs where ``a`` is wrong and ``b`` right.
        mcnemar_b10: Pairs where ``a`` is right and ``b`` wrong.
        p_mcnemar: Exact McNemar p-value on correctness.
        p_mcnemar_holm: ``p_mcnemar`` after Holm's correction in the same family.
    """

    n_pairs: int
    n_unpaired_a: int
    n_unpaired_b: int
    mean_a: float | None = None
    mean_b: float | None = None
    mean_diff: float | None = None
    low: float | None = None
    high: float | None = None
    p_value: float | None = None
    p_method: str | None = None
    p_holm: float | None = None
    n_mcnemar: int = 0
    mcnemar_b01: int = 0
    mcnemar_b10: int = 0
    p_mcnemar: float | None = None
    p_mcnemar_holm: float | None = None


def paired_stats(
    a_rows: Sequence[EvalRecord],
    b_rows: Sequence[EvalRecord],
    *,
    confidence: float,
    n_resamples: int,
    seed: int,
) -> PairedStats:
    """Compare two sets of rows of the same tasks.

    Scores are averaged over epochs per task before pairing (the task is the unit of the
    bootstrap); correctness is paired per (task_id, epoch) for McNemar. Error rows count as
    score 0 / incorrect.

    Args:
        a_rows: Rows of side ``a``.
        b_rows: Rows of side ``b``.
        confidence: CI level.
        n_resamples: Bootstrap resamples.
        seed: Bootstrap seed.

    Returns:
        A :class:`PairedStats` (``p_holm`` unset: see :func:`apply_holm`).
    """
    a_scores: dict[str, list[float]] = defaultdict(list)
    b_scores: dict[str, list[float]] = defaultdict(list)
    for r in a_rows:
        a_scores[r.task_id].append(row_score(r))
    for r in b_rows:
        b_scores[r.task_id].append(row_score(r))
    common = sorted(a_scores.keys() & b_scores.keys())
    out = PairedStats(
        n_pairs=len(common),
        n_unpaired_a=len(a_scores.keys() - b_scores.keys()),
        n_unpaired_b=len(b_scores.keys() - a_scores.keys()),
    )
    if not common:
        return out
    res = paired_bootstrap(
        {t: a_scores[t] for t in common},
        {t: b_scores[t] for t in common},
        confidence=confidence,
        n_resamples=n_resamples,
        seed=seed,
    )
    out.mean_a = sum(sum(a_scores[t]) / len(a_scores[t]) for t in common) / len(common)
    out.mean_b = sum(sum(b_scores[t]) / len(b_scores[t]) for t in common) / len(common)
    out.mean_diff, out.low, out.high = res.mean_diff, res.low, res.high
    out.p_value, out.p_method = res.p_value, res.p_method
    a_correct = {(r.task_id, r.epoch): row_correct(r) for r in a_rows}
    b_correct = {(r.task_id, r.epoch): row_correct(r) for r in b_rows}
    keys = sorted(a_correct.keys() & b_correct.keys())
    if keys:
        mc = mcnemar([a_correct[k] for k in keys], [b_correct[k] for k in keys])
        out.n_mcnemar, out.p_mcnemar = len(keys), mc.p_value
        out.mcnemar_b01, out.mcnemar_b10 = mc.b01, mc.b10
    return out


def apply_holm(family: Sequence[PairedStats]) -> None:
    """Holm-correct every p-value of ``family`` as one family of tests (in place).

    Each comparison contributes up to two tests, the paired test of the scores
    (``p_value`` -> ``p_holm``) and McNemar on correctness (``p_mcnemar`` ->
    ``p_mcnemar_holm``): both are tests of the same comparisons, so a reader scanning either
    column must be protected against the number of p-values on the page. A p-value that is
    None (nothing paired, or a comparison that is not a test) is not part of the family.
    """
    tests = [(s, "p_value", "p_holm") for s in family if s.p_value is not None]
    tests += [(s, "p_mcnemar", "p_mcnemar_holm") for s in family if s.p_mcnemar is not None]
    adjusted = holm([getattr(s, raw) for s, raw, _ in tests])
    for (stats, _, out), value in zip(tests, adjusted, strict=True):
        setattr(stats, out, value)
