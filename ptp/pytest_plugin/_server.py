"""The embedded model server for a test session: started once (file lock across xdist
workers) only when a test needs the live model, stopped when its last user finishes."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

from ptp.models import LocalServer, is_healthy, parse_spec


def _read(state: Path) -> dict[str, int | None]:
    return json.loads(state.read_text()) if state.exists() else {"users": 0, "pid": None}


@contextmanager
def shared_local_server(spec: str, shared_dir: Path) -> Iterator[str]:
    """Yield the base URL of a running embedded server, starting it if nobody has.

    A server that was already running (``ptp serve``) is used and left running.
    """
    parsed = parse_spec(spec)
    assert parsed.base_url
    lock = FileLock(str(shared_dir / "ptp-local-server.lock"))
    state = shared_dir / "ptp-local-server.json"
    with lock:
        data = _read(state)
        if not is_healthy(parsed.base_url):
            server = LocalServer(parsed, log=shared_dir / "ptp-local-server.log").start()
            assert server.process is not None
            data = {"users": 0, "pid": server.process.pid}
        data["users"] = int(data["users"] or 0) + 1
        state.write_text(json.dumps(data))
    try:
        yield parsed.base_url
    finally:
        with lock:
            data = _read(state)
            data["users"] = max(0, int(data["users"] or 0) - 1)
            if data["users"] == 0 and data["pid"]:
                _stop(int(data["pid"]), parsed.base_url)
                data["pid"] = None
            state.write_text(json.dumps(data))


def _stop(pid: int, base_url: str) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while is_healthy(base_url, timeout_s=0.2) and time.monotonic() < deadline:
        time.sleep(0.1)
    if is_healthy(base_url, timeout_s=0.2):
        os.killpg(pid, signal.SIGKILL)
