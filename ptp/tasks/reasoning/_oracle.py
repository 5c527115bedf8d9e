"""Oracle over styles vs the best single style, and how often styles agree, from a run's
result rows (``results.jsonl`` of ``evals/test_reasoning.py``).

The oracle solves a question when any style does: the ceiling a router that picks the
right style per question could reach. Only questions that every style answered count, so
the oracle and each style are measured on the same questions.

    python -m ptp.tasks.reasoning results/<run>      # a markdown table per dataset x model
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from ptp.results import EvalRecord
from ptp.stats import CI, bootstrap_ci

__all__ = ["OracleRow", "oracle_markdown", "oracle_rows"]


@dataclass(frozen=True)
class OracleRow:
    """One dataset x model.

    Attributes:
        dataset, model: the cell.
        questions: questions every style answered (the ones counted).
        accuracy: style -> share right.
        best_style: the style with the highest accuracy (first in order on ties).
        best: its accuracy with a bootstrap CI over questions.
        oracle: the share that some style got right, with a bootstrap CI.
        agreement: style -> mean share of questions on which its answer equals another
            style's (over the other styles; unread answers never agree).
    """

    dataset: str
    model: str
    questions: int
    accuracy: dict[str, float]
    best_style: str
    best: CI
    oracle: CI
    agreement: dict[str, float]

    @property
    def gain(self) -> float:
        """Oracle minus best single style (points of accuracy a per-question router could add)."""
        return self.oracle.estimate - self.best.estimate


def oracle_rows(
    records: Iterable[EvalRecord],
    suite: str = "reasoning",
    exclude: Sequence[str] = ("reference",),
    n_resamples: int = 2000,
    seed: int = 0,
) -> list[OracleRow]:
    """Per dataset x model of ``suite``'s rows (without harness errors): each style's
    accuracy, the best style, the oracle over styles and answer agreement.

    Args:
        records: result rows (``ptp.results.read_results``).
        suite: the grid's suite name.
        exclude: style values that are not styles (the reference solver).
        n_resamples, seed: for the bootstrap CIs.
    """
    cells: dict[tuple[str, str], dict[str, dict[str, EvalRecord]]] = defaultdict(dict)
    for r in records:
        style = r.axes.get("style")
        if r.suite != suite or not r.ok or style is None or style in exclude:
            continue
        key = (r.axes.get("dataset", ""), r.model)
        cells[key].setdefault(style, {})[r.task_id] = r
    rows = []
    for (dataset, model), by_style in sorted(cells.items()):
        styles = list(by_style)
        common = sorted(set.intersection(*(set(v) for v in by_style.values())))
        if not common:
            continue
        right = {s: [by_style[s][t].correct for t in common] for s in styles}
        accuracy = {s: sum(v) / len(v) for s, v in right.items()}
        best_style = max(styles, key=lambda s: accuracy[s])
        oracle = [any(right[s][i] for s in styles) for i in range(len(common))]
        rows.append(
            OracleRow(
                dataset=dataset,
                model=model,
                questions=len(common),
                accuracy=accuracy,
                best_style=best_style,
                best=bootstrap_ci(right[best_style], n_resamples=n_resamples, seed=seed),
                oracle=bootstrap_ci(oracle, n_resamples=n_resamples, seed=seed),
                agreement=_agreement(by_style, styles, common),
            )
        )
    return rows


def _agreement(
    by_style: dict[str, dict[str, EvalRecord]], styles: list[str], tasks: list[str]
) -> dict[str, float]:
    if len(styles) < 2:
        return {s: 1.0 for s in styles}
    pair: dict[tuple[str, str], float] = {}
    for a, b in combinations(styles, 2):
        same = [
            by_style[a][t].answer is not None and by_style[a][t].answer == by_style[b][t].answer
            for t in tasks
        ]
        pair[(a, b)] = pair[(b, a)] = sum(same) / len(same)
    return {s: sum(pair[(s, o)] for o in styles if o != s) / (len(styles) - 1) for s in styles}


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _ci(ci: CI) -> str:
    return f"{_pct(ci.estimate)} [{_pct(ci.low)}, {_pct(ci.high)}]"


def oracle_markdown(rows: Sequence[OracleRow]) -> str:
    """A markdown table: per dataset x model, the questions, the best style with its
    accuracy and CI, the oracle with its CI, the gain; then each style's accuracy and
    agreement."""
    if not rows:
        return "No reasoning rows with styles (nothing recorded yet?).\n"
    lines = [
        "| dataset | model | questions | best style | best | oracle over styles | gain |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.dataset} | {r.model} | {r.questions} | {r.best_style} | {_ci(r.best)} | "
            f"{_ci(r.oracle)} | {100 * r.gain:+.0f} pts |"
        )
    lines += [
        "",
        "| dataset | model | style | accuracy | answer agreement |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        for style, acc in r.accuracy.items():
            lines.append(
                f"| {r.dataset} | {r.model} | {style} | {_pct(acc)} | {_pct(r.agreement[style])} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ptp.tasks.reasoning RESULTS [--suite NAME]``: print :func:`oracle_markdown`."""
    import argparse

    from ptp.results import read_results

    parser = argparse.ArgumentParser(
        prog="python -m ptp.tasks.reasoning",
        description="Oracle over reasoning styles vs the best single style, from a results dir.",
    )
    parser.add_argument("results", help="a results directory or its results.jsonl")
    parser.add_argument("--suite", default="reasoning")
    args: Any = parser.parse_args(argv)
    print(oracle_markdown(oracle_rows(read_results(args.results), suite=args.suite)), end="")
    return 0
