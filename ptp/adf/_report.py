"""``ptp adf report RUN``: coverage, acceptance and discard reasons, score distributions,
refinement gains, reviewer agreement with the environments' own checks, a plot, and a QA
sample of transcripts."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from ptp.data import load_manifest

from ._item import ItemRow, RoundRecord
from ._run import read_items
from ._trace import render_transcript

__all__ = ["Agreement", "agreement", "report"]


class Agreement:
    """How often the reviewer's pass (score >= threshold) matches environment success, over
    rounds that have both; precision/recall of "pass" as a predictor of success."""

    def __init__(self, rounds: Sequence[RoundRecord], threshold: float) -> None:
        pairs = [(r.review.score >= threshold, r.success) for r in rounds if r.review is not None]
        self.n = len(pairs)
        self.tp = sum(p and s for p, s in pairs)
        self.fp = sum(p and not s for p, s in pairs)
        self.fn = sum(not p and s for p, s in pairs)
        self.tn = sum(not p and not s for p, s in pairs)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def accuracy(self) -> float | None:
        return (self.tp + self.tn) / self.n if self.n else None


def agreement(rows: Sequence[ItemRow], threshold: float) -> Agreement:
    return Agreement([r for row in rows for r in row.rounds], threshold)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def _scenario_rows(rows: Sequence[ItemRow], threshold: float) -> list[list[object]]:
    groups: dict[tuple[str, str, str], list[ItemRow]] = defaultdict(list)
    for row in rows:
        groups[(row.family, row.scenario, row.difficulty)].append(row)
    out = []
    for (family, scenario, difficulty), group in sorted(groups.items()):
        accepted = [r for r in group if r.status == "accepted"]
        first_fail = [r for r in group if not r.rounds or not _round_ok(r.rounds[0], threshold)]
        gained = sum(r.status == "accepted" for r in first_fail)
        reviews = [r.rounds[-1].review.score for r in group if r.rounds[-1].review]
        cost = [c for r in group for r in r.rounds for c in (r.cost_usd, r.review_cost_usd)]
        known = None if any(c is None for c in cost) else sum(c or 0.0 for c in cost)
        out.append([
            family, scenario, difficulty, len(group), len(accepted),
            _fmt(len(accepted) / len(group)),
            _fmt(sum(r.rounds[-1].success for r in group) / len(group)),
            _fmt(sum(reviews) / len(reviews) if reviews else None),
            _fmt(sum(len(r.rounds) for r in group) / len(group)),
            f"{gained}/{len(first_fail)}",
            f"{sum(r.tokens for r in group) / len(accepted):,.0f}" if accepted else "n/a",
            _fmt(known / len(accepted), 4) if accepted and known is not None else "n/a",
        ])  # fmt: skip
    return out


def _round_ok(record: RoundRecord, threshold: float) -> bool:
    """Whether a round would have been accepted."""
    review = record.review
    return (
        record.success
        and record.passed_validators
        and bool(review)
        and (review is not None and review.score >= threshold)
    )


def _plot(rows: Sequence[ItemRow], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    by_scenario: dict[str, list[ItemRow]] = defaultdict(list)
    for row in rows:
        by_scenario[f"{row.family}/{row.scenario}"].append(row)
    names = sorted(by_scenario)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    rates = [
        sum(r.status == "accepted" for r in by_scenario[n]) / len(by_scenario[n]) for n in names
    ]
    left.barh(names, rates, color="tab:blue")
    left.set_xlim(0, 1)
    left.set_xlabel("acceptance rate")
    left.set_title("Accepted items per scenario")
    first = [r.rounds[0].review.score for r in rows if r.rounds[0].review]
    last = [r.rounds[-1].review.score for r in rows if r.rounds[-1].review]
    bins = [i / 10 for i in range(11)]
    right.hist([first, last], bins=bins, label=["first round", "last round"])
    right.set_xlabel("reviewer rubric score")
    right.set_ylabel("items")
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    right.set_title("Rubric scores before and after refinement")
    right.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def report(folder: str | Path, *, qa: int = 3, threshold: float | None = None,
           plot: bool = True, seed: int = 0) -> str:  # fmt: skip
    """The run's report as markdown; the plot is written to ``folder/report/adf.png``."""
    import yaml

    folder = Path(folder)
    rows = read_items(folder)
    if not rows:
        return f"{folder}: no items yet"
    if threshold is None:
        config = yaml.safe_load((folder / "config.yaml").read_text(encoding="utf-8"))
        threshold = float(config["review_flow"]["threshold"])
    accepted = [r for r in rows if r.status == "accepted"]
    lines = [
        f"# ADF run {folder.name}",
        "",
        f"{len(rows)} items, {len(accepted)} accepted ({len(accepted) / len(rows):.0%}), "
        f"{len(rows) - len(accepted)} discarded; teachers: "
        + ", ".join(f"{k} {v}" for k, v in Counter(r.teacher or "(none)" for r in rows).items()),
        "",
        "## Scenarios",
        "",
        *_table(
            [
                "family",
                "scenario",
                "difficulty",
                "items",
                "accepted",
                "rate",
                "env success",
                "rubric",
                "rounds",
                "gained by refining",
                "tokens / accepted",
                "USD / accepted",
            ],
            _scenario_rows(rows, threshold),
        ),
        "",
        "## Coverage by capability",
        "",
    ]
    capabilities: dict[str, list[ItemRow]] = defaultdict(list)
    for row in rows:
        for capability in row.capabilities or ["(none)"]:
            capabilities[capability].append(row)
    lines += _table(["capability", "items", "accepted"], [
        [name, len(group), sum(r.status == "accepted" for r in group)]
        for name, group in sorted(capabilities.items())
    ])  # fmt: skip
    reasons = Counter(r.reason.split(":")[0] for r in rows if r.status != "accepted")
    lines += ["", "## Discard reasons", ""]
    lines += _table(["validator", "items", "example"], [
        [name, count, next(r.reason for r in rows if r.reason.startswith(name))[:90]]
        for name, count in reasons.most_common()
    ]) if reasons else ["none"]  # fmt: skip
    agree = agreement(rows, threshold)
    lines += [
        "",
        "## Reviewer vs the environments' checks",
        "",
        f"{agree.n} reviewed rounds; reviewer pass = rubric score >= {threshold:g}. "
        f"Precision {_fmt(agree.precision)} (passed and succeeded / passed), recall "
        f"{_fmt(agree.recall)} (passed and succeeded / succeeded), agreement "
        f"{_fmt(agree.accuracy)}; tp {agree.tp}, fp {agree.fp}, fn {agree.fn}, tn {agree.tn}.",
    ]
    manifest_path = folder / "dataset" / "manifest.json"
    if manifest_path.exists():
        manifest = load_manifest(folder / "dataset")
        dropped = ", ".join(f"{k} {v}" for k, v in manifest.dropped.items()) or "none"
        lines += ["", "## Dataset", "",
                  f"{manifest.rows} examples in {len(manifest.shards)} {manifest.format} "
                  f"shard(s); dropped by the writer: {dropped}."]  # fmt: skip
    if plot:
        path = _plot(rows, folder / "report" / "adf.png")
        lines += ["", f"Plot: {path}"]
    sample = random.Random(seed).sample(rows, min(qa, len(rows)))
    if sample:
        lines += ["", f"## QA sample ({len(sample)} of {len(rows)}, seed {seed})"]
    for row in sample:
        last = row.rounds[-1]
        why = f" ({row.reason})" if row.reason else ""
        lines += ["", f"### {row.task_id}: {row.status}{why}",
                  f"teacher {row.teacher or '-'}, rounds {len(row.rounds)}, environment "
                  f"{'success' if last.success else 'failure'}, rubric "
                  f"{_fmt(last.review.score) if last.review else 'n/a'}", "", "```"]  # fmt: skip
        lines += [render_transcript(last.trace) if last.trace else "(no run)", "```"]
    return "\n".join(lines)
