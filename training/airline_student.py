"""Train the airline extraction student: LoRA on an embedded model, from expert-policy L1
traces (its ``extract_header`` and ``extract_item`` calls; the replies are the generator's
facts as written, labelled "expert policy (generator facts)").

    python -m training.airline_student --base local:smollm2-135m --out students/x

The tasks come from the generator (seed 101, complexity 0-2, template and paraphrase) and
the trainer's seed is fixed (re-running it has not been compared bit for bit). Writes the dataset
(``data/``), the adapter and ``training.json`` (losses, tokens/s) under ``--out``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from ptp.data import export, read_dataset, record_runs
from ptp.tasks import get_family
from ptp.train._gguf import ship_adapter
from training._student import parse_student_args, student_parser, train_and_ship

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


def export_adapter(base: str, out: Path) -> int:
    """The adapter in ``out`` as the GGUF that ``local:<base>+airline-extract`` serves."""
    target = ship_adapter(f"{base}+airline-extract", out)
    print(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB) for {base}+airline-extract")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = student_parser(__doc__.split("\n\n")[0], steps=30, lr=2e-4)
    parser.add_argument("--per-cell", type=int, default=10, help="tasks per complexity x style")
    parser.add_argument(
        "--export-adapter", action="store_true",
        help="only convert the adapter in --out to llama.cpp's GGUF and ship it in ptp/models",
    )  # fmt: skip
    args = parse_student_args(parser, argv)
    out = Path(args.out)
    if args.export_adapter:
        return export_adapter(args.base, out)
    examples = read_dataset(build_dataset(out / "data", args.per_cell))
    dataset = (f"expert:airline L1 ptool calls (generator facts), {6 * args.per_cell} tasks "
               f"(complexity 0-2, template and paraphrase, seed {TRAIN_SEED})")  # fmt: skip
    train_and_ship(args, examples, "airline-extract", dataset, batch_size=8, max_length=1024)
    return 0


if __name__ == "__main__":
    sys.exit(main())
