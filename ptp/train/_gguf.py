"""A peft LoRA adapter -> a llama.cpp LoRA adapter GGUF, so a student is served by the same
llama.cpp server as its base (``--lora_path``), over the same OpenAI-compatible HTTP; and
back (:func:`gguf_to_adapter`), so a shipped student loads into transformers again (to go on
training it, or to score it on CPU) without its training run.

Written by hand on the ``gguf`` package because llama.cpp's ``convert_lora_to_gguf.py`` is
not shipped on PyPI (neither in ``gguf`` nor in the llama-cpp-python wheel). It follows that
script's layout: ``general.type = adapter``, ``adapter.type = lora``, ``adapter.lora.alpha``;
per adapted weight ``<gguf name>.lora_a`` (r x in) and ``.lora_b`` (out x r); and, for
Llama-architecture GGUFs, the row permutation that llama.cpp's converter applies to the
q/k projections, applied to ``lora_b`` (the rows of B are the rows of the delta).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ptp.train._tokens import TrainError

if TYPE_CHECKING:
    from ptp.train._lora import TrainReport

# HF model_type -> gguf architecture name, and whether q/k rows are permuted in the GGUF.
# Both have been served by llama.cpp and evaluated (SmolLM2's and Gemma 3's extraction
# students, README).
ARCHES = {"llama": ("LLAMA", True), "gemma3_text": ("GEMMA3", False), "gemma3": ("GEMMA3", False)}


def _permute(rows: np.ndarray, heads: int) -> np.ndarray:
    """llama.cpp's q/k permutation (its ``LlamaModel.permute``), on a matrix's rows."""
    return (rows.reshape(heads, 2, rows.shape[0] // heads // 2, *rows.shape[1:])
            .swapaxes(1, 2).reshape(rows.shape))  # fmt: skip


def _gguf_arch(config: dict, source: Path) -> Any:
    """The ``gguf.MODEL_ARCH`` of a base with HF config ``config``.

    Raises:
        TrainError: no GGUF mapping for its ``model_type`` (``source`` names the file).
    """
    import gguf

    model_type = config.get("model_type", "")
    if model_type not in ARCHES:
        raise TrainError(f"{source}: no GGUF mapping for model_type {model_type!r}")
    return getattr(gguf.MODEL_ARCH, ARCHES[model_type][0])


def _permuted_heads(module: str, config: dict) -> int | None:
    """The head count whose row order llama.cpp permutes in ``module``'s weight (the q and
    k projections of an architecture that ``ARCHES`` marks permuted), else None."""
    if not ARCHES[config["model_type"]][1]:
        return None
    heads = config["num_attention_heads"]
    if module.endswith("q_proj"):
        return heads
    if module.endswith("k_proj"):
        return config.get("num_key_value_heads") or heads
    return None


def _unpermute(rows: np.ndarray, heads: int) -> np.ndarray:
    """The inverse of :func:`_permute`."""
    return (rows.reshape(heads, rows.shape[0] // heads // 2, 2, *rows.shape[1:])
            .swapaxes(1, 2).reshape(rows.shape))  # fmt: skip


def adapter_to_gguf(adapter: str | Path, config: dict, out: str | Path) -> Path:
    """Convert the peft adapter folder ``adapter`` (``adapter_model.safetensors``) for a base
    whose HF config is ``config`` into the llama.cpp adapter ``out`` (F32; returns it).

    Raises:
        TrainError: an architecture without a known GGUF mapping, or a weight name that does
            not map to a GGUF tensor.
    """
    import gguf
    from safetensors.numpy import load_file

    adapter, out = Path(adapter), Path(out)
    settings = json.loads((adapter / "adapter_config.json").read_text(encoding="utf-8"))
    arch = _gguf_arch(config, adapter)
    names = gguf.get_tensor_name_map(arch, config["num_hidden_layers"])
    weights = load_file(str(adapter / "adapter_model.safetensors"))
    writer = gguf.GGUFWriter(str(out), gguf.MODEL_ARCH_NAMES[arch])
    writer.add_string(gguf.Keys.General.TYPE, gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(settings["lora_alpha"]))
    for key in sorted(k for k in weights if ".lora_A." in k):
        module = key.split("base_model.model.", 1)[-1].split(".lora_A.")[0]
        target = names.get_name(module)
        if target is None:
            raise TrainError(f"{adapter}: {module} has no GGUF tensor name for {arch.name}")
        lora_a = weights[key].astype(np.float32)
        lora_b = weights[key.replace(".lora_A.", ".lora_B.")].astype(np.float32)
        if heads := _permuted_heads(module, config):
            lora_b = _permute(lora_b, heads)
        writer.add_tensor(f"{target}.weight.lora_a", np.ascontiguousarray(lora_a))
        writer.add_tensor(f"{target}.weight.lora_b", np.ascontiguousarray(lora_b))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out


def gguf_to_adapter(gguf_file: str | Path, base_model: Any, out: str | Path) -> Path:
    """Convert the llama.cpp adapter ``gguf_file`` (as :func:`adapter_to_gguf` writes it) back
    into a peft adapter folder ``out`` for ``base_model`` (the transformers base it adapts);
    returns ``out``. ``r`` comes from the tensors' shapes, ``lora_alpha`` from the GGUF.

    Raises:
        TrainError: not a LoRA adapter GGUF, or a tensor that names no module of the base.
    """
    import gguf
    from safetensors.numpy import save_file

    gguf_file, out = Path(gguf_file), Path(out)
    config = base_model.config.to_dict()
    reader = gguf.GGUFReader(str(gguf_file))
    fields = {f.name: f for f in reader.fields.values()}
    if "adapter.lora.alpha" not in fields:
        raise TrainError(f"{gguf_file}: no adapter.lora.alpha field; not a LoRA adapter GGUF")
    alpha = float(fields["adapter.lora.alpha"].parts[-1][0])
    names = gguf.get_tensor_name_map(_gguf_arch(config, gguf_file), config["num_hidden_layers"])
    module_of = {target: m for m, _ in base_model.named_modules()
                 if (target := names.get_name(m))}  # fmt: skip
    tensors = {t.name: np.array(t.data, dtype=np.float32) for t in reader.tensors}
    weights: dict[str, np.ndarray] = {}
    for name in sorted(n for n in tensors if n.endswith(".weight.lora_a")):
        target = name.removesuffix(".weight.lora_a")
        module = module_of.get(target)
        if module is None:
            raise TrainError(f"{gguf_file}: {target} names no module of the base model")
        lora_a, lora_b = tensors[name], tensors[f"{target}.weight.lora_b"]
        if heads := _permuted_heads(module, config):
            lora_b = _unpermute(lora_b, heads)
        prefix = f"base_model.model.{module}"
        weights[f"{prefix}.lora_A.weight"] = np.ascontiguousarray(lora_a)
        weights[f"{prefix}.lora_B.weight"] = np.ascontiguousarray(lora_b)
    if not weights:
        raise TrainError(f"{gguf_file}: no LoRA tensors (*.weight.lora_a) in it")
    ranks = {w.shape[0] for k, w in weights.items() if k.endswith("lora_A.weight")}
    if len(ranks) != 1:
        raise TrainError(f"{gguf_file}: LoRA ranks differ between modules ({sorted(ranks)})")
    targets = sorted({k.split(".")[-3] for k in weights})
    settings = {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": ranks.pop(),
                "lora_alpha": alpha, "target_modules": targets, "lora_dropout": 0.0,
                "bias": "none", "fan_in_fan_out": False, "inference_mode": True}  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    save_file(weights, str(out / "adapter_model.safetensors"))
    (out / "adapter_config.json").write_text(json.dumps(settings, indent=1), encoding="utf-8")
    return out


def ship_adapter(student: str, adapter: str | Path, report: TrainReport | None = None) -> Path:
    """Convert the peft adapter folder ``adapter`` into the GGUF that embedded student
    ``student`` (``local:<base>+<name>``, a ``LOCAL_TABLE`` entry) serves; returns its path
    (under ``ptp/models/adapters/``). With ``report``, the training run's report is shipped
    beside it (``<name>.training.json``; an earlier adapter is named by its folder, not by
    this machine's path)."""
    from ptp.models._local import adapter_file
    from ptp.models._spec import local_model
    from ptp.train._base import hf_folder

    name = student.removeprefix("local:")
    base = name.split("+", 1)[0]
    local_model(name)  # a clear error for a student the table does not name
    target = adapter_file(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    config = json.loads((hf_folder(base) / "model" / "config.json").read_text(encoding="utf-8"))
    written = adapter_to_gguf(adapter, config, target)
    if report is not None:
        ship_report(report, written)
    return written


def ship_report(report: TrainReport, gguf: Path) -> Path:
    """Write ``report`` beside ``gguf`` as ``<name>.training.json``, with no path of this
    machine in it (in its earlier runs neither): an adapter it went on from is named by its
    folder, a dataset given as an absolute path by its last two parts; returns the file."""
    path = gguf.with_suffix(".training.json")
    path.write_text(json.dumps(_portable(report).model_dump(), indent=1), encoding="utf-8")
    return path


def _portable(report: TrainReport) -> TrainReport:
    dataset = Path(report.dataset)
    return report.model_copy(update={
        "continued_from": Path(report.continued_from).name if report.continued_from else "",
        "dataset": "/".join(dataset.parts[-2:]) if dataset.is_absolute() else report.dataset,
        "earlier_runs": [_portable(run) for run in report.earlier_runs],
    })  # fmt: skip
