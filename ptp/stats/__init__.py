"""Statistics for comparing evaluation runs: bootstrap CIs, paired tests, corrections."""

from ._bootstrap import CI, bootstrap_ci
from ._multiple import holm
from ._paired import (
    McNemarResult,
    PairedResult,
    WilcoxonResult,
    mcnemar,
    paired_bootstrap,
    wilcoxon,
)

__all__ = [
    "CI",
    "McNemarResult",
    "PairedResult",
    "WilcoxonResult",
    "bootstrap_ci",
    "holm",
    "mcnemar",
    "paired_bootstrap",
    "wilcoxon",
]
