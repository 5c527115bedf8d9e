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

import shutil
import sys
from pathlib import Path

from ptp.data import DatasetWriter, read_dataset
from ptp.distill import ptool_examples, run_teacher
from ptp.tasks import get_family
from training._student import parse_student_args, student_parser, train_and_ship
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
    parser = student_parser(__doc__.split("\n\n")[0], steps=24, lr=2e-4)
    parser.add_argument("--per-cell", type=int, default=4, help="tasks per complexity x style")
    args = parse_student_args(parser, argv)
    examples = read_dataset(build_dataset(Path(args.out) / "data", args.per_cell))
    dataset = (f"workflows/{WORKFLOW} ptool calls, exact readings of expert:airline L3 "
               f"traces, {6 * args.per_cell} tasks (complexity 0-2, template and paraphrase, "
               f"seed {TRAIN_SEED})")  # fmt: skip
    train_and_ship(args, examples, "airline-distilled", dataset, batch_size=8, max_length=1024)
    return 0


if __name__ == "__main__":
    sys.exit(main())
