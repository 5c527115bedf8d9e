"""The terminal expert (``expert:terminal``): inspect, act, check, then tell the user. Every
step is read off the tools' answers (the journal's error line, the config's text, the disk
listing, the process table); only the user's own limits come from the task."""

from __future__ import annotations

import difflib
import re
from typing import Any

from ptp.tasks.scenarios import Call, Final, Observed, ScenarioTask, Step

from ._config import KEYS, NUMBERS, is_rotated

__all__ = ["repair_line", "step"]

_LINE = re.compile(r"line (\d+): ")
_DONE = "服务已重新启动，现在正常运行。"


def _last(observed: list[Observed], tool: str) -> Any:
    """The value of the last call to ``tool`` (None when not called)."""
    return next((o.value for o in reversed(observed) if o.tool == tool), None)


def _called(observed: list[Observed], tool: str) -> int:
    return sum(o.tool == tool for o in observed)


def repair_line(line: str) -> str | None:
    """The config line as it should read: ``key = value`` with a known key and, for a
    number, digits (O and l read as 0 and 1); None when no repair is plain."""
    key, sep, value = (part.strip() for part in line.partition("="))
    if not sep:
        key, _, value = line.strip().partition(" ")
        value = value.strip()
    if key not in KEYS:
        close = difflib.get_close_matches(key, KEYS, n=1)
        if not close:
            return None
        key = close[0]
    if key in NUMBERS:
        value = value.translate(str.maketrans("OoIl", "0011"))
    fixed = f"{key} = {value}"
    return fixed if fixed != line.strip() and value else None


def _gave_up(why: str) -> Final:
    return Final(
        f"I cannot go on: {why}",
        f"I could not finish the repair: {why}. I changed nothing after that point; please "
        "take a look yourself.",
        "操作未能完成，工具报告了错误，请人工检查。",
    )


def _service_down(task: ScenarioTask, observed: list[Observed]) -> Step | Final:
    name = task.expected["service"]
    status, logs = _last(observed, "service_status"), _last(observed, "service_logs")
    if status is None:
        return Step(
            f"First I look at {name}'s status and its journal to see why it does not start.",
            (Call("service_status", {"name": name}), Call("service_logs", {"name": name})),
        )
    config = status["config"]
    error = next((line for line in reversed(logs) if _LINE.search(line)), None)
    if error is None:
        return _gave_up(f"the journal of {name} names no config line")
    number = int(_LINE.search(error)[1])
    text = _last(observed, "read_file")
    if text is None:
        return Step(
            f"The journal says: {error.split(': ', 1)[1]}. I read {config} to see line {number}.",
            (Call("read_file", {"path": config}),),
        )
    lines = text.splitlines()
    bad = lines[number - 1].strip() if number <= len(lines) else ""
    fixed = repair_line(bad) if bad else None
    if fixed is None:
        return _gave_up(f"I cannot tell how line {number} of {config} should read")
    if not _called(observed, "replace_in_file"):
        return Step(
            f"Line {number} reads {bad!r}; it should be {fixed!r}. I fix only that line.",
            (Call("replace_in_file", {"path": config, "old": bad, "new": fixed}),),
        )
    started = _last(observed, "restart_service")
    if started is None:
        return Step(f"The config is fixed; now I restart {name}.",
                    (Call("restart_service", {"name": name}),))  # fmt: skip
    return Final(
        f"{name} started (pid {started['pid']}); I tell the user what I changed.",
        f"{name} is running again (pid {started['pid']}, port {started['port']}). Line "
        f"{number} of {config} read {bad!r}; I changed it to {fixed!r} and restarted the "
        "service. Nothing else was changed.",
        "已修正配置文件中的错误；" + _DONE,
    )


