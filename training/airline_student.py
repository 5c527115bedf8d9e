"""Train the airline extraction student: LoRA on an embedded model, from expert-policy L1
traces (its ``extract_header`` and ``extract_item`` calls; the replies are the generator's
facts as written, labelled "expert policy (generator facts)").

    python -m training.airline_student --base local:smollm2-135m --out students/x

The tasks come from the generator (seed 101, complexity 0-2, template and paraphrase) and
the trainer's seed is fixed (re-running it has not been compared bit for bit). Writes the dataset
(``data/``), the adapter and ``training.json`` (losses, tokens/s) under ``--out``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from ptp.data import export, read_dataset, record_runs
from ptp.tasks import get_family
from ptp.train import LoraRecipe, TrainReport, chat_template, load_base, train_lora
from ptp.train._gguf import ship_adapter

TRAIN_SEED = 101  # the eval fixtures use seeds 2026 (grids) and 7 (distillation)


def training_tasks(per_cell: int) -> list:
    airline = get_family("airline")
    cells = [(c, style) for c in (0, 1, 2) for style in ("template", "paraphrase")]
    return [
        t
        for c, style in cells
        for t in airline.generate(per_cell, seed=TRAIN_SEED, complexity=c, style=style)
    ]


def build_dataset(out: Path, per_cell: int) -> Path:
    """Expert L1 runs on the training tasks -> their ptool calls (one header and one call
    per item a task) as examples in ``out``."""
    with tempfile.TemporaryDirectory() as runs:
        record_runs("airline", "expert:airline", training_tasks(per_cell), runs, solver="L1")
        shutil.rmtree(out, ignore_errors=True)
        export([runs], out, ptools=["extract_header", "extract_item"])
    return out


def export_adapter(base: str, out: Path, report: TrainReport | None = None) -> int:
    """The adapter in ``out`` as the GGUF that ``local:<base>+airline-extract`` serves (with
    the run's report beside it when given)."""
    target = ship_adapter(f"{base}+airline-extract", out, report)
    print(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB) for {base}+airline-extract")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="local:smollm2-135m")
    parser.add_argument("--out", required=True)
    parser.add_argument("--per-cell", type=int, default=10, help="tasks per complexity x style")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--r", type=int, default=8)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--continue-from", help="an adapter folder to go on training")
    parser.add_argument(
        "--export-adapter", action="store_true",
        help="only convert the adapter in --out to llama.cpp's GGUF and ship it in ptp/models",
    )  # fmt: skip
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.export_adapter:
        return export_adapter(args.base, out)
    if args.continue_from and Path(args.continue_from).resolve() == out.resolve():
        parser.error("--continue-from must not be --out (the run rewrites --out)")
    data = build_dataset(out / "data", args.per_cell)
    examples = read_dataset(data)
    model, tokenizer = load_base(args.base)
    recipe = LoraRecipe(r=args.r, alpha=2 * args.r, steps=args.steps, batch_size=8,
                        learning_rate=args.lr, max_length=1024)  # fmt: skip

    def progress(step: int, loss: float) -> None:
        print(f"step {step} loss {loss:.4f}", flush=True)

    template = chat_template(args.base, tokenizer)
    report = train_lora(examples, model, tokenizer, template, out, recipe, base=args.base,
                        dataset=f"expert:airline L1 ptool calls (generator facts), "
                        f"{6 * args.per_cell} tasks (complexity 0-2, template and paraphrase, "
                        f"seed {TRAIN_SEED})", progress=progress,
                        continue_from=args.continue_from)  # fmt: skip
    shutil.rmtree(out / "checkpoints", ignore_errors=True)
    export_adapter(args.base, out, report)
    print(f"{report.summary_line()}; adapter in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
