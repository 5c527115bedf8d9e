"""Two students and a router, on a config-built two-layer twin (CPU, seconds): the router
trains, routing beats either fixed student where the students differ, and the consistency
term is a true KL divergence."""

from __future__ import annotations

import math

import pytest

from ptp.data import ChatExample, ExampleMeta
from ptp.train import (
    LoraRecipe,
    RouterRecipe,
    chat_template,
    kl_divergence,
    tiny_twin,
    train_lora,
    train_router,
)
from ptp.train._router import STUDENTS

BASE = "local:smollm2-135m"
# Two kinds of task whose answers differ; each student learns one kind only.
KINDS = {"a": ("Shout the word", "LOUD LOUD LOUD"), "b": ("Whisper the word", "quiet quiet")}
WORDS = ["apple", "river", "stone", "cloud", "green", "table", "light", "sugar", "paper",
         "music", "horse", "bread", "glass", "storm", "chair", "ocean"]  # fmt: skip
STUDENT_RECIPE = LoraRecipe(r=8, alpha=16, steps=30, batch_size=4, learning_rate=2e-2)


def example(kind: str, word: str) -> ChatExample:
    instruction, reply = KINDS[kind]
    return ChatExample(
        messages=[
            {"role": "user", "content": f"{instruction}: {word}"},
            {"role": "assistant", "content": reply, "weight": 1},
        ],
        metadata=ExampleMeta(family="synthetic", task_id=f"{kind}-{word}", teacher=f"kind {kind}"),
    )


@pytest.fixture(scope="module")
def students(tmp_path_factory):
    """Student a trained on kind a only, student b on kind b only (each from the same base)."""
    root = tmp_path_factory.mktemp("router")
    _, tokenizer = tiny_twin(BASE)
    template = chat_template(BASE, tokenizer)
    for kind in KINDS:
        model, _ = tiny_twin(BASE)
        data = [example(kind, w) for w in WORDS]
        train_lora(data, model, tokenizer, template, root / kind, STUDENT_RECIPE)
    return root, tokenizer, template


def test_the_router_trains_and_routing_beats_either_fixed_student(students, tmp_path):
    root, tokenizer, template = students
    base, _ = tiny_twin(BASE)
    train = [example(k, w) for k in KINDS for w in WORDS[:12]]
    held_out = [example(k, w) for k in KINDS for w in WORDS[12:]]
    recipe = RouterRecipe(steps=40, batch_size=8, learning_rate=5e-2)
    routed, report = train_router(train, base, tokenizer, template, (root / "a", root / "b"),
                                  tmp_path, recipe)  # fmt: skip
    assert report.steps == recipe.steps and (tmp_path / "router.pt").is_file()
    assert report.router_change > 0  # the router received gradient
    assert min(report.losses[-3:]) < report.losses[0]
    # the students differ: each is better on its own kind
    for ex in held_out:
        own = ex.metadata.task_id[0]
        other = "b" if own == "a" else "a"
        assert routed.reply_nll(ex, own) < routed.reply_nll(ex, other)
    # the router sends each held-out prompt to the student of its kind ...
    assert [routed.choose(ex) for ex in held_out] == [ex.metadata.task_id[0] for ex in held_out]
    # ... so routing beats always asking a, and always asking b
    routed_nll = sum(routed.reply_nll(ex, routed.choose(ex)) for ex in held_out)
    for fixed in KINDS:
        assert routed_nll < sum(routed.reply_nll(ex, fixed) for ex in held_out)


def test_students_train_jointly_with_the_kl_term(students, tmp_path):
    root, tokenizer, template = students
    base, _ = tiny_twin(BASE)
    data = [example(k, w) for k in KINDS for w in WORDS[:4]]
    recipe = RouterRecipe(steps=4, batch_size=4, train_students=True, kl_weight=0.5)
    routed, _ = train_router(data, base, tokenizer, template, (root / "a", root / "b"), tmp_path,
                             recipe)  # fmt: skip
    before, _ = train_router(data, tiny_twin(BASE)[0], tokenizer, template,
                             (root / "a", root / "b"), tmp_path / "frozen",
                             recipe.model_copy(update={"train_students": False}))  # fmt: skip
    ex = data[0]
    assert routed.reply_nll(ex, "a") != pytest.approx(before.reply_nll(ex, "a"), abs=1e-6)
    assert (tmp_path / "a" / "adapter_model.safetensors").is_file()
    assert (tmp_path / "b" / "adapter_model.safetensors").is_file()


