"""Expert policies as models: ``expert:<family>`` is the family's reference solver acting
through an agent's protocol, step by step, so its traces have the shape of an LLM's. It is a
labelled stand-in teacher for demonstrations and tests, never a student and never scored as a
model (reports write "expert policy, not a model" beside its spec).

    model = get_model("expert:airline").for_task(problem)
    result = get_family("airline").solvers["L3"](problem, model)

The policy comes from the family (``Family.expert``); it needs the task, so an expert model
must be bound with :meth:`ExpertModel.for_task` before it can answer (the pytest plugin binds
it to each eval case's task).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ptp.errors import ConfigError
from ptp.models._client import Message, _fill
from ptp.models._completion import Completion, ToolCall
from ptp.models._errors import ModelError, UnknownProviderError
from ptp.models._spec import ModelSpec
from ptp.trace import span

__all__ = ["ExpertModel", "ExpertNotBoundError", "ExpertReply", "Policy"]


@dataclass(frozen=True)
class ExpertReply:
    """One reply of an expert policy: the text and the native tool calls a model would send."""

    text: str
    tool_calls: tuple[ToolCall, ...] = ()


Policy = Callable[[list[Message], dict[str, Any]], ExpertReply]
"""``policy(messages, params) -> ExpertReply``: the next reply to a conversation; ``params``
are the request's other parameters (``tools``, ``temperature``, ...)."""


class ExpertNotBoundError(ModelError):
    """An expert model was asked to reply before it was bound to a task."""


def _expert_family(name: str) -> Any:
    """The family called ``name``, which must have an expert policy."""
    from ptp.tasks import families, get_family  # they import ptp.models: only when needed

    try:
        family = get_family(name)  # only this family's package is imported
    except ConfigError:
        family = None
    if family is not None and family.expert is not None:
        return family
    why = "no such task family" if family is None else "the family has no expert policy"
    experts = ", ".join(f"expert:{n}" for n, f in families().items() if f.expert is not None)
    raise UnknownProviderError(
        f"model spec 'expert:{name}': {why}; the expert policies are {experts or 'none'}"
    )


class ExpertModel:
    """A family's expert policy behind the :class:`ptp.models.Model` interface.

    Each ``chat`` call asks the policy for the next reply and records an ``llm`` event as a
    real call does (inputs: the messages and parameters; output: text and tool calls). The
    expert spends no tokens: usage is 0 prompt and 0 completion tokens, cost 0.0 USD and
    latency 0.0 s. ``Completion.model`` is the spec (``expert:airline``).

    Args:
        spec: a parsed ``expert:<family>`` spec.
        defaults: parameters recorded with every call (as :class:`Model` sends them).
        **options: :func:`ptp.models.get_model`'s client options (api_key, max_retries,
            timeout_s, max_concurrency, replay); accepted and unused, so that code building
            clients for any spec builds this one too.

    Raises:
        UnknownProviderError: the family does not exist or has no expert policy; the message
            lists the expert specs there are.
    """

    def __init__(
        self,
        spec: ModelSpec,
        *,
        defaults: dict[str, Any] | None = None,
        api_key: str | None = None,
        max_retries: int = 0,
        timeout_s: float | None = None,
        max_concurrency: int = 8,
        replay: bool = False,
    ) -> None:
        self.spec = spec
        self.defaults = dict(defaults or {})
        self.family = _expert_family(spec.name)
        self.task: Any = None
        self._policy: Policy | None = None

    def __repr__(self) -> str:
        bound = f", task={getattr(self.task, 'task_id', '?')!r}" if self._policy else ""
        return f"ExpertModel({self.spec.spec!r}{bound})"

    def for_task(self, task: Any) -> ExpertModel:
        """A copy bound to ``task`` (a task of this expert's family); this one is unchanged.

        Raises:
            TypeError: ``task`` is not a task of the family.
        """
        if not isinstance(task, self.family.task_type):
            raise TypeError(
                f"{self.spec.spec}.for_task(): {type(task).__name__} is not a "
                f"{self.family.task_type.__name__}; pass a task of the {self.family.name} family"
            )
        bound = ExpertModel(self.spec, defaults=self.defaults)
        bound.task = task
        bound._policy = self.family.expert(task)
        return bound

    def _bound(self) -> Policy:
        if self._policy is None:
            raise ExpertNotBoundError(
                f"{self.spec.spec} is an expert policy and needs its task: call "
                "model.for_task(task) and use the model it returns (ptp's pytest plugin binds "
                "ptp_eval.model to the case's task itself)"
            )
        return self._policy

    def chat(self, messages: Sequence[Message], **params: Any) -> Completion:
        """The policy's next reply to ``messages``, recorded as an ``llm`` event.

        Raises:
            ExpertNotBoundError: the model is not bound to a task (see :meth:`for_task`).
        """
        policy = self._bound()
        payload = {"messages": list(messages), **self.defaults, **params}
        with span("llm", self.spec.spec, payload) as event:
            start = time.perf_counter()
            others = {k: v for k, v in payload.items() if k != "messages"}
            reply = policy(payload["messages"], others)
            completion = Completion(
                text=reply.text,
                prompt_tokens=0,
                completion_tokens=0,
                cost_usd=0.0,
                latency_s=0.0,
                model=self.spec.spec,
                finish_reason="tool_calls" if reply.tool_calls else "stop",
                wall_s=time.perf_counter() - start,
                tool_calls=reply.tool_calls,
            )
            _fill(event, completion)
            return completion

    async def achat(self, messages: Sequence[Message], **params: Any) -> Completion:
        """Async :meth:`chat` (the policy runs at once)."""
        return self.chat(messages, **params)

    def complete(self, prompt: str, **params: Any) -> Completion:
        """Not supported: an expert acts in conversations, through an agent.

        Raises:
            ModelError: always.
        """
        raise ModelError(
            f"{self.spec.spec}: an expert policy answers chats only (it acts through an "
            "agent's conversation); use chat()"
        )

    async def acomplete(self, prompt: str, **params: Any) -> Completion:
        """Not supported (see :meth:`complete`)."""
        return self.complete(prompt, **params)
