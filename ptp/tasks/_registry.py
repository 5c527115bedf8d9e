"""The registry of task families: a name -> module table fixed at import; each module's
``FAMILY`` is imported on first use (so ``import ptp.tasks`` stays cheap)."""

from __future__ import annotations

from importlib import import_module
from types import MappingProxyType
from typing import Any

from ptp.errors import ConfigError
from ptp.tasks._family import Family

__all__ = ["families", "get_family"]

# Single source of truth for which families exist; a new family adds one line here.
_MODULES = MappingProxyType(
    {
        "airline": "ptp.tasks.airline",
        "knapsack": "ptp.tasks.knapsack",
        "reasoning": "ptp.tasks.reasoning",
        "terminal": "ptp.tasks.terminal",
        "telecom": "ptp.tasks.telecom",
        "booking": "ptp.tasks.booking",
    }
)


def get_family(name: str) -> Family[Any]:
    """The family called ``name``.

    Raises:
        ConfigError: no such family; the message lists the known ones.
    """
    module = _MODULES.get(name)
    if module is None:
        known = ", ".join(_MODULES)
        raise ConfigError(f"unknown task family {name!r}; the families are {known}")
    family: Family[Any] = import_module(module).FAMILY
    return family


def families() -> dict[str, Family[Any]]:
    """Every family by name, in registration order."""
    return {name: get_family(name) for name in _MODULES}
