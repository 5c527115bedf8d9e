"""LoRA fine-tuning with trl's SFTTrainer and peft: a recipe, a run, a report."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ptp.data import ChatExample
from ptp.train._tokens import TrainError, tokenize

REPORT = "training.json"
# The attention and MLP projections of Llama-style and Gemma 3 blocks.
PROJECTIONS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


class LoraRecipe(BaseModel):
    """What a LoRA run does. The defaults are the CPU recipe measured in DESIGN.md (r 16 /
    alpha 32 on attention and MLP projections, lr 2e-4, batch 8); ``gpu_recipe()`` gives the
    papers' settings."""

    r: int = Field(16, ge=1)
    alpha: int = Field(32, ge=1)
    dropout: float = Field(0.0, ge=0.0, lt=1.0)
    target_modules: list[str] = Field(default_factory=lambda: list(PROJECTIONS))
    learning_rate: float = Field(2e-4, gt=0.0)
    scheduler: str = "linear"
    warmup_steps: int = Field(0, ge=0)
    steps: int = Field(40, ge=1)
    batch_size: int = Field(8, ge=1)
    grad_accum: int = Field(1, ge=1)
    max_length: int = Field(512, ge=8)
    packing: bool = False
    bf16: bool = False
    seed: int = 0


def gpu_recipe(**overrides: Any) -> LoraRecipe:
    """The papers' GPU settings: r 64 / alpha 128, cosine lr 1e-4, packing, long context, bf16."""
    base = {"r": 64, "alpha": 128, "learning_rate": 1e-4, "scheduler": "cosine",
            "warmup_steps": 10, "max_length": 4096, "packing": True, "bf16": True,
            "batch_size": 4, "grad_accum": 4}  # fmt: skip
    return LoraRecipe(**{**base, **overrides})


class TrainReport(BaseModel):
    """What a run measured; written as ``training.json`` beside the adapter."""

    base: str
    examples: int
    steps: int
    losses: list[float]
    seconds: float
    tokens: int  # tokens processed (padding excluded), over all steps
    tokens_per_s: float
    device: str
    recipe: LoraRecipe
    dataset: str = ""
    continued_from: str = ""  # the adapter this run went on training ("" a new adapter)
    earlier_runs: list[TrainReport] = Field(default_factory=list)  # that adapter's own runs

    def summary_line(self) -> str:
        """One line for a training script's output: examples, steps, time, loss."""
        return (
            f"{self.examples} examples, {self.steps} steps in {self.seconds:.0f} s "
            f"({self.tokens_per_s:.0f} tokens/s); loss {self.losses[0]:.3f} -> "
            f"{self.losses[-1]:.3f}"
        )


def train_lora(
    examples: Sequence[ChatExample], model: Any, tokenizer: Any, template: str, out: str | Path,
    recipe: LoraRecipe | None = None, *, base: str = "", dataset: str = "",
    progress: Callable[[int, float], None] | None = None, continue_from: str | Path | None = None,
) -> TrainReport:  # fmt: skip
    """Fine-tune a LoRA adapter on ``examples`` (loss on their weight-1 replies only) and save
    it (``adapter_model.safetensors``, ``adapter_config.json``, ``training.json``) in ``out``.

    Args:
        examples: chat examples (``ptp.data.read_dataset``).
        model, tokenizer: the base (``load_base`` or ``tiny_twin``).
        template: the chat template the model is served with (``chat_template``).
        recipe: the settings; ``LoraRecipe()`` when None.
        base, dataset: labels for the report (the model spec, the dataset folder).
        progress: called with (step, loss) after every logged step.
        continue_from: a saved adapter folder to go on training (its rank, alpha and target
            modules stay; the recipe's optimizer and schedule settings apply), else a new one.

    Raises:
        TrainError: no examples, or an example the template cannot mask.
    """
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import PrinterCallback
    from trl import SFTConfig, SFTTrainer

    recipe = recipe or LoraRecipe()
    if not examples:
        raise TrainError("no training examples; export some with ptp data export")
    rows = [tokenize(e, tokenizer, template, recipe.max_length) for e in examples]
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    cuda = torch.cuda.is_available()
    out = Path(out)
    config = SFTConfig(
        output_dir=str(out / "checkpoints"), max_steps=recipe.steps,
        per_device_train_batch_size=recipe.batch_size,
        gradient_accumulation_steps=recipe.grad_accum, learning_rate=recipe.learning_rate,
        lr_scheduler_type=recipe.scheduler, warmup_steps=recipe.warmup_steps,
        max_length=recipe.max_length, packing=recipe.packing, bf16=recipe.bf16 and cuda,
        use_cpu=not cuda, seed=recipe.seed, data_seed=recipe.seed, logging_steps=1,
        save_strategy="no", report_to="none", disable_tqdm=True,
        include_num_input_tokens_seen="non_padding", dataloader_num_workers=0,
    )  # fmt: skip
    lora = None
    if continue_from is None:
        lora = LoraConfig(r=recipe.r, lora_alpha=recipe.alpha, lora_dropout=recipe.dropout,
                          target_modules=recipe.target_modules, task_type="CAUSAL_LM")  # fmt: skip
    else:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(continue_from), is_trainable=True)
    trainer = SFTTrainer(model=model, args=config, train_dataset=Dataset.from_list(rows),
                         processing_class=tokenizer, peft_config=lora)  # fmt: skip
    trainer.remove_callback(PrinterCallback)  # the report keeps the losses; no dict per step
    if progress is not None:
        trainer.add_callback(_progress_callback(progress))
    started = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - started
    trainer.model.save_pretrained(str(out))
    losses = [float(log["loss"]) for log in trainer.state.log_history if "loss" in log]
    tokens = int(trainer.state.num_input_tokens_seen or 0)
    report = TrainReport(
        base=base, examples=len(rows), steps=trainer.state.global_step, losses=losses,
        seconds=round(seconds, 2), tokens=tokens, tokens_per_s=round(tokens / seconds, 1),
        device="cuda" if cuda else "cpu", recipe=recipe, dataset=dataset,
        continued_from=str(continue_from or ""), earlier_runs=_earlier_runs(continue_from),
    )  # fmt: skip
    (out / REPORT).write_text(json.dumps(report.model_dump(), indent=1), encoding="utf-8")
    return report


def _earlier_runs(adapter: str | Path | None) -> list[TrainReport]:
    """The runs that trained ``adapter`` so far, oldest first (from its ``training.json``)."""
    report = Path(adapter) / REPORT if adapter is not None else None
    if report is None or not report.is_file():
        return []
    earlier = TrainReport.model_validate_json(report.read_text(encoding="utf-8"))
    return [*earlier.earlier_runs, earlier.model_copy(update={"earlier_runs": []})]


def _progress_callback(report: Callable[[int, float], None]) -> Any:
    """A trainer callback that passes (step, loss) of every logged step to ``report``."""
    from transformers import TrainerCallback

    class Progress(TrainerCallback):
        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **_: Any) -> None:
            if logs and "loss" in logs:
                report(state.global_step, float(logs["loss"]))

    return Progress()


def load_student(base_model: Any, adapter: str | Path) -> Any:
    """The base with the adapter saved in ``adapter`` applied (peft)."""
    from peft import PeftModel

    return PeftModel.from_pretrained(base_model, str(adapter))
