"""Traces: nested records of every LLM, ptool, tool and step call.

with ptp.recorder(task="t1") as trace:
    answer = solve(problem)
print(trace.render()); trace.save("t1.json")
"""

from ptp.trace._events import Event, EventKind, Totals, Trace, Usage
from ptp.trace._jsonable import to_jsonable
from ptp.trace._recorder import bind, recorder, recording, span, step, traced

__all__ = [
    "Event",
    "EventKind",
    "Totals",
    "Trace",
    "Usage",
    "bind",
    "recorder",
    "recording",
    "span",
    "step",
    "to_jsonable",
    "traced",
]
