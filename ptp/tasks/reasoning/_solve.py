"""Asking a model one question in one style: a ptool whose docstring is the style's
instruction and the answer rule, whose argument is the core prompt, and whose return type
``{reasoning, answer}`` is sent as the structured-output schema where the provider takes one
(the ``answer`` field is an enum of the option labels, yes/no or the NLI labels when the
question has them).

    reply = ask_style(task, "plan_then_solve", model)
    reply.answer, reply.structured, reply.response
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from ptp.models import Completion, Model, ModelCallError
from ptp.ptool import PTool, PToolError, ptool_overrides
from ptp.tasks._family import Solver, SolverResult

from ._prompts import ANSWER_RULES, core_prompt
from ._schema import NLI_LABELS, AnswerKind, ReasoningTask
from ._styles import STYLES

__all__ = [
    "CAPS",
    "SOLVERS",
    "StyleReply",
    "ask_style",
    "ptool_for",
    "reference_solver",
    "reply_type",
    "style_ptool",
]

TEMPERATURE = 0

_REASONING = Field(description="your reasoning, as the instructions ask")
_ANSWER = Field(description="the final answer only")


@cache
def reply_type(kind: AnswerKind, labels: tuple[str, ...] = ()) -> type[BaseModel]:
    """The reply schema: ``reasoning`` (text) then ``answer`` (reasoning comes first, so a
    model writes it before committing to an answer). ``answer`` is one of ``labels`` for
    multiple choice, yes/no, an NLI label, else text (numbers and LaTeX as written)."""
    answer: Any = str
    if kind == "choice":
        answer = Literal[labels]  # type: ignore[valid-type]
    elif kind == "yes_no":
        answer = Literal["yes", "no"]
    elif kind == "nli":
        answer = Literal[NLI_LABELS]  # type: ignore[valid-type]
    return create_model("Reply", reasoning=(str, _REASONING), answer=(answer, _ANSWER))


def _stub(name: str, doc: str, returns: type[BaseModel]) -> Any:
    def stub(question: str) -> Any: ...

    stub.__name__ = stub.__qualname__ = name
    stub.__doc__ = doc
    stub.__annotations__ = {"question": str, "return": returns}
    return stub


@cache
def style_ptool(style: str, kind: AnswerKind, labels: tuple[str, ...] = ()) -> PTool[Any]:
    """The ptool of ``style`` for questions of ``kind`` (and these option labels): no model
    of its own (:func:`ask_style` passes one), temperature 0, the style's reply budget, no
    re-asks (a reply that does not parse is read as text instead)."""
    spec = STYLES[style]
    doc = f"Answer the question. {spec.instruction}\n{ANSWER_RULES[kind]}"
    return PTool(
        fn=_stub(style, doc, reply_type(kind, labels)),
        params={"temperature": TEMPERATURE, "max_tokens": spec.max_tokens},
        retries=0,
    )


def ptool_for(task: ReasoningTask, style: str) -> PTool[Any]:
    """:func:`style_ptool` for this task's answer kind and labels."""
    labels = task.choices.label if task.choices is not None else ()
    return style_ptool(style, task.kind, labels)


class _Replies:
    """A model that keeps its chat replies; calls pass through unchanged."""

    def __init__(self, model: Model) -> None:
        self._model = model
        self.replies: list[Completion] = []

    def chat(self, messages: list[dict[str, str]], **params: Any) -> Completion:
        reply = self._model.chat(messages, **params)
        self.replies.append(reply)
        return reply

    async def achat(self, messages: list[dict[str, str]], **params: Any) -> Completion:
        reply = await self._model.achat(messages, **params)
        self.replies.append(reply)
        return reply

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


@dataclass
class StyleReply:
    """One question asked in one style.

    Attributes:
        style: the style's name.
        messages: the chat the model was sent.
        response: the reply's text (None when the call failed).
        answer: the ``answer`` field of a reply that matched the schema; the whole response
            when it did not (the scorer reads the answer out of it); None on failure.
        reasoning: the ``reasoning`` field (None when the reply did not match the schema).
        structured: the reply matched the schema.
        finish_reason: the reply's ("length": cut at the style's budget).
        prompt_tokens, completion_tokens: the call's usage.
        error: why there is no reply (a model error), else None.
    """

    style: str
    messages: list[dict[str, str]]
    response: str | None = None
    answer: str | None = None
    reasoning: str | None = None
    structured: bool = False
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def ask_style(task: ReasoningTask, style: str, model: Model) -> StyleReply:
    """Ask ``model`` the question of ``task`` in ``style`` (one call).

    Raises:
        KeyError: an unknown style (:data:`STYLES` lists them).
    """
    tool = ptool_for(task, style)
    question = core_prompt(task)
    result = StyleReply(style, tool.messages(question=question))
    watched = _Replies(model)
    try:
        with ptool_overrides(model=watched):  # type: ignore[arg-type]  # a Model stand-in
            reply = tool(question=question)
        result.answer, result.reasoning, result.structured = reply.answer, reply.reasoning, True
    except PToolError as err:  # not the schema (cut at the budget, prose): read the text
        result.answer = err.raw
    except ModelCallError as err:
        result.error = f"ModelCallError: {str(err)[:300]}"
    if watched.replies:
        last = watched.replies[-1]
        result.response, result.finish_reason = last.text, last.finish_reason
        result.prompt_tokens = sum(r.prompt_tokens for r in watched.replies)
        result.completion_tokens = sum(r.completion_tokens for r in watched.replies)
    return result


def _solver(style: str) -> Solver:
    def solve(task: ReasoningTask, model: Model | None) -> SolverResult:
        if model is None:
            raise ValueError(f"style {style!r} needs a model")
        reply = ask_style(task, style, model)
        if reply.error is not None:
            return SolverResult(None, "model_error", failure=reply.error)
        if reply.finish_reason == "length":
            stop = "length"
        else:
            stop = "answered" if reply.answer else "parse_failure"
        extra = {
            "structured": int(reply.structured),
            "reasoning_chars": len(reply.reasoning or reply.response or ""),
        }
        return SolverResult(reply.answer, stop, reply.finish_reason, extra=extra)

    solve.__name__ = f"solve_{style}"
    solve.__doc__ = f"One reply in the {style} style ({STYLES[style].summary})."
    return solve


def reference_solver(task: ReasoningTask, model: Model | None = None) -> SolverResult:
    """The gold answer, no model: scores 1 by construction (checks the scorer)."""
    return SolverResult(task.gold_answer)


SOLVERS: Mapping[str, Solver] = MappingProxyType(
    {**{name: _solver(name) for name in STYLES}, "reference": reference_solver}
)
"""Style name -> solver, plus ``reference`` (the gold answer; the family's exact solver)."""

CAPS: Mapping[str, str] = MappingProxyType(
    {
        name: f"reply budget {s.max_tokens} tokens (max_tokens={s.max_tokens}), temperature 0"
        for name, s in STYLES.items()
    }
)
"""Style -> the settings that cap it, for reports."""
