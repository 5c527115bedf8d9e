"""Train the router over the two shipped knapsack students and ship it: the persistent- and
reset-trained SmolLM2 students (their adapter GGUFs converted back to peft) and a router
trained on expert episodes of both regimes.

    python -m training.knapsack_router --out students/knapsack-router

The router's data: ``expert:knapsack`` episodes (easy, generator seed 303; the students
trained on seed 101), 12 per regime, each cut after its second reply, the first block where
the regimes' experts write different code (``seen = {...}`` vs ``print({...})``); the regime
is named by the system prompt only. Held out: 8 episodes per regime of seed 2026, on which
the run measures each student's reply NLL and the router's choice (``held_out.json``).
Ships ``router.pt`` and its report as ``ptp/models/adapters/knapsack-router-smollm2.*``,
which ``local:smollm2-135m+knapsack-routed`` serves in front of the two students.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from statistics import fmean
from typing import Any

from ptp.data import ChatExample, read_dataset
from ptp.train import RouterRecipe, chat_template, load_base, train_router
from ptp.train._router import ROUTER_FILE, ROUTER_REPORT, STUDENTS
from training.knapsack_student import build_dataset

BASE = "local:smollm2-135m"
REGIMES = ("persistent", "reset")  # student a, student b
ROUTER_SEED, HELD_OUT_SEED = 303, 2026
RECIPE = RouterRecipe(steps=60, batch_size=8, learning_rate=5e-2, max_length=2048)


def regime_examples(root: Path, seed: int, tasks: int) -> list[ChatExample]:
    """Expert episodes in both regimes (generator ``seed``), each cut after its second reply,
    labelled with their regime as ``metadata.teacher``."""
    examples = []
    for regime in REGIMES:
        for ex in read_dataset(build_dataset(root / f"{regime}-{seed}", regime, tasks, seed)):
            replies = [i for i, m in enumerate(ex.messages) if m.get("weight") == 1]
            meta = ex.metadata.model_copy(update={"teacher": regime})
            examples.append(ex.model_copy(update={"messages": ex.messages[: replies[1] + 1],
                                                  "metadata": meta}))  # fmt: skip
    return examples


def train_and_measure(out: Path, recipe: RouterRecipe = RECIPE) -> dict[str, Any]:
    """Train the router into ``out`` and measure it on the held-out episodes; returns (and
    writes as ``out/held_out.json``) the router's report and the per-episode figures."""
    from ptp.models._local import adapter_file
    from ptp.train._gguf import gguf_to_adapter

    base, tokenizer = load_base(BASE)
    template = chat_template(BASE, tokenizer)
    name = BASE.removeprefix("local:")
    adapters = tuple(gguf_to_adapter(adapter_file(f"{name}+knapsack-{r}"), base, out / r)
                     for r in REGIMES)  # fmt: skip
    train = regime_examples(out / "data", ROUTER_SEED, 12)
    held_out = regime_examples(out / "data", HELD_OUT_SEED, 8)
    routed, report = train_router(train, base, tokenizer, template, adapters, out, recipe)
    own = dict(zip(REGIMES, STUDENTS, strict=True))
    rows = []
    for ex in held_out:
        route = routed.route(ex)
        rows.append({"task": ex.metadata.task_id, "regime": ex.metadata.teacher,
                     "nll": {s: routed.reply_nll(ex, s) for s in STUDENTS}, "route": route,
                     "chosen": max(route, key=route.__getitem__)})  # fmt: skip
    summary = {
        "router": report.model_dump(),
        "students": {s: f"{BASE}+knapsack-{r}" for r, s in own.items()},
        "held_out": rows,
        "routed_to_own_student": sum(r["chosen"] == own[r["regime"]] for r in rows),
        "own_student_better": sum(
            r["nll"][own[r["regime"]]] == min(r["nll"].values()) for r in rows
        ),
        "mean_nll": {
            "routed": fmean(r["nll"][r["chosen"]] for r in rows),
            **{f"always {g}": fmean(r["nll"][s] for r in rows) for g, s in own.items()},
        },
    }
    (out / "held_out.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def ship(out: Path) -> Path:
    """Copy the router and its held-out report next to the students' adapters."""
    from ptp.models._local import router_file

    target = router_file(f"{BASE.removeprefix('local:')}+knapsack-routed")
    shutil.copyfile(out / ROUTER_FILE, target)
    report = json.loads((out / "held_out.json").read_text(encoding="utf-8"))
    report["training"] = json.loads((out / ROUTER_REPORT).read_text(encoding="utf-8"))
    target.with_suffix(".training.json").write_text(json.dumps(report, indent=1) + "\n",
                                                    encoding="utf-8")  # fmt: skip
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    out = Path(args.out)
    summary = train_and_measure(out)
    target = ship(out)
    nll = summary["mean_nll"]
    print(f"wrote {target}; {summary['routed_to_own_student']}/{len(summary['held_out'])} "
          f"held-out episodes routed to their regime's student; mean reply NLL routed "
          f"{nll['routed']:.3f}, always persistent {nll['always persistent']:.3f}, always "
          f"reset {nll['always reset']:.3f}; {summary['router']['seconds']:.0f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
