"""Train a student for the shipped distilled airline workflow's ptools
(``workflows/airline_expert.py``: ``read_header``, ``read_item``): LoRA on an embedded model,
on the calls that the workflow makes on training tasks, answered with the exact readings
(the values the expert teacher's own tool calls used, as written; ``ptp.distill.ptool_examples``).

    python -m training.distilled_student --base local:smollm2-135m --out students/x \\
        --continue-from students/airline-extract

Traces -> workflow -> student: the teacher's L3 runs on training tasks (seed 101; the
workflow was mined from seed 7, the eval fixtures use 2026) give the labels; the prompts are
the workflow's own. Writes the dataset (``data/``, exact de-duplication only: every prompt
repeats the same worked examples), the adapter and ``training.json`` under ``--out``, and
ships the adapter as ``local:<base>+airline-distilled``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from ptp.data import DatasetWriter, read_dataset
from ptp.distill import ptool_examples, run_teacher
from ptp.tasks import get_family
from ptp.train import LoraRecipe, chat_template, load_base, train_lora
from ptp.train._gguf import ship_adapter
from training.airline_student import TRAIN_SEED, training_tasks

WORKFLOW = "airline_expert.py"


def build_dataset(out: Path, per_cell: int) -> Path:
    """The workflow's ptool calls on the training tasks, with exact readings, in ``out``."""
    import workflows.airline_expert as module
    from workflows.shipped import distilled

    family = get_family("airline")
    episodes = run_teacher("airline", "expert:airline", training_tasks(per_cell), "L3")
    data = ptool_examples(module, distilled(WORKFLOW).plan, family, episodes, seed=TRAIN_SEED)
    for task_id, why in data.skipped.items():
        print(f"skipped {task_id}: {why}")
    shutil.rmtree(out, ignore_errors=True)
    with DatasetWriter(out, near_threshold=None) as writer:
        for example in data.examples:
            writer.add(example)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="local:smollm2-135m")
    parser.add_argument("--out", required=True)
    parser.add_argument("--per-cell", type=int, default=4, help="tasks per complexity x style")
    parser.add_argument("--steps", type=int, default=24)
    parser.add_argument("--r", type=int, default=8)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--continue-from", help="an adapter folder to go on training")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.continue_from and Path(args.continue_from).resolve() == out.resolve():
        parser.error("--continue-from must not be --out (the run rewrites --out)")
    examples = read_dataset(build_dataset(out / "data", args.per_cell))
    model, tokenizer = load_base(args.base)
    recipe = LoraRecipe(r=args.r, alpha=2 * args.r, steps=args.steps, batch_size=8,
                        learning_rate=args.lr, max_length=1024)  # fmt: skip

    def progress(step: int, loss: float) -> None:
        print(f"step {step} loss {loss:.4f}", flush=True)

    report = train_lora(examples, model, tokenizer, chat_template(args.base, tokenizer), out,
                        recipe, base=args.base, progress=progress,
                        dataset=f"workflows/{WORKFLOW} ptool calls, exact readings of "
                        f"expert:airline L3 traces, {6 * args.per_cell} tasks (complexity 0-2, "
                        f"template and paraphrase, seed {TRAIN_SEED})",
                        continue_from=args.continue_from)  # fmt: skip
    shutil.rmtree(out / "checkpoints", ignore_errors=True)
    target = ship_adapter(f"{args.base}+airline-distilled", out, report)
    print(f"wrote {target}; {report.summary_line()}; adapter in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
