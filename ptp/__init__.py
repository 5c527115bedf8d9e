"""ptp: test-driven evaluation and behavior distillation of LLM agents.

import ptp
from ptp.ptool import ptool

@ptool(model="local:gemma-3-270m", max_tokens=400)
def extract_trip(text: str) -> Trip:
    '''Read the passenger's class, route and bags from the text.'''

with ptp.recorder() as trace:
    trip = extract_trip(problem.prompt)
print(trace.render())

``ptp.ptool`` is the module (the decorator is ``ptp.ptool.ptool``), at every import order.
"""

from ptp.models import Completion, Model, get_model
from ptp.ptool import Example, PTool, PToolError, ptool_overrides
from ptp.tools import Tool, ToolError
from ptp.trace import Trace, recorder, step

# ``from ptp.ptool import ...`` above already bound the submodule as ``ptp.ptool``; importing
# the decorator under that name here would shadow the module (``import ptp.ptool`` would then
# give a function), so the decorator is reached as ``ptp.ptool.ptool`` only.

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
    "ptool_overrides",
    "recorder",
    "step",
]
