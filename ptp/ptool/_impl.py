"""How a ptool is computed: by the LLM (default), by plain Python, or by a learned function
that falls back to the LLM when it has no answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ptp.ptool._ptool import PTool


class Implementation(Protocol):
    """Computes a ptool's value from its bound arguments."""

    name: str

    def __call__(self, tool: PTool[Any], arguments: dict[str, Any]) -> Any: ...

    def acall(self, tool: PTool[Any], arguments: dict[str, Any]) -> Awaitable[Any]: ...


class LLM:
    """The default: ask the ptool's model, parse, re-ask on a bad reply."""

    name = "llm"

    def __call__(self, tool: PTool[Any], arguments: dict[str, Any]) -> Any:
        return tool.ask_llm(arguments)

    async def acall(self, tool: PTool[Any], arguments: dict[str, Any]) -> Any:
        return await tool.aask_llm(arguments)


@dataclass(frozen=True)
class Python:
    """A plain Python function with the ptool's signature replaces the LLM."""

    fn: Callable[..., Any]
    name: str = "python"

    def __call__(self, tool: PTool[Any], arguments: dict[str, Any]) -> Any:
        return self.fn(**arguments)

    async def acall(self, tool: PTool[Any], arguments: dict[str, Any]) -> Any:
        return self.fn(**arguments)


@dataclass(frozen=True)
class Learned:
    """A learned function (e.g. distilled from traces); when it returns None the LLM answers."""

    fn: Callable[..., Any]
    name: str = "learned"

    def __call__(self, tool: PTool[Any], arguments: dict[str, Any]) -> Any:
        value = self.fn(**arguments)
        return tool.ask_llm(arguments) if value is None else value

    async def acall(self, tool: PTool[Any], arguments: dict[str, Any]) -> Any:
        value = self.fn(**arguments)
        return await tool.aask_llm(arguments) if value is None else value
