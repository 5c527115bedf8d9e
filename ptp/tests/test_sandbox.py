"""The sandboxed interpreter: regimes, observations, tool proxying, and hostile code."""

from __future__ import annotations

import ast
import os
import socket
import time
from pathlib import Path

import pytest

from ptp.sandbox import Interpreter, Observation, SandboxError
from ptp.tools import Tool, ToolError
from ptp.trace import recorder

HOSTILE_TIMEOUT_S = 1.0


class Counter:
    """A tiny stateful environment living in the test process."""

    def __init__(self) -> None:
        self.taken: list[str] = []

    def take_item(self, item_id: str) -> dict:
        """Take one item."""
        if item_id == "forbidden":
            raise ToolError("class not allowed; nothing was taken")
        self.taken.append(item_id)
        return {"taken": item_id, "count": len(self.taken)}

    def tools(self) -> list[Tool]:
        return [Tool.from_function(self.take_item)]


def _live_processes(uid: int, expected: int | None = None) -> list[int]:
    """Live (non-zombie) pids of ``uid``; with ``expected``, wait up to 2 s for that count.

    SIGKILL is asynchronous: killed processes need a moment to exit on a loaded machine.
    """
    deadline = time.monotonic() + 2.0
    while True:
        pids = _scan(uid)
        if expected is None or len(pids) == expected or time.monotonic() > deadline:
            return pids
        time.sleep(0.01)


