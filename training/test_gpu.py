"""GPU jobs with the papers' settings (``gpu_recipe``: r 64 / alpha 128, cosine lr 1e-4,
packing, long context, bf16; QLoRA NF4 when bitsandbytes imports). They skip without CUDA.
A GPU box may have no model hub: ``PTP_GPU_BASE`` names a local HF model folder, else the
embedded model cached by ``ptp.train.load_base`` is used. Throughput goes to stdout and to
``training.json``. Not run yet (no session had a GPU); the comparison with a plain trl
``SFTTrainer`` on the same card is still to be written."""

from __future__ import annotations

import os

import pytest

from ptp.data import export, read_dataset, record_runs
from ptp.tasks import get_family
from ptp.train import chat_template, gpu_recipe, load_base, train_lora

pytestmark = pytest.mark.gpu


def _base():
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = os.environ.get("PTP_GPU_BASE")
    if path:
        return AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)
    return load_base("local:smollm2-135m")


def test_lora_with_the_papers_settings_reports_tokens_per_second(tmp_path):
    tasks = get_family("airline").generate(20, seed=5, complexity=2, style="paraphrase")
    record_runs("airline", "expert:airline", tasks, tmp_path / "runs", solver="L1")
    export([tmp_path / "runs"], tmp_path / "data")
    examples = read_dataset(tmp_path / "data")
    model, tokenizer = _base()
    recipe = gpu_recipe(steps=30, max_length=2048)
    report = train_lora(examples, model.cuda(), tokenizer,
                        chat_template("local:smollm2-135m", tokenizer), tmp_path / "ptp",
                        recipe)  # fmt: skip
    print(f"ptp LoRA on {report.device}: {report.tokens_per_s:.0f} tokens/s")
    assert report.device == "cuda" and report.losses[-1] < report.losses[0]
