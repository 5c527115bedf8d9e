"""A trained router on its own, for serving: the router layer (``router.pt`` of
:func:`~ptp.train.train_router`) over the base model's features of a request's prompt.

The features are the ones the router trained on: the base model's last hidden state at the
last token before the first assistant turn. A request's prompt is its messages up to the
first assistant turn, so every step of an episode goes to the same student.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ptp.data import ChatExample, ExampleMeta
from ptp.train._router import STUDENTS, _collate, _rows, prompt_features, router_layer
from ptp.train._tokens import TrainError

_PLACEHOLDER_REPLY = {"role": "assistant", "content": ".", "weight": 1}


def prompt_of(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages the router reads: those before the first assistant turn.

    Raises:
        TrainError: no message comes before the first assistant turn.
    """
    prompt = []
    for message in messages:
        if message.get("role") == "assistant":
            break
        prompt.append(dict(message))
    if not prompt:
        raise TrainError("the request has no message before its first assistant turn to route on")
    return prompt


class PromptRouter:
    """``route(messages)``: the router's probability of each student for a request."""

    def __init__(self, base: Any, tokenizer: Any, template: str, router: str | Path,
                 max_length: int = 2048) -> None:  # fmt: skip
        import torch

        state = torch.load(str(router), map_location="cpu", weights_only=True)
        self.layer = router_layer(state["1.weight"].shape[1])
        self.layer.load_state_dict(state)
        self.layer.eval()
        self.base = base.eval()
        self.tokenizer = tokenizer
        self.template = template
        self.max_length = max_length

    def route(self, messages: Sequence[dict[str, Any]]) -> dict[str, float]:
        """Each student's probability (``a``, ``b``) for the request's prompt."""
        import torch

        example = ChatExample(
            messages=[*prompt_of(messages), _PLACEHOLDER_REPLY],
            metadata=ExampleMeta(family="", task_id="request", teacher=""),
        )
        rows = _rows([example], self.tokenizer, self.template, self.max_length)
        batch = _collate(self.tokenizer.pad_token_id or 0)(rows)
        features = prompt_features(self.base, batch["input_ids"], batch["attention_mask"],
                                   batch["prompt_mask"])  # fmt: skip
        with torch.no_grad():
            probs = torch.softmax(self.layer(features), dim=-1)[0]
        return dict(zip(STUDENTS, probs.tolist(), strict=True))
