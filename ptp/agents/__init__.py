"""Agents that know tasks only through a list of tools: ReAct (L3) and CodeAct."""

from ptp.agents._actions import (
    FINAL,
    Action,
    ActionParseError,
    actions_schema,
    parse_action,
    parse_json_actions,
    tool_definitions,
)
from ptp.agents._result import AgentResult, ReActResult, StopReason
from ptp.agents.codeact import CodeActAgent, CodeActResult
from ptp.agents.react import MAX_ACTIONS, MAX_FAILURES, Mode, ReActAgent, choose_mode

__all__ = [
    "FINAL",
    "MAX_ACTIONS",
    "MAX_FAILURES",
    "Action",
    "ActionParseError",
    "AgentResult",
    "CodeActAgent",
    "CodeActResult",
    "Mode",
    "ReActAgent",
    "ReActResult",
    "StopReason",
    "actions_schema",
    "choose_mode",
    "parse_action",
    "parse_json_actions",
    "tool_definitions",
]
