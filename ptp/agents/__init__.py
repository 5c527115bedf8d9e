"""Agents that know tasks only through a list of tools: ReAct (L3) and CodeAct."""

from ptp.agents._actions import Action, ActionParseError, parse_action
from ptp.agents._result import AgentResult, StopReason
from ptp.agents.codeact import CodeActAgent, CodeActResult
from ptp.agents.react import ReActAgent

__all__ = [
    "Action",
    "ActionParseError",
    "AgentResult",
    "CodeActAgent",
    "CodeActResult",
    "ReActAgent",
    "StopReason",
    "parse_action",
]
