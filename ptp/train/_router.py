"""Two students and a learned router (the CoT-distillation seed's design, made to train).

Two LoRA students of one base (each trained with :func:`~ptp.train.train_lora`, e.g. on a
different teacher's traces or reasoning style) and a router that picks, per prompt, the
student to answer. The router is a linear layer over the base model's last hidden state at
the prompt's last token (adapters off), standardized per feature. It trains on the mixture
likelihood

    loss = -log( r_a(x) * p_a(y | x) + r_b(x) * p_b(y | x) )     (per example, y = the replies)

so its gradient moves each prompt toward the student that explains the reply better (the
seed's router received no gradient at all). With ``train_students`` the students train too,
with an optional consistency term ``kl_weight * KL(p_a || p_b)``: the Kullback-Leibler
divergence of the two students' next-token distributions on the reply tokens (the seed's
"KL" was a mean squared error between hidden states).

Training runs through transformers' ``Trainer`` (optimizer, schedule, logging); this module
only defines the model's loss. With the students frozen (the default) their reply
likelihoods and the router's inputs do not change during training: they are computed once
per example, and the steps train the router layer alone on them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ptp.data import ChatExample
from ptp.train._tokens import TrainError, tokenize

ROUTER_FILE = "router.pt"
ROUTER_REPORT = "router.json"
STUDENTS = ("a", "b")


class RouterRecipe(BaseModel):
    """What a router run does."""

    steps: int = Field(40, ge=1)
    batch_size: int = Field(8, ge=1)
    learning_rate: float = Field(1e-2, gt=0.0)
    train_students: bool = False
    """Also update both students' LoRA weights (else only the router trains)."""
    kl_weight: float = Field(0.0, ge=0.0)
    """Weight of KL(p_a || p_b) on the reply tokens; only with ``train_students``."""
    max_length: int = Field(512, ge=8)
    seed: int = 0


class RouterReport(BaseModel):
    """What a router run measured; written as ``router.json`` beside the router weights."""

    examples: int
    steps: int
    losses: list[float]
    seconds: float
    router_change: float
    """L2 norm of (trained - initial) router weights: 0 means the router did not learn."""
    recipe: RouterRecipe


def kl_divergence(logits_p: Any, logits_q: Any, mask: Any) -> Any:
    """Mean over the masked positions of KL(p || q) between the softmax distributions of two
    logits tensors (batch, length, vocabulary); ``mask`` (batch, length) is 1 where counted."""
    import torch

    log_p = torch.log_softmax(logits_p.float(), dim=-1)
    log_q = torch.log_softmax(logits_q.float(), dim=-1)
    per_position = (log_p.exp() * (log_p - log_q)).sum(dim=-1)
    weights = mask.float()
    return (per_position * weights).sum() / weights.sum().clamp(min=1.0)


def router_layer(width: int) -> Any:
    """The router: the features standardized (they share a large common part), then linear."""
    import torch

    return torch.nn.Sequential(
        torch.nn.BatchNorm1d(width, affine=False), torch.nn.Linear(width, len(STUDENTS))
    )


def prompt_features(model: Any, input_ids: Any, attention_mask: Any, prompt_mask: Any) -> Any:
    """(batch, width): ``model``'s last hidden state at each prompt's last token, without
    gradient (the router's input)."""
    import torch

    with torch.no_grad():
        states = model(input_ids=input_ids, attention_mask=attention_mask,
                       output_hidden_states=True).hidden_states[-1]  # fmt: skip
    last = (prompt_mask.sum(dim=1) - 1).clamp(min=0)
    return states[torch.arange(len(last)), last].float()


