"""A wall-clock limit for one SymPy comparison (SymPy can run for minutes on some input).

SIGALRM interrupts pure-Python work anywhere, so the limit is exact, but signals exist only
in the main thread: elsewhere :func:`time_limit` sets none, and the callers' input guards
(:data:`ptp.tasks.reasoning._mathcheck.MAX_SYMPY_CHARS` and the refused patterns) are what
bound the work.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["CheckTimeout", "time_limit"]


class CheckTimeout(BaseException):
    """The comparison ran past its limit. A BaseException, not an Exception: SymPy's broad
    ``except Exception`` clauses must not swallow it."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[bool]:
    """Raise :class:`CheckTimeout` in the block after ``seconds`` of wall time.

    Yields True when a limit is set; False (no limit) for ``seconds`` None or <= 0, outside
    the main thread, where SIGALRM does not exist, or when an outer real-time timer is
    already running (it is left alone: its owner's limit still applies).
    """
    usable = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
    if not usable:
        yield False
        return

    def expire(signum: int, frame: Any) -> None:
        raise CheckTimeout(f"answer check ran past {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
