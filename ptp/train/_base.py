"""Base models for students: the embedded models' GGUFs loaded into transformers (fp32,
cached as HF folders), and config-built tiny twins of the same architecture for smoke tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ptp.models._local import cache_dir, gguf_path
from ptp.train._tokens import TrainError


def hf_folder(model: str) -> Path:
    """Where the HF copy of embedded model ``model`` lives (``cache_dir()/hf/<name>``)."""
    return cache_dir() / "hf" / model.removeprefix("local:")


def load_tokenizer(model: str) -> Any:
    """The tokenizer of embedded model ``model``, read from its GGUF once, then cached."""
    from transformers import AutoTokenizer

    folder = hf_folder(model) / "tokenizer"
    if not (folder / "tokenizer_config.json").is_file():
        gguf = gguf_path(model.removeprefix("local:"))
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        _save_atomically(tokenizer, folder)
    return AutoTokenizer.from_pretrained(str(folder))


def load_base(model: str) -> tuple[Any, Any]:
    """``(model, tokenizer)`` of embedded model ``model`` (``local:smollm2-135m``,
    ``local:gemma-3-270m``) in fp32: dequantized from its GGUF the first time (a minute) and
    rebuilt from its config (a GGUF-loaded model refuses ``save_pretrained``), then cached."""
    from transformers import AutoModelForCausalLM

    folder = hf_folder(model) / "model"
    if not (folder / "config.json").is_file():
        gguf = gguf_path(model.removeprefix("local:"))
        loaded = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        rebuilt = AutoModelForCausalLM.from_config(loaded.config)
        rebuilt.load_state_dict(loaded.state_dict())
        rebuilt.config.quantization_config = None
        _save_atomically(rebuilt, folder)
    return AutoModelForCausalLM.from_pretrained(str(folder)), load_tokenizer(model)


def tiny_twin(model: str, seed: int = 0) -> tuple[Any, Any]:
    """A randomly initialised model of ``model``'s architecture and vocabulary, two layers
    of width 64 (a few million parameters, mostly the embedding): trains in seconds on a
    CPU, for smoke tests. The tokenizer is the real one."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    tokenizer = load_tokenizer(model)
    folder = hf_folder(model) / "config"
    if not (folder / "config.json").is_file():  # reading it from the GGUF parses the file
        gguf = gguf_path(model.removeprefix("local:"))
        _save_atomically(AutoConfig.from_pretrained(str(gguf.parent), gguf_file=gguf.name), folder)
    config = AutoConfig.from_pretrained(str(folder))
    small = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16}  # fmt: skip
    for key, value in small.items():
        if hasattr(config, key):
            setattr(config, key, value)
    if hasattr(config, "layer_types"):
        config.layer_types = config.layer_types[:2]
    torch.manual_seed(seed)
    return AutoModelForCausalLM.from_config(config), tokenizer


def _save_atomically(obj: Any, folder: Path) -> None:
    partial = folder.with_name(f"{folder.name}.{os.getpid()}.part")
    obj.save_pretrained(str(partial))
    try:
        partial.rename(folder)
    except OSError as err:  # another process won the race: its copy is as good
        if not folder.is_dir():
            raise TrainError(f"{folder}: could not cache the model ({err})") from err
