"""The peft -> llama.cpp adapter conversion: names, shapes, alpha, and the q/k row order that
transformers undoes when it loads a Llama GGUF (so a served delta lands where it trained);
and the way back, which gives the same student."""

from __future__ import annotations

import numpy as np
import pytest

from ptp.train._gguf import _permute, _unpermute, adapter_to_gguf, gguf_to_adapter


@pytest.mark.parametrize(("heads", "kv_heads"), [(4, 4), (9, 3)])
def test_q_and_k_rows_are_permuted_as_transformers_unpermutes_them(heads, kv_heads):
    from transformers.modeling_gguf_pytorch_utils import LlamaTensorProcessor

    rows = np.arange(kv_heads * 8 * 3, dtype=np.float32).reshape(kv_heads * 8, 3)
    undo = LlamaTensorProcessor()._reverse_permute_weights
    assert (undo(_permute(rows, kv_heads), kv_heads, kv_heads) == rows).all()
    q = np.arange(heads * 8 * 2, dtype=np.float32).reshape(heads * 8, 2)
    assert (undo(_permute(q, heads), heads, heads) == q).all()


def test_unpermute_inverts_permute():
    rows = np.arange(6 * 8 * 2, dtype=np.float32).reshape(6 * 8, 2)
    assert (_unpermute(_permute(rows, 6), 6) == rows).all()
    assert not (_permute(rows, 6) == rows).all()


def _random_adapter(model, folder, targets):
    """A peft adapter on ``model`` with random A and B (B is zero at init), saved in
    ``folder``; returns the peft model."""
    import torch
    from peft import LoraConfig, get_peft_model

    settings = LoraConfig(r=4, lora_alpha=8, target_modules=targets)
    peft_model = get_peft_model(model, settings)
    for name, param in peft_model.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(param)
    peft_model.save_pretrained(str(folder))
    return peft_model


@pytest.mark.parametrize("base", ["local:smollm2-135m", "local:gemma-3-270m"])
def test_a_gguf_adapter_converts_back_to_the_same_student(tmp_path, base):
    import torch

    from ptp.train import load_student, tiny_twin

    targets = ["q_proj", "k_proj", "up_proj"]
    trained = _random_adapter(tiny_twin(base)[0], tmp_path / "peft", targets)
    model = trained.base_model.model
    shipped = adapter_to_gguf(tmp_path / "peft", model.config.to_dict(), tmp_path / "a.gguf")
    back = gguf_to_adapter(shipped, tiny_twin(base)[0], tmp_path / "back")
    student = load_student(tiny_twin(base)[0], back)
    ids = torch.arange(3, 40).unsqueeze(0)
    with torch.no_grad():
        expected, got = trained(input_ids=ids).logits, student(input_ids=ids).logits
        with trained.disable_adapter():
            plain = trained(input_ids=ids).logits
    assert not torch.allclose(expected, plain, atol=1e-4)  # the adapter changes the outputs
    assert torch.allclose(got, expected, atol=1e-5)


def test_gguf_to_adapter_refuses_a_file_that_is_no_adapter(tmp_path):
    import gguf

    from ptp.train import TrainError, tiny_twin

    writer = gguf.GGUFWriter(str(tmp_path / "m.gguf"), "llama")
    writer.add_tensor("blk.0.attn_q.weight", np.zeros((2, 2), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with pytest.raises(TrainError, match=r"m\.gguf: no adapter\.lora\.alpha"):
        gguf_to_adapter(tmp_path / "m.gguf", tiny_twin("local:smollm2-135m")[0], tmp_path / "o")


def test_adapter_gguf_layout(tmp_path):
    import gguf

    from ptp.train import tiny_twin

    model, _ = tiny_twin("local:smollm2-135m")
    _random_adapter(model, tmp_path, ["q_proj", "down_proj"])
    out = adapter_to_gguf(tmp_path, model.config.to_dict(), tmp_path / "a.gguf")
    reader = gguf.GGUFReader(str(out))
    fields = {f.name: f for f in reader.fields.values()}
    assert bytes(fields["general.type"].parts[-1]).decode() == "adapter"
    assert float(fields["adapter.lora.alpha"].parts[-1][0]) == 8.0
    shapes = {t.name: t.shape.tolist() for t in reader.tensors}
    # GGUF lists dimensions innermost first: A is r x in, B is out x r
    assert shapes["blk.0.attn_q.weight.lora_a"] == [64, 4]
    assert shapes["blk.1.ffn_down.weight.lora_b"] == [4, 64]
    assert len(shapes) == 2 * 2 * 2  # two layers x two modules x (A, B)


def test_the_shipped_report_names_the_earlier_adapter_by_its_folder(tmp_path):
    """No path of this machine is shipped, in the report's earlier runs neither."""
    from ptp.train import LoraRecipe, TrainReport
    from ptp.train._gguf import ship_report

    first = TrainReport(
        base="local:smollm2-135m", examples=3, steps=2, losses=[0.5, 0.25], seconds=1.0,
        tokens=10, tokens_per_s=10.0, device="cpu", recipe=LoraRecipe(steps=2),
        dataset="/home/someone/students/first-run/data", continued_from="/home/someone/base",
    )  # fmt: skip
    report = first.model_copy(update={
        "dataset": "expert:airline L1 ptool calls", "earlier_runs": [first],
        "continued_from": "/home/someone/students/first-run",
    })  # fmt: skip
    written = ship_report(report, tmp_path / "student.gguf")
    assert written == tmp_path / "student.training.json"
    assert "/home/someone" not in written.read_text(encoding="utf-8")
    shipped = TrainReport.model_validate_json(written.read_text(encoding="utf-8"))
    assert shipped.continued_from == "first-run"
    assert shipped.dataset == report.dataset
    assert (shipped.earlier_runs[0].dataset, shipped.earlier_runs[0].continued_from) == (
        "first-run/data",
        "base",
    )
    restored = {"continued_from": report.continued_from, "earlier_runs": [first]}
    assert shipped.model_copy(update=restored) == report
