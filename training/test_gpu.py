"""GPU jobs with the papers' settings (``gpu_recipe``: r 64 / alpha 128, cosine lr 1e-4,
packing, long context, bf16). They skip without CUDA.

A GPU box may have no model hub: ``PTP_GPU_BASE`` names a local HF folder, either a model
(weights and tokenizer) or a config and tokenizer only, which builds the architecture with
random weights (throughput does not depend on the weights); without it the embedded SmolLM2
is loaded by ``ptp.train.load_base``. ``PTP_GPU_REPORT`` names a JSON file to which each job
adds its figures; ``PTP_GPU_STEPS`` sets the steps per run (30). Figures measured on an
H200 (2026-11-27) are in the README's training section. QLoRA NF4 is not built (never run).
"""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path
from typing import Any

import pytest

from ptp.data import ChatExample, export, read_dataset, record_runs
from ptp.tasks import get_family
from ptp.train import LoraRecipe, chat_template, gpu_recipe, load_base, train_lora

pytestmark = pytest.mark.gpu
EMBEDDED = "local:smollm2-135m"
STEPS = int(os.environ.get("PTP_GPU_STEPS", "30"))


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> list[ChatExample]:
    """235 examples: the expert's L1 calls on 20 complexity-2 paraphrased trips."""
    folder = tmp_path_factory.mktemp("gpu-data")
    tasks = get_family("airline").generate(20, seed=5, complexity=2, style="paraphrase")
    record_runs("airline", "expert:airline", tasks, folder / "runs", solver="L1")
    export([folder / "runs"], folder / "data")
    return read_dataset(folder / "data")


def _base() -> tuple[Any, Any, str]:
    """(model, tokenizer, label) on the GPU: ``PTP_GPU_BASE`` or the embedded SmolLM2."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    path = os.environ.get("PTP_GPU_BASE")
    if not path:
        model, tokenizer = load_base(EMBEDDED)
        return model.cuda(), tokenizer, EMBEDDED
    folder = Path(path)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    if any(folder.glob("*.safetensors")):
        return AutoModelForCausalLM.from_pretrained(folder).cuda(), tokenizer, str(folder)
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(folder))
    return model, tokenizer, f"{folder.name} (config-built, random weights)"


def _report(name: str, figures: dict[str, Any]) -> None:
    """Print ``figures`` and add them under ``name`` to the ``PTP_GPU_REPORT`` file."""
    import torch

    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"
    figures = {"device": device, **figures}
    print(f"\n{name}: {json.dumps(figures)}")
    path = os.environ.get("PTP_GPU_REPORT")
    if path:
        report = json.loads(Path(path).read_text()) if Path(path).is_file() else {}
        Path(path).write_text(json.dumps({**report, name: figures}, indent=1))


def test_lora_with_the_papers_settings_reports_tokens_per_second(examples, tmp_path):
    model, tokenizer, label = _base()
    recipe = gpu_recipe(steps=STEPS, max_length=2048)
    report = train_lora(examples, model, tokenizer, chat_template(EMBEDDED, tokenizer),
                        tmp_path / "ptp", recipe, base=label)  # fmt: skip
    _report("ptp_lora", {"base": label,
                         **report.model_dump(exclude={"recipe", "losses", "device"}),
                         "loss": [report.losses[0], report.losses[-1]]})  # fmt: skip
    assert report.device == "cuda" and report.losses[-1] < report.losses[0]


def _plain_trl(examples: list[ChatExample], out: Path, recipe: LoraRecipe) -> tuple[int, float]:
    """A plain trl ``SFTTrainer`` run with ``recipe``'s settings on the examples' messages
    (trl renders and tokenizes them; loss on every token): (tokens seen, seconds)."""
    import time

    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import PrinterCallback
    from trl import SFTConfig, SFTTrainer

    cuda = torch.cuda.is_available()
    model, tokenizer, _ = _base()
    tokenizer.chat_template = chat_template(EMBEDDED, tokenizer)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    rows = [{"messages": [{k: v for k, v in m.items() if k != "weight"} for m in e.messages]}
            for e in examples]  # fmt: skip
    config = SFTConfig(
        output_dir=str(out), max_steps=recipe.steps, per_device_train_batch_size=recipe.batch_size,
        gradient_accumulation_steps=recipe.grad_accum, learning_rate=recipe.learning_rate,
        lr_scheduler_type=recipe.scheduler, warmup_steps=recipe.warmup_steps,
        max_length=recipe.max_length, packing=recipe.packing, bf16=recipe.bf16 and cuda,
        use_cpu=not cuda, seed=recipe.seed, dataloader_num_workers=0,
        logging_steps=1, save_strategy="no", report_to="none", disable_tqdm=True,
        include_num_input_tokens_seen="non_padding",
    )  # fmt: skip
    lora = LoraConfig(r=recipe.r, lora_alpha=recipe.alpha, target_modules=recipe.target_modules,
                      task_type="CAUSAL_LM")  # fmt: skip
    trainer = SFTTrainer(model=model, args=config, train_dataset=Dataset.from_list(rows),
                         processing_class=tokenizer, peft_config=lora)  # fmt: skip
    trainer.remove_callback(PrinterCallback)  # as train_lora does
    started = time.perf_counter()
    trainer.train()
    return int(trainer.state.num_input_tokens_seen), time.perf_counter() - started


def test_ptp_lora_against_a_plain_trl_sft_trainer_on_the_same_card(examples, tmp_path):
    """Same data, settings and card, alternated twice after a warm-up run: ptp's tokens/s
    and a plain trl ``SFTTrainer``'s (the issue's target: within 10%). The test checks that
    both saw the same tokens; the ratio is a figure for the report, not an assertion."""
    recipe = gpu_recipe(steps=STEPS, max_length=2048)
    model, tokenizer, label = _base()
    template = chat_template(EMBEDDED, tokenizer)
    train_lora(examples, model, tokenizer, template, tmp_path / "warm", recipe.model_copy(
        update={"steps": 3, "warmup_steps": 0}))  # fmt: skip
    ptp_runs, plain_runs = [], []
    for i in range(2):
        model, tokenizer, _ = _base()
        report = train_lora(examples, model, tokenizer, template, tmp_path / f"ptp{i}", recipe)
        ptp_runs.append((report.tokens, report.seconds))
        plain_runs.append(_plain_trl(examples, tmp_path / f"plain{i}", recipe))
    ptp_rate = statistics.mean(t / s for t, s in ptp_runs)
    plain_rate = statistics.mean(t / s for t, s in plain_runs)
    _report("ptp_vs_plain_trl", {
        "base": label, "steps": recipe.steps, "ptp_runs": ptp_runs, "plain_runs": plain_runs,
        "ptp_tokens_per_s": round(ptp_rate), "plain_tokens_per_s": round(plain_rate),
        "ratio": round(ptp_rate / plain_rate, 3),
    })  # fmt: skip
    ptp_tokens, plain_tokens = ptp_runs[0][0], plain_runs[0][0]
    assert abs(ptp_tokens - plain_tokens) <= 0.02 * plain_tokens
