"""``ast.parse`` and ``ast.literal_eval`` behind one lock, for code that runs in threads.

CPython 3.11 keeps the AST conversion's recursion depth in interpreter state that threads
share, so two threads parsing at once can fail with "SystemError: AST constructor recursion
depth mismatch" (seen in the agentic dataset run's thread pool: one item of 90, under load).
"""

from __future__ import annotations

import ast
import threading
from typing import Any

__all__ = ["literal_eval", "parse"]

_LOCK = threading.Lock()


def parse(source: str, mode: str = "exec") -> ast.AST:
    """``ast.parse(source, mode=mode)``, one thread at a time."""
    with _LOCK:
        return ast.parse(source, mode=mode)


def literal_eval(text: str) -> Any:
    """``ast.literal_eval(text)``; the parse is the locked part (evaluating walks Python
    objects only)."""
    return ast.literal_eval(parse(text.lstrip(" \t"), "eval"))
