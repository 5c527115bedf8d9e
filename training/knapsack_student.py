"""Train a knapsack CodeAct student: LoRA on an embedded model, from expert-policy episodes
recorded in one interpreter regime (``expert:knapsack``: the persistent expert reuses the
variables of earlier blocks, the reset expert writes out what it read).

    python -m training.knapsack_student --regime persistent --out students/knapsack-persistent

The tasks come from the generator (easy difficulty, seed 101; the eval fixtures use seeds
2026 and 2027) and the trainer's seed is fixed. The loss falls on the expert's replies only
(every step of an episode; the observations and prompts are context). Writes the dataset
(``data/``), the adapter and ``training.json`` under ``--out``, and ships the adapter GGUF
that ``local:<base>+knapsack-<regime>`` serves.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from ptp.data import export, read_dataset, record_runs
from ptp.tasks import get_family
from ptp.train import LoraRecipe, chat_template, load_base, train_lora
from ptp.train._gguf import ship_adapter

TRAIN_SEED = 101
REGIMES = ("persistent", "reset")


def build_dataset(out: Path, regime: str, tasks: int) -> Path:
    """Expert episodes in ``regime`` on ``tasks`` generated tasks -> one chat example per
    episode (all its replies) in ``out``."""
    knapsack = get_family("knapsack")
    with tempfile.TemporaryDirectory() as runs:
        record_runs("knapsack", "expert:knapsack",
                    knapsack.generate(tasks, seed=TRAIN_SEED, difficulty="easy"), runs,
                    solver=regime, axis="regime")  # fmt: skip
        shutil.rmtree(out, ignore_errors=True)
        # episodes of one policy share most of their text (prompts, the dynamic program):
        # only exact duplicates are dropped
        export([runs], out, near_threshold=None)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regime", choices=REGIMES, required=True)
    parser.add_argument("--base", default="local:smollm2-135m")
    parser.add_argument("--out", required=True)
    parser.add_argument("--tasks", type=int, default=24, help="expert episodes to train on")
    parser.add_argument("--steps", type=int, default=24)
    parser.add_argument("--r", type=int, default=8)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--continue-from", help="an adapter folder to go on training")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.continue_from and Path(args.continue_from).resolve() == out.resolve():
        parser.error("--continue-from must not be --out (the run rewrites --out)")
    data = build_dataset(out / "data", args.regime, args.tasks)
    examples = read_dataset(data)
    model, tokenizer = load_base(args.base)
    recipe = LoraRecipe(r=args.r, alpha=2 * args.r, steps=args.steps, batch_size=1,
                        learning_rate=args.lr, max_length=3072)  # fmt: skip

    def progress(step: int, loss: float) -> None:
        print(f"step {step} loss {loss:.4f}", flush=True)

    template = chat_template(args.base, tokenizer)
    report = train_lora(examples, model, tokenizer, template, out, recipe, base=args.base,
                        dataset=f"expert:knapsack {args.regime} episodes, {len(examples)} tasks "
                        f"(easy, seed {TRAIN_SEED})", progress=progress,
                        continue_from=args.continue_from)  # fmt: skip
    shutil.rmtree(out / "checkpoints", ignore_errors=True)
    target = ship_adapter(f"{args.base}+knapsack-{args.regime}", out, report)
    print(f"{report.summary_line()}; adapter {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
