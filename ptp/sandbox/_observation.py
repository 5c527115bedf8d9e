"""What one code block produced, and what confinement the worker actually got."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

STATE_LOST_NOTE = "[interpreter restarted: variables from earlier blocks are lost]"
_ADDRESS = re.compile(r"\b0x[0-9a-f]{6,}\b")


@dataclass(frozen=True)
class Observation:
    """The result of running one code block.

    ``stdout`` holds print output and stderr text in the order written (capped, with an
    ``[output truncated: N chars]`` marker, N being the chars dropped). ``value`` is the repr
    of the block's final expression, as in a notebook. ``error`` is the traceback trimmed to
    the model's own frames. ``state_lost`` is set on the block whose worker died in the
    persistent regime: globals defined by earlier blocks are gone. ``tool_calls`` counts the
    calls the parent actually executed for this block. ``exit_signal`` names the signal that
    ended the worker during the block (``"SIGXCPU"``: the CPU limit fired; ``"SIGKILL"`` on a
    wall-clock timeout, which ptp sends), None when the worker survived.
    """

    stdout: str = ""
    value: str | None = None
    error: str | None = None
    error_type: str | None = None
    timed_out: bool = False
    state_lost: bool = False
    tool_calls: int = 0
    duration_s: float = 0.0
    exit_signal: str | None = None

    @property
    def ok(self) -> bool:
        """True when the block ran to the end without an exception."""
        return self.error is None

    def render(self) -> str:
        """The observation as text for the model: output, value, error, restart note.

        Memory addresses (``<function f at 0x7f...>``) are masked as ``0x...``.
        """
        parts = [p.rstrip("\n") for p in (self.stdout, self.value, self.error) if p]
        if self.state_lost:
            parts.append(STATE_LOST_NOTE)
        # addresses in reprs differ between runs; masked, a replayed prompt matches its cassette
        return _ADDRESS.sub("0x...", "\n".join(parts)) if parts else "[no output]"


@dataclass(frozen=True)
class Isolation:
    """The confinement a worker reported after setting itself up (measured, not intended).

    ``uid`` is the uid the code runs as; ``privileges_dropped`` means it is a fresh uid of
    this interpreter alone (so RLIMIT_NPROC bites and the code cannot signal or ptrace the
    harness); ``process_tree_capped`` means the worker sits in a pids cgroup of its own,
    whose cap (``max_processes``) every descendant shares and none can leave, and which is
    killed whole on timeout and close; ``imports_limited`` means some ``sys.path`` entry
    stayed unreadable to that uid, so only modules imported before the drop (the preload)
    are available from it.
    """

    uid: int
    privileges_dropped: bool
    network_isolated: bool
    process_cap: int
    imports_limited: bool
    process_tree_capped: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
