"""Train a knapsack CodeAct student: LoRA on an embedded model, from expert-policy episodes
recorded in one interpreter regime (``expert:knapsack``: the persistent expert reuses the
variables of earlier blocks, the reset expert gets its state back from the tools or writes
it out).

    python -m training.knapsack_student --regime persistent --out students/knapsack-persistent

The tasks come from the generator (easy difficulty, seed 101; the eval fixtures use seeds
2026 and 2027) and the trainer's seed is fixed. The loss falls on the expert's replies only
(every step of an episode; the observations and prompts are context). Writes the dataset
(``data/``), the adapter and ``training.json`` under ``--out``, and ships the adapter GGUF
that ``local:<base>+knapsack-<regime>`` serves.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from ptp.data import export, read_dataset, record_runs
from ptp.tasks import get_family
from training._student import parse_student_args, student_parser, train_and_ship

TRAIN_SEED = 101
REGIMES = ("persistent", "reset")


def build_dataset(out: Path, regime: str, tasks: int, seed: int = TRAIN_SEED) -> Path:
    """Expert episodes in ``regime`` on ``tasks`` generated tasks (easy, generator ``seed``)
    -> one chat example per episode (all its replies) in ``out``."""
    knapsack = get_family("knapsack")
    with tempfile.TemporaryDirectory() as runs:
        record_runs("knapsack", "expert:knapsack",
                    knapsack.generate(tasks, seed=seed, difficulty="easy"), runs,
                    solver=regime, axis="regime")  # fmt: skip
        shutil.rmtree(out, ignore_errors=True)
        # episodes of one policy share most of their text (prompts, the dynamic program):
        # only exact duplicates are dropped
        export([runs], out, near_threshold=None)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = student_parser(__doc__.split("\n\n")[0], steps=24, lr=5e-4)
    parser.add_argument("--regime", choices=REGIMES, required=True)
    parser.add_argument("--tasks", type=int, default=24, help="expert episodes to train on")
    args = parse_student_args(parser, argv)
    examples = read_dataset(build_dataset(Path(args.out) / "data", args.regime, args.tasks))
    dataset = (f"expert:knapsack {args.regime} episodes, {len(examples)} tasks (easy, seed "
               f"{TRAIN_SEED})")  # fmt: skip
    train_and_ship(args, examples, f"knapsack-{args.regime}", dataset, batch_size=1,
                   max_length=3072)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
