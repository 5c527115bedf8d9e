"""Entry point of the embedded model server: llama.cpp's OpenAI-compatible server plus our
Gemma 3 chat template (the shipped GGUF has none).

Run through ``ptp serve local:gemma-3-270m``; arguments are llama_cpp.server's own.
"""

from __future__ import annotations

from importlib.resources import files

CHAT_FORMAT = "ptp-gemma3"


def register_chat_format() -> None:
    """Register the template under ``CHAT_FORMAT`` in this process's llama.cpp registry.

    The template starts with ``{{ bos_token }}``: without BOS this base model's extraction
    quality halves (measured, see DESIGN.md).
    """
    from llama_cpp.llama_chat_format import (
        Jinja2ChatFormatter,
        LlamaChatCompletionHandlerRegistry,
    )

    template = files("ptp.models").joinpath("gemma3_chat.jinja").read_text(encoding="utf-8")
    # Gemma ends a turn with the special token <end_of_turn> (id 106 in Gemma 3's vocabulary;
    # 1 is <eos>). It detokenizes to "", so a stop *string* never fires: stop on the ids.
    formatter = Jinja2ChatFormatter(
        template=template,
        eos_token="<end_of_turn>",
        bos_token="<bos>",
        add_generation_prompt=True,
        stop_token_ids=[106, 1],
    )
    handler = formatter.to_chat_handler()
    LlamaChatCompletionHandlerRegistry().register_chat_completion_handler(
        CHAT_FORMAT, handler, overwrite=True
    )


def main() -> None:
    register_chat_format()
    from llama_cpp.server.__main__ import main as serve

    serve()


if __name__ == "__main__":
    main()