def _scan(uid: int) -> list[int]:
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            status = Path(f"/proc/{name}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields["Uid"].split()[0]) == uid and not fields["State"].strip().startswith("Z"):
            pids.append(int(name))
    return pids


@pytest.fixture
def env() -> Counter:
    return Counter()


@pytest.fixture
def py(env: Counter):
    with Interpreter("persistent", tools=env.tools(), timeout_s=HOSTILE_TIMEOUT_S) as interp:
        yield interp


def _assert_usable(interp: Interpreter) -> None:
    obs = interp.run("6 * 7")
    assert obs.ok and obs.value == "42", obs


# --- regimes and observations -------------------------------------------------------------


def test_persistent_keeps_variables(py: Interpreter) -> None:
    assert py.run("x = 41").ok
    assert py.run("x + 1").value == "42"


def test_reset_forgets_variables_and_builtins_stash() -> None:
    with Interpreter("reset") as interp:
        assert interp.run("x = 1\nimport builtins\nbuiltins.stash = 2").ok
        obs = interp.run("x")
        assert obs.error_type == "NameError" and "name 'x' is not defined" in obs.error
        assert interp.run("stash").error_type == "NameError"


def test_reset_fresh_process_starts_a_new_worker_each_block() -> None:
    with Interpreter("reset", fresh_process=True) as interp:
        first = interp.run("import os\nos.getpid()").value
        second = interp.run("import os\nos.getpid()").value
        assert first != second


def test_final_expression_value_like_a_notebook(py: Interpreter) -> None:
    assert py.run("a = [1, 2]\na + [3]").value == "[1, 2, 3]"
    assert py.run("a = 5").value is None
    assert py.run("None").value is None
    assert py.run("'text'").value == "'text'"


def test_stdout_and_stderr_are_captured_in_order(py: Interpreter) -> None:
    obs = py.run("import sys\nprint('one')\nprint('two', file=sys.stderr)\nprint('three')")
    assert obs.stdout == "one\ntwo\nthree\n"
    assert obs.value is None and obs.error is None


def test_output_is_capped_with_a_marker() -> None:
    with Interpreter("persistent", max_output_chars=100) as interp:
        obs = interp.run("print('y' * 1000)")
    assert obs.stdout.startswith("y" * 100)
    assert obs.stdout.endswith("[output truncated: 901 chars]")


def test_errors_show_only_the_models_frames(py: Interpreter) -> None:
    obs = py.run("def f():\n    return g()\nf()")
    assert obs.error_type == "NameError"
    assert '"<cell' in obs.error and "_worker.py" not in obs.error
    assert py.run("x = (").error_type == "SyntaxError"


def test_render_for_the_model(py: Interpreter) -> None:
    assert py.run("print('hi')\n1 + 1").render() == "hi\n2"
    assert py.run("pass").render() == "[no output]"


# --- tools --------------------------------------------------------------------------------


def test_tool_proxy_runs_in_the_parent_and_is_counted(py: Interpreter, env: Counter) -> None:
    obs = py.run("r = take_item('a')\ntake_item('b')\nr['count']")
    assert obs.value == "1" and obs.tool_calls == 2
    assert env.taken == ["a", "b"]


def test_tool_error_reaches_the_code_as_an_exception(py: Interpreter, env: Counter) -> None:
    code = "try:\n    take_item('forbidden')\nexcept ToolError as e:\n    print('refused:', e)"
    obs = py.run(code)
    assert obs.stdout == "refused: class not allowed; nothing was taken\n"
    assert obs.tool_calls == 1 and env.taken == []
    uncaught = py.run("take_item('forbidden')")
    assert uncaught.error_type == "ToolError" and "_worker.py" not in uncaught.error


def test_the_sandbox_proxy_of_tool_error_has_its_own_name_in_ptp() -> None:
    # ptp.tools.ToolError is the public class; the worker's proxy is ProxiedToolError in
    # ptp's source and ``ToolError`` only to the model's code (the name it catches and reads)
    from ptp.sandbox import _worker

    assert not hasattr(_worker, "ToolError")
    assert _worker.ProxiedToolError is not ToolError
    assert _worker.ProxiedToolError.__name__ == "ToolError"


def test_wrong_tool_arguments_are_the_models_error(py: Interpreter) -> None:
    obs = py.run("take_item()")
    assert obs.error_type == "TypeError"


def test_tool_call_cap_per_block(env: Counter) -> None:
    with Interpreter("persistent", tools=env.tools(), max_tool_calls=3) as interp:
        obs = interp.run("for i in range(5):\n    take_item(str(i))")
        assert obs.error_type == "ToolCallLimitExceeded" and obs.tool_calls == 3
        assert env.taken == ["0", "1", "2"]
        assert interp.run("take_item('next')").tool_calls == 1  # the cap is per block


def test_run_is_traced_with_nested_tool_events(py: Interpreter) -> None:
    with recorder() as trace:
        py.run("take_item('a')")
        py.run("1/0")
    code_events = trace.find("code")
    assert [e.inputs["regime"] for e in code_events] == ["persistent", "persistent"]
    assert code_events[0].inputs["code"] == "take_item('a')"
    assert [c.name for c in code_events[0].children] == ["take_item"]
    assert code_events[0].output["tool_calls"] == 1
    assert code_events[1].error == "ZeroDivisionError: division by zero"


def test_replacing_a_tool_fakes_nothing_and_lasts_one_block(py: Interpreter, env: Counter) -> None:
    obs = py.run("take_item = lambda i: 'ok'\ntake_item('x')")
    assert obs.value == "'ok'" and obs.tool_calls == 0 and env.taken == []
    again = py.run("take_item('x')")
    assert again.tool_calls == 1 and env.taken == ["x"]


def test_forged_protocol_bytes_cost_only_the_worker(py: Interpreter) -> None:
    code = (
        "import os, sys\nos.write(int(sys.argv[2]), b'\\xff\\xff\\xff\\xffjunk')\nwhile True: pass"
    )
    obs = py.run(code)
    assert obs.error_type == "WorkerCrashed" and "protocol" in obs.error and obs.state_lost
    _assert_usable(py)


def test_closed_interpreter_refuses_and_cleans_up(env: Counter) -> None:
    interp = Interpreter("persistent", tools=env.tools())
    assert interp.run("open('f.txt', 'w').write('x')").ok
    workdir = Path(interp.workdir)
    assert (workdir / "f.txt").exists()
    interp.close()
    assert not workdir.exists()
    with pytest.raises(SandboxError):
        interp.run("1")


# --- hostile code: each contained, the interpreter usable afterwards ------------------------


def test_infinite_loop_times_out_and_state_is_lost(py: Interpreter) -> None:
    py.run("kept = 1")
    obs = py.run("print('before')\nwhile True: pass")
    assert obs.timed_out and obs.state_lost and obs.error_type == "TimeoutError"
    assert obs.stdout == "before\n"  # output streamed before the kill survives
    assert obs.duration_s < HOSTILE_TIMEOUT_S + 1.0
    assert "variables from earlier blocks are lost" in obs.render()
    assert py.run("kept").error_type == "NameError"
    _assert_usable(py)


def test_timeout_in_reset_regime_loses_no_state() -> None:
    with Interpreter("reset", timeout_s=HOSTILE_TIMEOUT_S) as interp:
        obs = interp.run("while True: pass")
        assert obs.timed_out and not obs.state_lost
        _assert_usable(interp)


def test_huge_power_is_stopped_by_the_timeout(py: Interpreter) -> None:
    obs = py.run("10**10**8")
    assert obs.timed_out
    _assert_usable(py)


def test_cpu_limit_backs_up_the_wall_timeout() -> None:
    # Which limit fired, not how fast: the worker must die of RLIMIT_CPU's SIGXCPU, reported
    # as such, long before a wall timeout generous enough for any CI load.
    with Interpreter("persistent", timeout_s=120.0, cpu_s=1) as interp:
        obs = interp.run("while True: pass")
        assert obs.error_type == "WorkerCrashed" and not obs.timed_out and obs.state_lost, obs
        assert obs.exit_signal == "SIGXCPU", obs
        assert "SIGXCPU" in obs.error and "CPU time limit of 1 s" in obs.error
        _assert_usable(interp)


def test_wall_timeout_is_reported_as_such(py: Interpreter) -> None:
    obs = py.run("import time\ntime.sleep(60)")  # sleeping uses no CPU: only the clock stops it
    assert obs.timed_out and obs.error_type == "TimeoutError" and obs.exit_signal == "SIGKILL"


@pytest.mark.parametrize(
    "code", ["x = bytearray(10**11)", "x = []\nwhile True: x.append(bytes(10**7))"],
    ids=["bytearray", "growing-list"],
)  # fmt: skip
def test_memory_bombs_hit_the_memory_limit(py: Interpreter, code: str) -> None:
    obs = py.run(code)
    assert obs.error_type == "MemoryError", obs
    _assert_usable(py)


def test_file_size_limit() -> None:
    with Interpreter("persistent", file_size_mb=1) as interp:
        obs = interp.run("open('big', 'wb').write(b'x' * 2_000_000)")
        assert obs.error_type == "OSError" and "File too large" in obs.error
        _assert_usable(interp)


def test_environment_is_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret")
    with Interpreter("persistent") as interp:
        obs = interp.run("import os\nprint(dict(os.environ))\nos.getcwd(), os.environ['HOME']")
        assert "sk-test-secret" not in obs.stdout and "OPENAI_API_KEY" not in obs.stdout
        assert obs.value == repr((interp.workdir, interp.workdir))


def test_writes_land_in_the_temp_dir(py: Interpreter) -> None:
    assert py.run("open('notes.txt', 'w').write('hello')").ok
    assert (Path(py.workdir) / "notes.txt").read_text() == "hello"


def test_worker_parent_is_not_the_harness(py: Interpreter) -> None:
    assert py.run("import os\nos.getppid()").value != str(os.getpid())


def test_killing_its_parent_spares_the_harness_without_privilege_drop() -> None:
    with Interpreter("persistent", drop_privileges=False) as interp:
        interp.run("import os\nos.kill(os.getppid(), 9)")  # kills only the waiting intermediary
        _assert_usable(interp)


needs_root_drop = pytest.mark.skipif(os.geteuid() != 0, reason="privilege drop needs root")


@needs_root_drop
def test_runs_as_a_fresh_unprivileged_uid(py: Interpreter) -> None:
    iso = py.isolation
    assert iso.privileges_dropped and iso.uid not in (0, os.getuid())
    assert not iso.imports_limited  # stdlib reachable through /proc/self/fd
    assert py.run("import os\nos.getuid()").value == str(iso.uid)
    assert py.run("import socket, numpy\n'ok'").value == "'ok'"


@needs_root_drop
def test_cannot_signal_or_read_the_harness(py: Interpreter) -> None:
    harness = os.getpid()
    obs = py.run(f"import os\nos.kill({harness}, 0)")  # signal 0: permission check only
    assert obs.error_type == "PermissionError"
    obs = py.run(f"open('/proc/{harness}/environ').read()")
    assert obs.error_type == "PermissionError"
    assert py.run("import os\nos.kill(os.getppid(), 9)").error_type == "PermissionError"
    _assert_usable(py)


@needs_root_drop
def test_cannot_write_into_root_owned_dirs(py: Interpreter, tmp_path: Path) -> None:
    target = tmp_path / "owned-by-root"
    target.mkdir(mode=0o755)
    obs = py.run(f"open({str(target / 'x')!r}, 'w')")
    assert obs.error_type == "PermissionError"
    assert not (target / "x").exists()


@needs_root_drop
def test_fork_bomb_is_capped_and_cleaned_up(py: Interpreter) -> None:
    obs = py.run("import os\nwhile True: os.fork()")
    assert obs.error_type == "BlockingIOError" or obs.timed_out
    assert len(_live_processes(py.isolation.uid, 1)) == 1  # only the worker itself remains
    _assert_usable(py)


@needs_root_drop
def test_escaped_session_is_killed_after_the_block(py: Interpreter) -> None:
    code = "import os\nif os.fork() == 0:\n    os.setsid()\n    while True: pass\n'parent'"
    assert py.run(code).value == "'parent'"
    assert len(_live_processes(py.isolation.uid, 1)) == 1
    _assert_usable(py)


@needs_root_drop
def test_escaped_fork_bomb_is_killed_on_timeout(py: Interpreter) -> None:
    uid = py.isolation.uid  # read before the block: reading it later starts a new worker
    code = (
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    while True: os.fork()\n"
        "time.sleep(5)"
    )
    assert py.run(code).timed_out
    assert _live_processes(uid, 0) == []
    _assert_usable(py)


BOUNDED_FORKS = """
import os, time
blocked, kids = 0, []
for _ in range(50):
    try:
        pid = os.fork()
    except BlockingIOError:
        blocked += 1
        continue
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    kids.append(pid)
blocked, len(kids)
"""


def test_pids_cgroup_caps_the_tree_without_the_uid_layer() -> None:
    # root code without the uid drop: RLIMIT_NPROC does not apply, so only the cgroup caps
    # (this code does not tamper with it; root code could, hence process_tree_capped False)
    with Interpreter("persistent", drop_privileges=False, max_processes=8) as interp:
        interp.run("1")
        cgroup = interp._worker.cgroup
        if cgroup is None:
            pytest.skip("no writable pids cgroup here (needs root or a delegated cgroup)")
        assert not interp.isolation.process_tree_capped
        assert (cgroup.path / "pids.max").read_text().strip() == "8"
        blocked, kids = ast.literal_eval(interp.run(BOUNDED_FORKS).value)
        assert blocked > 0 and kids == 7  # the worker itself is the 8th task
        members = cgroup.pids()
        assert len(members) == 8
    assert not cgroup.path.exists()  # close() killed the sleeping children and removed it
    assert not [pid for pid in members if _running(pid)]


def _running(pid: int) -> bool:
    """Alive and not a zombie (killed orphans wait for init to reap them)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def test_network_is_unreachable_when_isolated(py: Interpreter) -> None:
    if not py.isolation.network_isolated:
        pytest.skip(f"no network namespace here: {py.isolation.notes}")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        obs = py.run(f"import socket\nsocket.create_connection(('127.0.0.1', {port}), 1)")
    assert obs.error_type in {"OSError", "ConnectionRefusedError"}, obs
    assert isinstance(obs, Observation) and not obs.timed_out


def test_render_masks_memory_addresses() -> None:
    obs = Observation(value="<function f at 0x7f3a2b1c4d60>", stdout="id 0x10\n")
    assert obs.render() == "id 0x10\n<function f at 0x...>"