def _disk_full(task: ScenarioTask, observed: list[Observed]) -> Step | Final:
    name, limit = task.expected["service"], task.expected["max_use_percent"]
    usage = _last(observed, "disk_usage")
    if usage is None:
        return Step(
            f"I check {name}'s journal and what fills the disk under /var/log.",
            (Call("service_logs", {"name": name}), Call("disk_usage", {"path": "/var/log"})),
        )
    deleted = [o.value for o in observed if o.tool == "delete_file"]
    if not deleted:
        rotated = [f for f in usage["largest_files"] if is_rotated(f["path"])]
        chosen, used = [], usage["disk_used_mb"]
        for file in rotated:  # the largest first, until usage is safely below the limit
            if 100 * used / usage["disk_size_mb"] < limit - 1:
                break
            chosen.append(file)
            used -= file["size_mb"]
        if 100 * used / usage["disk_size_mb"] >= limit - 1:
            return _gave_up(f"deleting every rotated log would not bring usage below {limit}%")
        paths = ", ".join(f["path"] for f in chosen)
        return Step(
            f"The disk is {usage['disk_use_percent']}% full. Rotated logs are safe to delete; "
            f"the largest ones bring it below {limit}%: {paths}.",
            tuple(Call("delete_file", {"path": f["path"]}) for f in chosen),
        )
    if _called(observed, "disk_usage") == 1:
        return Step("I check the disk usage again.", (Call("disk_usage", {"path": "/"}),))
    if usage["disk_use_percent"] >= limit:
        return _gave_up(f"the disk is still {usage['disk_use_percent']}% full")
    started = _last(observed, "restart_service")
    if started is None:
        return Step(f"The disk is at {usage['disk_use_percent']}% now; I restart {name}.",
                    (Call("restart_service", {"name": name}),))  # fmt: skip
    freed = round(sum(d["freed_mb"] for d in deleted), 1)
    return Final(
        f"{name} is running; I report what I deleted.",
        f"I deleted {len(deleted)} rotated log(s) ({', '.join(d['deleted'] for d in deleted)}), "
        f"freeing {freed} MB: the disk is now {usage['disk_use_percent']}% full, and {name} is "
        "running again. Configs, secrets, data files and current logs were not touched.",
        "已删除旧的轮转日志，释放了磁盘空间；" + _DONE,
    )


def _port_conflict(task: ScenarioTask, observed: list[Observed]) -> Step | Final:
    name = task.expected["service"]
    status, processes = _last(observed, "service_status"), _last(observed, "list_processes")
    if status is None:
        return Step(
            f"I look at {name}'s status, its journal and the process table.",
            (Call("service_status", {"name": name}), Call("service_logs", {"name": name}),
             Call("list_processes")),
        )  # fmt: skip
    port = status["port"]
    holders = [p for p in processes if p["port"] == port and p["name"] != name]
    if len(holders) != 1:
        return _gave_up(f"{len(holders)} processes hold port {port}, not one")
    stray = holders[0]
    if not _called(observed, "kill_process"):
        return Step(
            f"Port {port} is held by pid {stray['pid']} ({stray['command']}), not by {name}. "
            "I stop only that process.",
            (Call("kill_process", {"pid": stray["pid"]}),),
        )
    started = _last(observed, "restart_service")
    if started is None:
        return Step(f"Port {port} is free now; I restart {name}.",
                    (Call("restart_service", {"name": name}),))  # fmt: skip
    return Final(
        f"{name} listens on port {started['port']} again.",
        f"Port {port} was held by pid {stray['pid']} ({stray['command']}). I stopped only that "
        f"process and restarted {name}, which is running again on port {started['port']}. No "
        "other process was touched.",
        "已停止占用端口的进程；" + _DONE,
    )


_SCENARIOS = {
    "service-down": _service_down,
    "disk-full": _disk_full,
    "port-conflict": _port_conflict,
}


def step(task: ScenarioTask, observed: list[Observed]) -> Step | Final:
    """The expert's next reply; after an error observation it reports the error and stops."""
    failed = next((o for o in reversed(observed) if o.error), None)
    if failed is not None:
        return _gave_up(f"{failed.tool} answered {failed.error.removeprefix('Error: ')!r}")
    return _SCENARIOS[task.scenario](task, observed)
