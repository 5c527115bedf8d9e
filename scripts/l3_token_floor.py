"""The fewest tokens a successful L3 run spends on the distilled grid's tasks, against what the
distilled workflow's student spends there (the token half of the distillation target).

    .venv/bin/python scripts/l3_token_floor.py

A correct L3 run needs at least as many replies as the expert policy's (``expert:airline``
acting through the L3 agent: it batches every call whose inputs it has, up to the agent's
actions a reply), and every request carries at least what the first one did: the system
prompt, the tools and the task, whose size SmolLM2's server reported when the L3 cassette of
the same task was recorded. Replies x first prompt is a floor: a real run's requests also
carry the history, and a model writes its own text. The student's tokens are those its
cassettes recorded (``cassettes/test_students``). Reads cassettes only; calls no model.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from statistics import fmean

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "evals"))

from test_airline import TASKS_PER_CELL, problems  # noqa: E402

from ptp.models import get_model  # noqa: E402
from ptp.tasks import get_family  # noqa: E402
from ptp.trace import recorder  # noqa: E402

MODEL = "smollm2-135m"


def usages(cassette: Path) -> list[dict[str, int]]:
    """The ``usage`` of every recorded response in ``cassette``."""
    interactions = yaml.safe_load(cassette.read_text(encoding="utf-8"))["interactions"]
    return [json.loads(i["response"]["body"]["string"])["usage"] for i in interactions]


def expert_replies(task: object) -> int:
    """How many replies the expert policy's L3 run of ``task`` takes."""
    family = get_family("airline")
    with recorder() as trace:
        result = family.solvers["L3"](task, get_model("expert:airline").for_task(task))
    if family.score(result.answer, task).value != 1:
        raise SystemExit(f"{task.task_id}: the expert policy's L3 run is wrong; no floor")
    return len(trace.find("llm"))


def main() -> int:
    print("| style | tasks | expert replies | first prompt | L3 floor | student | floor / student |"
          "\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |")  # fmt: skip
    for style in ("template", "paraphrase"):
        floors, students, replies, firsts = [], [], [], []
        for task in problems("0", style)[: TASKS_PER_CELL["0"]]:
            case = f"0-{style}-{task.task_id}"
            l3 = ROOT / "cassettes/test_airline" / f"L3-0-{style}-{MODEL}-{task.task_id}.yaml"
            first = usages(l3)
            student = usages(ROOT / f"cassettes/test_students/distilled-student-{case}.yaml")
            replies.append(expert_replies(task))
            firsts.append(first[0]["prompt_tokens"])
            floors.append(replies[-1] * firsts[-1])
            students.append(sum(u["total_tokens"] for u in student))
        ratio = fmean(floors) / fmean(students)
        print(f"| {style} | {len(floors)} | {fmean(replies):.1f} | {fmean(firsts):,.0f} | "
              f"{fmean(floors):,.0f} | {fmean(students):,.0f} | {ratio:.2f}x |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
