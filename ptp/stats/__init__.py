"""Statistics for comparing evaluation runs: bootstrap CIs, paired tests (exact sign-flip for
few units), corrections."""

from ._bootstrap import CI, bootstrap_ci
from ._multiple import holm
from ._paired import (
    EXACT_MAX_UNITS,
    P_BOOTSTRAP,
    P_EXACT,
    McNemarResult,
    PairedResult,
    WilcoxonResult,
    mcnemar,
    paired_bootstrap,
    sign_flip_test,
    wilcoxon,
)

__all__ = [
    "CI",
    "EXACT_MAX_UNITS",
    "P_BOOTSTRAP",
    "P_EXACT",
    "McNemarResult",
    "PairedResult",
    "WilcoxonResult",
    "bootstrap_ci",
    "holm",
    "mcnemar",
    "paired_bootstrap",
    "sign_flip_test",
    "wilcoxon",
]
