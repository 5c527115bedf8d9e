"""What an embedded model's CoT replies on the airline grid are made of, read from the cassettes.

    .venv/bin/python scripts/cot_replies.py gemma-3-270m

Per CoT cassette (``cassettes/test_airline/CoT{0,1}-*-<model>-*.yaml``): the finish reason, and
whether the reply is mostly copied or looping: of its lines longer than 20 characters (shorter
ones are list markers, fees and blank-ish lines), more than half the characters are in lines
that appear verbatim in the prompt or repeat an earlier line of the reply. Calls no model.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import yaml

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes" / "test_airline"
LONG = 20  # characters: shorter lines are not counted either way


def mostly_copied_or_looping(prompt: str, reply: str) -> bool:
    """More than half the characters of the reply's long lines are prompt lines or repeats."""
    lines = [line.strip() for line in reply.splitlines() if len(line.strip()) > LONG]
    seen: set[str] = set()
    copied = 0
    for line in lines:
        if line in prompt or line in seen:
            copied += len(line)
        seen.add(line)
    return copied > sum(map(len, lines)) / 2


def main(model: str) -> int:
    finish: Counter[str] = Counter()
    copied = cases = 0
    for cassette in sorted(CASSETTES.glob(f"CoT[01]-*-{model}-*.yaml")):
        interaction = yaml.safe_load(cassette.read_text(encoding="utf-8"))["interactions"][0]
        request = json.loads(interaction["request"]["body"])
        choice = json.loads(interaction["response"]["body"]["string"])["choices"][0]
        prompt = "\n".join(message["content"] for message in request["messages"])
        finish[choice["finish_reason"]] += 1
        copied += mostly_copied_or_looping(prompt, choice["message"]["content"])
        cases += 1
    if not cases:
        raise SystemExit(f"no CoT cassette for {model!r} in {CASSETTES}; try gemma-3-270m")
    reasons = ", ".join(f"{reason} {n}" for reason, n in finish.most_common())
    print(f"{model}: {cases} CoT cases; finish reasons: {reasons}; "
          f"mostly copied from the prompt or looping: {copied}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "gemma-3-270m"))
