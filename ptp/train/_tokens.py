"""Chat examples -> token ids with a loss mask, rendered by the template the server uses."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from ptp.data import ChatExample
from ptp.errors import PtpError


class TrainError(PtpError, ValueError):
    """Training data or settings that cannot be used as given."""


def chat_template(model: str, tokenizer: Any) -> str:
    """The Jinja chat template the embedded server applies for ``model`` (``local:<name>`` or
    a name): ptp's own Gemma 3 template (the shipped GGUF has none), else the tokenizer's
    (SmolLM2's GGUF carries its ChatML template)."""
    if model.removeprefix("local:").startswith("gemma-3"):
        return files("ptp.models").joinpath("gemma3_chat.jinja").read_text(encoding="utf-8")
    if not tokenizer.chat_template:
        raise TrainError(f"{model}: the tokenizer has no chat template; pass one explicitly")
    return tokenizer.chat_template


def _render(tokenizer: Any, template: str, messages: list[dict[str, Any]], prompt: bool) -> str:
    plain = [{k: v for k, v in m.items() if k != "weight"} for m in messages]
    return tokenizer.apply_chat_template(
        plain, chat_template=template, tokenize=False, add_generation_prompt=prompt
    )


def tokenize(
    example: ChatExample, tokenizer: Any, template: str, max_length: int | None = None
) -> dict[str, list[int]]:
    """``input_ids`` and ``assistant_masks`` (1 on the tokens of the replies marked
    ``weight: 1``, their end-of-turn marker included) for trl's pre-tokenized path.

    The conversation is rendered once; each reply's span is the text between the rendering
    of the turns before it (with the generation prompt) and the rendering that includes it.

    Raises:
        TrainError: the template does not render a conversation as a prefix of a longer
            one (masks would be wrong), or the example exceeds ``max_length``.
    """
    messages = example.messages
    full = _render(tokenizer, template, messages, prompt=False)
    spans = []
    for i, message in enumerate(messages):
        if message.get("weight") != 1:
            continue
        start = len(_render(tokenizer, template, messages[:i], prompt=True))
        through = _render(tokenizer, template, messages[: i + 1], prompt=False)
        if not full.startswith(through):
            raise TrainError(
                f"{example.metadata.trace}: the chat template does not render turn {i} as a "
                "prefix of the whole conversation; loss masks would be wrong"
            )
        spans.append((start, len(through)))
    encoded = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = encoded["input_ids"], encoded["offset_mapping"]
    mask = [int(any(s <= a and b <= e and b > a for s, e in spans)) for a, b in offsets]
    if max_length is not None and len(ids) > max_length:
        raise TrainError(
            f"{example.metadata.trace}: {len(ids)} tokens > max_length {max_length}; raise "
            "max_length or leave the example out"
        )
    if not any(mask):
        raise TrainError(f"{example.metadata.trace}: no reply to train on (no weight-1 turn)")
    return {"input_ids": ids, "assistant_masks": mask}
