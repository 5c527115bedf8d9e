"""The reference solution: an environment driven to the solved state through its own tools."""

from __future__ import annotations

from ptp.tasks.scenarios import ScenarioTask

from ._draw import config_text
from ._env import TerminalEnv

__all__ = ["reference"]


def reference(task: ScenarioTask) -> TerminalEnv:
    """``task``'s environment solved from the ground truth (scores 1)."""
    env = TerminalEnv(task)
    expected = task.expected
    name = expected["service"]
    if task.scenario == "service-down":
        path = expected["config"]
        broken = env.read_file(path).splitlines(keepends=True)
        fixed = config_text(name, task.state["host"], expected["values"]).splitlines(True)
        for old, new in zip(broken, fixed, strict=True):
            if old != new:
                env.replace_in_file(path, old, new)
    elif task.scenario == "disk-full":
        for path in expected["deletable"]:
            env.delete_file(path)
    else:
        env.kill_process(expected["stray_pid"])
    env.restart_service(name)
    env.answer = f"{name} is running again."
    return env
