"""The sandbox's fork server: workers forked from it start clean, and it is replaced when gone."""

from __future__ import annotations

import ast
import os
import signal
import threading

import pytest

from ptp.sandbox import Interpreter, _forks

OPEN_PIPES_AND_SOCKETS = """\
import os, sys
links = {}
for fd in os.listdir('/proc/self/fd'):
    try:
        links[int(fd)] = os.readlink(f'/proc/self/fd/{fd}')
    except OSError:
        pass  # the listing's own descriptor
pipes = sorted(fd for fd, link in links.items() if link.startswith('pipe:'))
sockets = sorted(fd for fd, link in links.items() if link.startswith('socket:'))
pipes, sorted([1, 2, int(sys.argv[1]), int(sys.argv[2])]), sockets
"""


def _fresh_server() -> None:
    """Close this process's fork server, so that the next worker starts a new one."""
    if _forks._server is not None:
        _forks._server.close()


def test_a_worker_holds_only_its_own_pipes() -> None:
    with Interpreter("persistent") as py:
        obs = py.run(OPEN_PIPES_AND_SOCKETS)
    pipes, expected, sockets = ast.literal_eval(obs.value)
    assert pipes == expected  # output (1, 2), command and reply: no pipe of the server
    assert sockets == []  # not the server's socket


def test_a_worker_starts_with_no_harness_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret")
    _fresh_server()  # started while the secret is in the harness's environment
    with Interpreter("persistent") as py:
        obs = py.run("open('/proc/self/environ', 'rb').read()")  # the environment at exec
        assert obs.ok and "PYTHONHASHSEED=0" in obs.value
        assert "sk-test-secret" not in obs.value
        assert py.run("import os\nos.environ['HOME']").value == repr(py.workdir)


def test_a_dead_fork_server_is_replaced_and_its_workers_live_on() -> None:
    with Interpreter("persistent") as first:
        assert first.run("x = 1").ok
        server = _forks._server
        assert server is not None
        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait()
        assert first.run("x + 1").value == "2"
        with Interpreter("persistent") as second:
            assert second.run("40 + 2").value == "42"
        assert _forks._server is not server
    assert server.gone  # closing read the dead server's EOF, not waiting out the timeout


def test_workers_of_one_server_are_reported_by_pid() -> None:
    with Interpreter("persistent", timeout_s=5.0, cpu_s=1.0) as py:
        obs = py.run("while True: pass")
    assert obs.exit_signal == "SIGXCPU"  # the server reported the waiting process's exit
    with Interpreter("reset", fresh_process=True) as py:
        values = {py.run("import os\nos.getpid()").value for _ in range(3)}
    assert len(values) == 3


def test_a_worker_closed_while_its_thread_holds_the_server_lock_does_not_hang() -> None:
    """A worker's finalizer may run in a garbage collection that starts inside spawn() or
    wait(): closing it then must not wait on the lock its own thread holds."""
    py = Interpreter("persistent")
    assert py.run("1").ok
    server = _forks._server
    assert server is not None

    def close_inside_the_lock() -> None:
        with server.lock:
            py.close()

    closer = threading.Thread(target=close_inside_the_lock, daemon=True)
    closer.start()
    closer.join(timeout=10)
    assert not closer.is_alive()
