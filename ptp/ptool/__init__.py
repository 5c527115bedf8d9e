"""Typed LLM-backed function stubs.

from ptp.ptool import ptool

@ptool(model="local:gemma-3-270m")
def sentiment(text: str) -> Literal["positive", "negative"]:
    '''Classify the sentiment of the text.'''

``ptp.ptool`` is this module; the decorator is ``ptp.ptool.ptool``.
"""

from ptp.ptool._context import RunOverrides, current_overrides, ptool_overrides
from ptp.ptool._impl import LLM, Implementation, Learned, Python
from ptp.ptool._prompt import Example
from ptp.ptool._ptool import PTool, PToolConfigError, PToolError, ptool

__all__ = [
    "LLM",
    "Example",
    "Implementation",
    "Learned",
    "PTool",
    "PToolConfigError",
    "PToolError",
    "Python",
    "RunOverrides",
    "current_overrides",
    "ptool",
    "ptool_overrides",
]