def _build(base: Any, adapter_a: str | Path, adapter_b: str | Path) -> Any:
    """The router model: both adapters loaded on ``base`` (peft) and a fresh router layer."""
    import torch
    from peft import PeftModel

    class TwoStudents(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.students = PeftModel.from_pretrained(base, str(adapter_a), adapter_name="a")
            self.students.load_adapter(str(adapter_b), adapter_name="b")
            self.router = router_layer(self.students.get_input_embeddings().embedding_dim)
            self.kl_weight = 0.0
            self.trained: list[Any] = []  # the students' LoRA weights, when they train

        def train_students(self, kl_weight: float) -> None:
            """Let both students' LoRA weights train, with KL(p_a || p_b) weighted by
            ``kl_weight`` (0: off)."""
            self.kl_weight = kl_weight
            self.trained = [p for n, p in self.students.named_parameters() if "lora_" in n]
            for parameter in self.trained:
                parameter.requires_grad_(True)

        def features(self, input_ids: Any, attention_mask: Any, prompt_mask: Any) -> Any:
            """(batch, width): the router's input, the base model's last hidden state at the
            prompt's last token (the adapters off; no gradient reaches the base)."""
            with self.students.disable_adapter():
                return prompt_features(self.students, input_ids, attention_mask, prompt_mask)

        def route_logits(self, input_ids: Any, attention_mask: Any, prompt_mask: Any) -> Any:
            """(batch, 2): the router's scores for each prompt."""
            return self.router(self.features(input_ids, attention_mask, prompt_mask))

        def reply_log_p(self, input_ids: Any, attention_mask: Any,
                        labels: Any) -> tuple[Any, dict[str, Any]]:  # fmt: skip
            """Each student's log p(replies | prompt), (batch, 2); and their logits."""
            targets = labels[:, 1:]
            counted = targets != -100
            logits = {name: self.student_logits(name, input_ids, attention_mask)[:, :-1]
                      for name in STUDENTS}  # fmt: skip
            log_p = torch.stack([_sequence_log_p(logits[n], targets, counted)
                                 for n in STUDENTS], dim=1)  # fmt: skip
            return log_p, logits

        def student_logits(self, name: str, input_ids: Any, attention_mask: Any) -> Any:
            # peft's set_adapter freezes the inactive adapter: undo that while both train
            self.students.base_model.set_adapter(name, inference_mode=not self.trained)
            for parameter in self.trained:
                parameter.requires_grad_(True)
            return self.students(input_ids=input_ids, attention_mask=attention_mask).logits

        def forward(self, input_ids: Any, attention_mask: Any, labels: Any, prompt_mask: Any,
                    **_: Any) -> dict[str, Any]:  # fmt: skip
            scores = self.route_logits(input_ids, attention_mask, prompt_mask)
            reply_log_p, logits = self.reply_log_p(input_ids, attention_mask, labels)
            counted = labels[:, 1:] != -100
            loss = _mixture_loss(scores, reply_log_p, counted.sum(dim=1))
            if self.kl_weight:
                loss = loss + self.kl_weight * kl_divergence(logits["a"], logits["b"], counted)
            return {"loss": loss}

    return TwoStudents()


def _mixture_loss(scores: Any, reply_log_p: Any, tokens: Any) -> Any:
    """Mean over the batch of -log(r_a p_a + r_b p_b) per reply token."""
    import torch

    route = torch.log_softmax(scores, dim=-1)
    return -(torch.logsumexp(route + reply_log_p, dim=1) / tokens.clamp(min=1)).mean()


def _frozen_rows(model: Any, rows: list[dict[str, list[int]]], pad_id: int) -> list[dict]:
    """Per example, the router's features and both students' reply log-likelihoods. With the
    students frozen neither changes while the router trains, so each example costs three
    forward passes once instead of three per step (the loss is the same)."""
    import torch

    collate = _collate(pad_id)
    cached = []
    model.eval()
    for row in rows:
        batch = collate([row])
        with torch.no_grad():
            features = model.features(batch["input_ids"], batch["attention_mask"],
                                      batch["prompt_mask"])  # fmt: skip
            log_p, _ = model.reply_log_p(batch["input_ids"], batch["attention_mask"],
                                         batch["labels"])  # fmt: skip
        tokens = int((batch["labels"][:, 1:] != -100).sum())
        cached.append({"features": features[0].tolist(), "reply_log_p": log_p[0].tolist(),
                       "tokens": tokens})  # fmt: skip
    return cached


def _router_only(router: Any) -> Any:
    """The router layer trained on :func:`_frozen_rows` (same loss as the whole model's)."""
    import torch

    class RouterOnly(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.router = router

        def forward(self, features: Any, reply_log_p: Any, tokens: Any, **_: Any) -> dict:
            return {"loss": _mixture_loss(self.router(features), reply_log_p, tokens)}

    return RouterOnly()


def _stack(rows: list[dict[str, Any]]) -> dict[str, Any]:
    import torch

    return {key: torch.tensor([r[key] for r in rows]) for key in rows[0]}


def _sequence_log_p(logits: Any, targets: Any, counted: Any) -> Any:
    """log p(reply | prompt) per example: the sum over the counted target tokens."""
    import torch

    log_p = torch.log_softmax(logits.float(), dim=-1)
    picked = log_p.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return (picked * counted).sum(dim=1)


def _rows(examples: Sequence[ChatExample], tokenizer: Any, template: str,
          max_length: int) -> list[dict[str, list[int]]]:  # fmt: skip
    rows = []
    for example in examples:
        row = tokenize(example, tokenizer, template, max_length)
        ids, mask = row["input_ids"], row["assistant_masks"]
        first_reply = mask.index(1)
        rows.append({
            "input_ids": ids,
            "labels": [t if m else -100 for t, m in zip(ids, mask, strict=True)],
            "prompt_mask": [int(i < first_reply) for i in range(len(ids))],
        })  # fmt: skip
    return rows


def _collate(pad_id: int) -> Any:
    import torch

    def collate(rows: list[dict[str, list[int]]]) -> dict[str, Any]:
        width = max(len(r["input_ids"]) for r in rows)

        def padded(key: str, fill: int) -> Any:
            return torch.tensor([r[key] + [fill] * (width - len(r[key])) for r in rows])

        ids = padded("input_ids", pad_id)
        attention = torch.tensor([[1] * len(r["input_ids"]) + [0] * (width - len(r["input_ids"]))
                                  for r in rows])  # fmt: skip
        return {"input_ids": ids, "attention_mask": attention, "labels": padded("labels", -100),
                "prompt_mask": padded("prompt_mask", 0)}  # fmt: skip

    return collate


class RoutedStudents:
    """Two trained students and their router: ``choose(example)`` names the student to ask,
    ``reply_nll(example, name)`` scores a student on an example's replies."""

    def __init__(self, model: Any, tokenizer: Any, template: str, max_length: int = 512) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.template = template
        self.max_length = max_length

    def _batch(self, example: ChatExample) -> dict[str, Any]:
        row = _rows([example], self.tokenizer, self.template, self.max_length)
        return _collate(self.tokenizer.pad_token_id or 0)(row)

    def route(self, example: ChatExample) -> dict[str, float]:
        """The router's probability of each student for this prompt."""
        import torch

        batch = self._batch(example)
        with torch.no_grad():
            scores = self.model.route_logits(
                batch["input_ids"], batch["attention_mask"], batch["prompt_mask"]
            )
            probs = torch.softmax(scores, dim=-1)[0]
        return dict(zip(STUDENTS, probs.tolist(), strict=True))

    def choose(self, example: ChatExample) -> str:
        """The student the router sends this prompt to."""
        scores = self.route(example)
        return max(scores, key=scores.__getitem__)

    def reply_nll(self, example: ChatExample, name: str) -> float:
        """Mean negative log-likelihood per reply token of student ``name`` on the replies."""
        import torch

        batch = self._batch(example)
        with torch.no_grad():
            logits = self.model.student_logits(name, batch["input_ids"],
                                               batch["attention_mask"])[:, :-1]  # fmt: skip
            targets = batch["labels"][:, 1:]
            counted = targets != -100
            log_p = _sequence_log_p(logits, targets, counted)
        return float(-log_p[0] / counted.sum())


def train_router(
    examples: Sequence[ChatExample], base: Any, tokenizer: Any, template: str,
    adapters: tuple[str | Path, str | Path], out: str | Path,
    recipe: RouterRecipe | None = None,
) -> tuple[RoutedStudents, RouterReport]:  # fmt: skip
    """Train the router (and, with ``recipe.train_students``, both students) on ``examples``
    and save the router layer (``router.pt``) and ``router.json`` in ``out`` (the students'
    adapters too when they trained: ``out/a``, ``out/b``).

    Args:
        examples: chat examples from both kinds of tasks (the replies are what is scored).
        base, tokenizer, template: the students' base model, as for ``train_lora``.
        adapters: the two students' adapter folders (``train_lora`` outputs).
        recipe: the settings; ``RouterRecipe()`` when None.

    Raises:
        TrainError: no examples, or an example the template cannot mask.
    """
    import torch
    from datasets import Dataset
    from transformers import PrinterCallback, Trainer, TrainingArguments

    recipe = recipe or RouterRecipe()
    if not examples:
        raise TrainError("no examples to train the router on")
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    torch.manual_seed(recipe.seed)
    model = _build(base, *adapters)
    for parameter in model.students.parameters():
        parameter.requires_grad_(False)
    if recipe.train_students:
        model.train_students(recipe.kl_weight)
    out = Path(out)
    args = TrainingArguments(
        output_dir=str(out / "checkpoints"), max_steps=recipe.steps,
        per_device_train_batch_size=recipe.batch_size, learning_rate=recipe.learning_rate,
        use_cpu=not torch.cuda.is_available(), seed=recipe.seed, data_seed=recipe.seed,
        logging_steps=1, save_strategy="no", report_to="none", disable_tqdm=True,
        remove_unused_columns=False, dataloader_num_workers=0,
    )  # fmt: skip
    rows = _rows(examples, tokenizer, template, recipe.max_length)
    initial = [p.detach().clone() for p in model.router.parameters()]
    started = time.perf_counter()
    if recipe.train_students:
        trainee, collate = model, _collate(tokenizer.pad_token_id)
    else:
        rows = _frozen_rows(model, rows, tokenizer.pad_token_id)
        trainee, collate = _router_only(model.router), _stack
    trainer = Trainer(model=trainee, args=args, train_dataset=Dataset.from_list(rows),
                      data_collator=collate)  # fmt: skip
    trainer.remove_callback(PrinterCallback)
    trainer.train()
    seconds = time.perf_counter() - started
    change = sum(float((p.detach() - p0).pow(2).sum()) for p, p0 in
                 zip(model.router.parameters(), initial, strict=True)) ** 0.5  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    torch.save(model.router.state_dict(), out / ROUTER_FILE)
    if recipe.train_students:
        for name in STUDENTS:
            model.students.save_pretrained(str(out), selected_adapters=[name])
    losses = [float(log["loss"]) for log in trainer.state.log_history if "loss" in log]
    report = RouterReport(
        examples=len(rows), steps=trainer.state.global_step, losses=losses,
        seconds=round(seconds, 2), router_change=change, recipe=recipe,
    )  # fmt: skip
    (out / ROUTER_REPORT).write_text(json.dumps(report.model_dump(), indent=1), encoding="utf-8")
    model.eval()
    return RoutedStudents(model, tokenizer, template, recipe.max_length), report
