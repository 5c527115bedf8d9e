"""ptp: test-driven evaluation and behavior distillation of LLM agents.

import ptp
with ptp.recorder() as trace:
    trip = extract_trip(problem.prompt)   # a @ptp.ptool
print(trace.render())
"""

from ptp.models import Completion, Model, get_model
from ptp.ptool import Example, PTool, PToolError, ptool, ptool_overrides
from ptp.tools import Tool, ToolError
from ptp.trace import Trace, recorder, step

__all__ = [
    "Completion",
    "Example",
    "Model",
    "PTool",
    "PToolError",
    "Tool",
    "ToolError",
    "Trace",
    "get_model",
    "ptool",
    "ptool_overrides",
    "recorder",
    "step",
]
