"""Students: LoRA fine-tuning on exported traces (trl + peft), on CPU or GPU.

    model, tokenizer = ptp.train.load_base("local:smollm2-135m")
    report = ptp.train.train_lora(examples, model, tokenizer,
                                  ptp.train.chat_template("local:smollm2-135m", tokenizer), "out")

Needs the ``train`` extra (torch, transformers, peft, trl, accelerate).
"""

from ptp.train._base import hf_folder, load_base, load_tokenizer, tiny_twin
from ptp.train._gguf import adapter_to_gguf, gguf_to_adapter
from ptp.train._lora import LoraRecipe, TrainReport, gpu_recipe, load_student, train_lora
from ptp.train._prompt_router import PromptRouter
from ptp.train._router import (
    RoutedStudents,
    RouterRecipe,
    RouterReport,
    kl_divergence,
    train_router,
)
from ptp.train._tokens import TrainError, chat_template, tokenize

__all__ = [
    "LoraRecipe",
    "PromptRouter",
    "RoutedStudents",
    "RouterRecipe",
    "RouterReport",
    "TrainError",
    "TrainReport",
    "adapter_to_gguf",
    "chat_template",
    "gguf_to_adapter",
    "gpu_recipe",
    "hf_folder",
    "kl_divergence",
    "load_base",
    "load_student",
    "load_tokenizer",
    "tiny_twin",
    "tokenize",
    "train_lora",
    "train_router",
]
