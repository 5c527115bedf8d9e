"""The fewest tokens a successful L3 run spends on the distilled grid's tasks, against what the
distilled workflow's student spends there (the token half of the distillation target).

    .venv/bin/python scripts/l3_token_floor.py

A correct L3 run needs at least as many replies as the expert policy's (``expert:airline``
acting through the L3 agent: it batches every call whose inputs it has, up to the agent's
actions a reply), and every request carries at least what the first one did: the system
prompt, the tools and the task, whose size SmolLM2's server reported when the L3 cassette of
the same task was recorded. Replies x first prompt is a floor: a real run's requests also
carry the history, and a model writes its own text. The student's tokens are those its
cassettes recorded (``cassettes/test_students``). ``minimal`` is what the same calls would
count with the least prompt a trained student might get: the system prompt cut to the
signature and docstring (no JSON schema, no worked examples), the question, the recorded
reply, in SmolLM2's chat template (its tokenizer needs the ``train`` extra). Reads cassettes
only; calls no model.
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


def interactions(cassette: Path) -> list[tuple[dict, dict]]:
    """(request body, response body) of every recorded call in ``cassette``."""
    recorded = yaml.safe_load(cassette.read_text(encoding="utf-8"))["interactions"]
    return [(json.loads(i["request"]["body"]), json.loads(i["response"]["body"]["string"]))
            for i in recorded]  # fmt: skip


def minimal_tokens(calls: list[tuple[dict, dict]], tokenizer: object) -> int:
    """Tokens of ``calls`` with a minimal prompt: signature and docstring, the question, the
    recorded reply (no JSON schema, no worked examples)."""
    total = 0
    for request, response in calls:
        messages = request["messages"]
        system = messages[0]["content"].split("\n\nReply with")[0]
        reply = response["choices"][0]["message"]["content"]
        chat = [{"role": "system", "content": system}, messages[-1],
                {"role": "assistant", "content": reply}]  # fmt: skip
        total += len(tokenizer(tokenizer.apply_chat_template(chat, tokenize=False)).input_ids)
    return total


def expert_replies(task: object) -> int:
    """How many replies the expert policy's L3 run of ``task`` takes."""
    family = get_family("airline")
    with recorder() as trace:
        result = family.solvers["L3"](task, get_model("expert:airline").for_task(task))
    if family.score(result.answer, task).value != 1:
        raise SystemExit(f"{task.task_id}: the expert policy's L3 run is wrong; no floor")
    return len(trace.find("llm"))


def main() -> int:
    from ptp.train import load_tokenizer

    tokenizer = load_tokenizer(f"local:{MODEL}")
    print("| style | tasks | expert replies | first prompt | L3 floor | student | floor / student "
          "| minimal | floor / minimal |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
          "| ---: |")  # fmt: skip
    for style in ("template", "paraphrase"):
        floors, students, minimal, replies, firsts = [], [], [], [], []
        for task in problems("0", style)[: TASKS_PER_CELL["0"]]:
            case = f"0-{style}-{task.task_id}"
            l3 = ROOT / "cassettes/test_airline" / f"L3-0-{style}-{MODEL}-{task.task_id}.yaml"
            first = interactions(l3)[0][1]["usage"]
            student = interactions(ROOT / f"cassettes/test_students/distilled-student-{case}.yaml")
            replies.append(expert_replies(task))
            firsts.append(first["prompt_tokens"])
            floors.append(replies[-1] * firsts[-1])
            students.append(sum(response["usage"]["total_tokens"] for _, response in student))
            minimal.append(minimal_tokens(student, tokenizer))
        floor = fmean(floors)
        print(f"| {style} | {len(floors)} | {fmean(replies):.1f} | {fmean(firsts):,.0f} | "
              f"{floor:,.0f} | {fmean(students):,.0f} | {floor / fmean(students):.2f}x | "
              f"{fmean(minimal):,.0f} | {floor / fmean(minimal):.2f}x |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
