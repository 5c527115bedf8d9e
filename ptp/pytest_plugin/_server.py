"""The embedded model servers for a test session: each ``local:`` model's server is started
once (a file lock per model across xdist workers) only when a test needs it live, and stopped
when its last user finishes. Each model has its own port, so several can run at once."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from filelock import FileLock

from ptp.models import LocalServer, ModelError, is_healthy, parse_spec
from ptp.models._local import served_models

_SERVERS = pytest.StashKey[dict[str, str]]()
_STACK = pytest.StashKey[ExitStack]()
_GUARD = threading.Lock()


def _read(state: Path) -> dict[str, int | None]:
    return json.loads(state.read_text()) if state.exists() else {"users": 0, "pid": None}


@contextmanager
def shared_local_server(spec: str, shared_dir: Path) -> Iterator[str]:
    """Yield the base URL of a running server for ``spec``, starting it if nobody has.

    A server that was already running (``ptp serve``) is used and left running, provided it
    serves this model.
    """
    parsed = parse_spec(spec)
    assert parsed.base_url
    stem = shared_dir / f"ptp-local-server-{parsed.slug}"
    lock = FileLock(f"{stem}.lock")
    state = Path(f"{stem}.json")
    with lock:
        data = _read(state)
        if not is_healthy(parsed.base_url):
            server = LocalServer(parsed, log=Path(f"{stem}.log")).start()
            assert server.process is not None
            data = {"users": 0, "pid": server.process.pid}
        elif parsed.name not in (models := served_models(parsed.base_url)):
            raise ModelError(
                f"the server at {parsed.base_url} serves {models or 'an unknown model'}, not "
                f"{spec}; stop it or set PTP_LOCAL_PORT"
            )
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


def shared_dir(request: pytest.FixtureRequest) -> Path:
    """A directory all xdist workers of this run share (the controller's basetemp)."""
    base = request.getfixturevalue("tmp_path_factory").getbasetemp()
    return base.parent if hasattr(request.config, "workerinput") else base


def local_server_url(request: pytest.FixtureRequest, spec: str) -> str:
    """The base URL of ``spec``'s embedded server, started at most once per session (per
    worker; shared across workers) and released when the session's config is torn down."""
    config = request.config
    with _GUARD:
        urls = config.stash.setdefault(_SERVERS, {})
        if spec not in urls:
            if _STACK not in config.stash:
                config.stash[_STACK] = ExitStack()
                config.add_cleanup(config.stash[_STACK].close)
            stack = config.stash[_STACK]
            urls[spec] = stack.enter_context(shared_local_server(spec, shared_dir(request)))
        return urls[spec]


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
