"""What the student training scripts share: their common options and the run itself (load
the base, train a LoRA adapter, ship it as the GGUF its ``local:<base>+<name>`` spec serves,
with the run's report)."""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Sequence
from pathlib import Path

from ptp.data import ChatExample
from ptp.train import LoraRecipe, TrainReport, chat_template, load_base, train_lora
from ptp.train._gguf import ship_adapter


def student_parser(description: str, *, steps: int, lr: float) -> argparse.ArgumentParser:
    """A parser with the options every student script takes (its own defaults for steps
    and learning rate); a script adds its data options."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--base", default="local:smollm2-135m")
    parser.add_argument("--out", required=True)
    parser.add_argument("--steps", type=int, default=steps)
    parser.add_argument("--r", type=int, default=8)
    parser.add_argument("--lr", type=float, default=lr)
    parser.add_argument("--continue-from", help="an adapter folder to go on training")
    return parser


def parse_student_args(
    parser: argparse.ArgumentParser, argv: list[str] | None
) -> argparse.Namespace:
    """Parse ``argv``; refuses ``--continue-from`` equal to ``--out`` (the run rewrites it)."""
    args = parser.parse_args(argv)
    if args.continue_from and Path(args.continue_from).resolve() == Path(args.out).resolve():
        parser.error("--continue-from must not be --out (the run rewrites --out)")
    return args


def train_and_ship(
    args: argparse.Namespace, examples: Sequence[ChatExample], student: str, dataset: str, *,
    batch_size: int, max_length: int,
) -> TrainReport:  # fmt: skip
    """Train on ``examples`` with the parsed options, save the adapter in ``--out`` and ship
    it as ``local:<base>+<student>``; prints each step's loss and a summary line."""
    model, tokenizer = load_base(args.base)
    recipe = LoraRecipe(r=args.r, alpha=2 * args.r, steps=args.steps, batch_size=batch_size,
                        learning_rate=args.lr, max_length=max_length)  # fmt: skip

    def progress(step: int, loss: float) -> None:
        print(f"step {step} loss {loss:.4f}", flush=True)

    out = Path(args.out)
    report = train_lora(examples, model, tokenizer, chat_template(args.base, tokenizer), out,
                        recipe, base=args.base, dataset=dataset, progress=progress,
                        continue_from=args.continue_from)  # fmt: skip
    shutil.rmtree(out / "checkpoints", ignore_errors=True)
    target = ship_adapter(f"{args.base}+{student}", out, report)
    print(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB); {report.summary_line()}")
    return report
