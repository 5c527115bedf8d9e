"""A Python interpreter for model-written code, in a confined worker process.

    with Interpreter("persistent", tools=env.tools(), timeout_s=5) as py:
        print(py.run("ids = list_items()\\nlen(ids)").render())

Each ``run()`` sends one block to a worker (``_worker.py``, stdlib only) over pipes carrying
length-prefixed JSON. Workers are forked from a fork server (``_forkserver.py``: one per
harness process, started by path with the workers' scrubbed environment, the preload
imported once), so a worker starts in a few milliseconds instead of an interpreter start-up.
Tool calls come back over the same pipe and run here, in the parent, as ordinary traced
:class:`ptp.tools.Tool` calls (the environment's state never leaves this process; only
proxied calls are counted). ``persistent`` keeps globals across blocks; ``reset`` gives every
block a fresh globals dict in the same worker (builtins restored; ``fresh_process=True`` for a
new process per block).

What is stopped, as measured by ``ptp/tests/test_sandbox.py`` (root, Linux 6.x):

- wall time per block (compilation and tool calls included): the worker's process group and
  every process of its uid are SIGKILLed; ``timed_out``, and ``state_lost`` when persistent.
  ``while True: pass`` and ``10**10**8`` both end this way; the next ``run()`` starts afresh.
- memory: RLIMIT_AS (``memory_mb``): ``bytearray(10**11)`` or a growing list -> MemoryError.
- CPU: RLIMIT_CPU per block (``cpu_s``), a backstop that kills the worker (``WorkerCrashed``).
- processes, three layers: (1) where the cgroup filesystem is writable (root here), each
  worker joins a pids cgroup of its own before any model code runs; ``pids.max``
  (``max_processes``) caps the whole tree, ``setsid`` and double forks included, and a
  timeout or ``close()`` kills every member and removes the cgroup. (2) As root the code
  runs as a fresh random uid (``drop_privileges``), so RLIMIT_NPROC bites and a fork bomb
  gets BlockingIOError; at the end of every block ``kill(-1)`` run as that uid kills what
  the block left behind. (3) Timeouts and ``close()`` also sweep /proc for that uid.
  History: on 2026-11-22 a fork-bomb test of an earlier version escaped (uid layer only)
  and filled the process table. The tests of this version were then run three times
  before and three times after adding layer (1), each time as
  ``pytest ptp/tests/test_sandbox.py ptp/tests/test_sandbox_bench.py -n 2`` inside an outer
  pids cgroup capped at 200 tasks: the outer cap was never reached (``pids.events`` max 0;
  peak about 100 tasks) and no process was left in it when pytest exited. Code running as
  root (``drop_privileges=False``) could lift its own cgroup cap, so then
  ``Isolation.process_tree_capped`` is False.
- signals and snooping: that uid cannot signal the harness, read its ``/proc/PID/environ`` or
  write to root-owned directories (PermissionError). ``os.getppid()`` is a small waiting
  process, never the harness, even without the uid drop.
- environment: the worker gets PATH, LANG, LC_ALL, TZ from the parent and fixed values
  (HOME and TMPDIR = its temp dir, PYTHONHASHSEED=0, one BLAS thread); no API keys.
- network: a new network namespace (``unshare(CLONE_NEWNET)``; root here): loopback is down,
  ``connect(('127.0.0.1', port))`` fails with ENETUNREACH. Without the namespace (not root and
  no unprivileged user namespaces) the note in ``Interpreter.isolation`` says so.
- files: cwd and HOME are a fresh temp dir (removed on close); RLIMIT_FSIZE
  (``file_size_mb``) -> OSError "File too large"; RLIMIT_NOFILE 256.
- output, values and tracebacks are capped at ``max_output_chars``; tool calls at
  ``max_tool_calls`` per block (ToolCallLimitExceeded in the code). Tool names are re-bound
  before every block, so ``take_item = lambda i: 'ok'`` fakes nothing and lasts one block.
- the parent never unpickles worker data: JSON only, 16 MiB per message, every wait bounded;
  garbage on the pipe kills the worker (``WorkerCrashed``), not the parent.

What is NOT stopped:

- reading world-readable files (``/etc``, the project's source, other processes'
  ``/proc/PID/cmdline``) and writing world-writable places (``/tmp``, ``/dev/shm``): there is
  no chroot or mount namespace; filesystem unix sockets that are world-writable are reachable.
- code tampering with its own worker (through ``gc``, the pipe fds, ``sys.modules``): it can
  forge its own observation or skip the end-of-block process kill; the parent's timeout,
  kills, tool counting and caps do not depend on the worker's cooperation.
- in the fast reset regime, module attributes, ``sys.modules``, files and threads survive
  between blocks; threads keep running (and may print or call tools in a later block).
- without root (or with ``drop_privileges=False``) the code runs as the harness's own uid:
  it can find and signal or ptrace the harness (and the fork server, which the harness
  replaces when it is gone), read its ``/proc/PID/environ`` (API keys),
  and write wherever that uid can; RLIMIT_NPROC then counts all of that uid's processes
  (cap = current count + ``max_processes``; as root it does not apply at all), and processes
  escaping with ``setsid`` are not killed (a busy one dies at its RLIMIT_CPU, a sleeping one
  lives on). ``Interpreter.isolation``
  reports which case applies. Without a writable cgroup filesystem layer (1) is absent
  (``Isolation.process_tree_capped`` is False) and a process that escapes with ``setsid``
  as the harness's own uid is not capped by anything but RLIMIT_NPROC.
"""

from ptp.sandbox._interpreter import DEFAULT_PRELOAD, Interpreter, Regime
from ptp.sandbox._observation import Isolation, Observation
from ptp.sandbox._process import SandboxError

__all__ = ["DEFAULT_PRELOAD", "Interpreter", "Isolation", "Observation", "Regime", "SandboxError"]