def test_kl_divergence_is_the_kullback_leibler_divergence():
    import torch

    torch.manual_seed(0)
    p, q = torch.randn(2, 3, 5), torch.randn(2, 3, 5)
    mask = torch.tensor([[1, 1, 0], [1, 0, 0]])
    expected = []
    for b, t in mask.nonzero().tolist():
        dist_p = torch.distributions.Categorical(logits=p[b, t])
        dist_q = torch.distributions.Categorical(logits=q[b, t])
        expected.append(torch.distributions.kl_divergence(dist_p, dist_q).item())
    assert kl_divergence(p, q, mask).item() == pytest.approx(sum(expected) / len(expected))
    assert kl_divergence(p, p, mask).item() == pytest.approx(0.0, abs=1e-6)
    assert kl_divergence(p, q, mask).item() != pytest.approx(kl_divergence(q, p, mask).item())
    assert math.isfinite(kl_divergence(p, q, torch.zeros(2, 3)).item())


# The real students: SmolLM2-135M with the shipped knapsack adapters (converted back to peft).
REGIMES = ("persistent", "reset")  # student a, student b
ROUTER_SEED, HELD_OUT_SEED = 303, 2026  # the students trained on seed 101


def regime_examples(root, seed: int, tasks: int) -> list[ChatExample]:
    """Expert episodes in both regimes, each cut after its second reply: the first block
    where the regimes' experts write different code (``seen = {...}`` vs ``print({...})``);
    the regime is named by the system prompt only."""
    from ptp.data import read_dataset
    from training.knapsack_student import build_dataset

    examples = []
    for regime in REGIMES:
        for ex in read_dataset(build_dataset(root / f"{regime}-{seed}", regime, tasks, seed)):
            replies = [i for i, m in enumerate(ex.messages) if m.get("weight") == 1]
            meta = ex.metadata.model_copy(update={"teacher": regime})
            examples.append(ex.model_copy(update={"messages": ex.messages[: replies[1] + 1],
                                                  "metadata": meta}))  # fmt: skip
    return examples


@pytest.mark.slow
def test_a_router_over_the_shipped_knapsack_students(tmp_path):
    """Real students (22 min on 2 shared cores): the persistent- and reset-trained knapsack
    students, a router trained on expert episodes of both regimes (seed 303), scored on
    held-out ones (seed 2026). ``PTP_ROUTER_REPORT=FILE`` writes the per-episode figures as
    JSON."""
    import json
    import os

    from ptp.models._local import adapter_file
    from ptp.train import load_base
    from ptp.train._gguf import gguf_to_adapter

    base, tokenizer = load_base(BASE)
    template = chat_template(BASE, tokenizer)
    name = BASE.removeprefix("local:")
    adapters = tuple(gguf_to_adapter(adapter_file(f"{name}+knapsack-{r}"), base, tmp_path / r)
                     for r in REGIMES)  # fmt: skip
    train = regime_examples(tmp_path, ROUTER_SEED, 12)
    held_out = regime_examples(tmp_path, HELD_OUT_SEED, 8)
    recipe = RouterRecipe(steps=60, batch_size=8, learning_rate=5e-2, max_length=2048)
    routed, report = train_router(train, base, tokenizer, template, adapters,
                                  tmp_path / "router", recipe)  # fmt: skip
    own = dict(zip(REGIMES, STUDENTS, strict=True))
    rows = []
    for ex in held_out:
        nll = {s: routed.reply_nll(ex, s) for s in STUDENTS}
        row = {"task": ex.metadata.task_id, "regime": ex.metadata.teacher, "nll": nll}
        route = routed.route(ex)
        rows.append({**row, "route": route, "chosen": max(route, key=route.__getitem__)})

    def mean(values) -> float:
        values = list(values)
        return sum(values) / len(values)

    summary = {
        "router": report.model_dump(),
        "held_out": rows,
        "routed_to_own_student": sum(r["chosen"] == own[r["regime"]] for r in rows),
        "own_student_better": sum(
            r["nll"][own[r["regime"]]] == min(r["nll"].values()) for r in rows
        ),
        "mean_nll": {
            "routed": mean(r["nll"][r["chosen"]] for r in rows),
            **{f"always {g}": mean(r["nll"][s] for r in rows) for g, s in own.items()},
        },
    }
    if os.environ.get("PTP_ROUTER_REPORT"):
        with open(os.environ["PTP_ROUTER_REPORT"], "w", encoding="utf-8") as out:
            json.dump(summary, out, indent=1)
    assert report.router_change > 0 and min(report.losses[-5:]) < report.losses[0]
    nll = summary["mean_nll"]
    assert nll["routed"] < min(nll["always persistent"], nll["always reset"])
