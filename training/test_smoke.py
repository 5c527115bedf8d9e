"""CPU smoke twins: the whole path (traces -> examples -> masks -> LoRA steps -> adapter ->
student) on a config-built two-layer model of each embedded model's architecture."""

from __future__ import annotations

import json

import pytest

from ptp.data import export, read_dataset, record_runs
from ptp.tasks import get_family
from ptp.train import LoraRecipe, chat_template, load_student, tiny_twin, tokenize, train_lora

FAST = LoraRecipe(r=8, alpha=16, steps=6, batch_size=2, learning_rate=1e-2, max_length=512)


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    root = tmp_path_factory.mktemp("smoke")
    tasks = get_family("airline").generate(2, seed=1, complexity=0, style="paraphrase")
    record_runs("airline", "expert:airline", tasks, root / "runs", solver="L1")
    export([root / "runs"], root / "data", ptools=["extract_item"])
    return read_dataset(root / "data")


@pytest.fixture(scope="module", params=["local:smollm2-135m", "local:gemma-3-270m"])
def twin(request):
    model, tokenizer = tiny_twin(request.param)
    return request.param, model, tokenizer, chat_template(request.param, tokenizer)


def test_loss_falls_only_on_the_replies(examples, twin):
    _, _, tokenizer, template = twin
    for example in examples:
        row = tokenize(example, tokenizer, template)
        trained = tokenizer.decode([t for t, m in zip(row["input_ids"], row["assistant_masks"],
                                                      strict=True) if m])  # fmt: skip
        reply = example.replies[0]["content"]
        assert trained.startswith(reply) and len(trained) - len(reply) < 20  # + end of turn
        assert json.loads(reply) == json.loads(trained[: len(reply)])


def test_a_few_steps_lower_the_loss_and_the_adapter_round_trips(examples, twin, tmp_path):
    import torch

    name, model, tokenizer, template = twin
    report = train_lora(examples, model, tokenizer, template, tmp_path, FAST, base=name)
    assert report.steps == FAST.steps and report.tokens > 0 and report.tokens_per_s > 0
    assert min(report.losses[-2:]) < report.losses[0]
    assert (tmp_path / "adapter_model.safetensors").is_file()
    assert json.loads((tmp_path / "training.json").read_text())["losses"] == report.losses
    base, _ = tiny_twin(name)  # the same seed: the same base weights
    student = load_student(base, tmp_path)
    ids = torch.tensor([tokenize(examples[0], tokenizer, template)["input_ids"]])
    with torch.no_grad():
        tuned = student(ids).logits
        with student.disable_adapter():
            plain = student(ids).logits
    assert not torch.allclose(tuned, plain)  # the adapter loaded and changes the outputs
    trained_logits = model(ids).logits
    assert torch.allclose(tuned, trained_logits, atol=1e-4)  # ... exactly as trained


def test_training_goes_on_from_a_saved_adapter(examples, tmp_path):
    name = "local:smollm2-135m"
    model, tokenizer = tiny_twin(name)
    template = chat_template(name, tokenizer)
    short = FAST.model_copy(update={"steps": 2})
    first = train_lora(examples, model, tokenizer, template, tmp_path / "a", short, base=name)
    model, _ = tiny_twin(name)  # a fresh base: the adapter's weights come from the folder
    second = train_lora(examples, model, tokenizer, template, tmp_path / "b", short, base=name,
                        continue_from=tmp_path / "a")  # fmt: skip
    assert second.continued_from == str(tmp_path / "a")
    assert [run.losses for run in second.earlier_runs] == [first.losses]
    assert second.losses[0] < first.losses[0]  # it starts where the first run stopped
