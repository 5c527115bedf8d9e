"""A model's latency is the model's: measured live, read from the recorded response on replay.

Everything runs against a tiny OpenAI-compatible HTTP server on 127.0.0.1 (no network) or a
shipped cassette replayed with vcrpy."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import vcr
import yaml

import ptp
from ptp.models import (
    LATENCY_HEADER,
    Model,
    ModelSpec,
    current_call_elapsed_ms,
    get_model,
    latency_from_headers,
)
from ptp.pytest_plugin._cassettes import vcr_kwargs

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "cassettes/test_airline/L1-0-template-gemma-3-270m-gen-t-c0-s2026-005.yaml"


class FakeServer:
    """Answers every POST with one completion after ``delay_s``, adding ``headers``."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.delay_s = 0.0
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                server.requests.append(body)
                time.sleep(server.delay_s)
                choice = {"index": 0, "finish_reason": "stop", "logprobs": None}
                if self.path.endswith("/chat/completions"):
                    choice["message"] = {"role": "assistant", "content": "pong"}
                    kind = "chat.completion"
                else:
                    choice["text"] = "pong"
                    kind = "text_completion"
                data = json.dumps({
                    "id": "x", "object": kind, "created": 0, "model": body["model"],
                    "choices": [choice],
                    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
                }).encode()  # fmt: skip
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in server.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def model(self, provider: str = "vllm", **options: Any) -> Model:
        spec = ModelSpec(provider, "m", self.url)
        return Model(spec, api_key="test", max_retries=0, timeout_s=10, **options)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    thread = threading.Thread(target=fake.httpd.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.httpd.shutdown()
    fake.httpd.server_close()


HI = [{"role": "user", "content": "ping"}]


def test_latency_header_rule():
    assert latency_from_headers({LATENCY_HEADER: "2500", "openai-processing-ms": "9"}) == 2.5
    assert latency_from_headers({"openai-processing-ms": "28383"}) == 28.383
    assert latency_from_headers({LATENCY_HEADER: "n/a", "openai-processing-ms": "10"}) == 0.01
    assert latency_from_headers({"openai-processing-ms": "-1"}) is None
    assert latency_from_headers({}) is None and latency_from_headers(None) is None


@pytest.mark.parametrize("provider", ["vllm", "together"])
def test_replay_reads_latency_from_headers_live_measures_wall_time(server, provider):
    server.headers = {"openai-processing-ms": "1234"}
    live = server.model(provider).chat(HI)
    # wall time, not the header (a loaded machine may take over a second: compare, don't bound)
    assert live.latency_s is not None and live.latency_s != 1.234
    assert live.latency_s == live.wall_s
    replayed = server.model(provider, replay=True)
    assert replayed.chat(HI).latency_s == 1.234
    assert replayed.complete("ping").latency_s == 1.234
    server.headers = {"openai-processing-ms": "1234", LATENCY_HEADER: "2500.5"}
    reply = replayed.chat(HI)
    assert reply.latency_s == 2.5005 and reply.wall_s is not None and reply.wall_s < 1.0
    server.headers = {}
    assert replayed.chat(HI).latency_s is None
    # a recording session replays the cases it has: their responses carry the recorder's header
    server.headers = {LATENCY_HEADER: "2500.5"}
    assert server.model(provider).chat(HI).latency_s == 2.5005


def test_trace_keeps_model_latency_and_wall_time_apart(server):
    model = server.model(replay=True)
    with ptp.recorder() as trace:
        server.headers = {"openai-processing-ms": "1500"}
        model.chat(HI)
        server.headers = {LATENCY_HEADER: "500"}
        model.chat(HI)
    first, second = trace.find("llm")
    assert (first.latency_s, second.latency_s) == (1.5, 0.5)
    assert 0 < first.wall_s < 1.0
    totals = trace.totals()
    assert totals.latency_s == pytest.approx(2.0)
    assert totals.llm_wall_s == pytest.approx(first.wall_s + second.wall_s)
    assert "model latency 2.000s" in trace.render()

    with ptp.recorder() as unknown:
        model.chat(HI)  # no latency header
        server.headers = {}
        model.chat(HI)
    assert [e.latency_s for e in unknown.find("llm")] == [0.5, None]
    assert unknown.totals().latency_s is None


def test_one_model_serves_many_event_loops(server):
    model = server.model(replay=True)
    server.headers = {"openai-processing-ms": "100"}
    for _ in range(2):  # a new loop each time, as asyncio.run in consecutive eval cases
        assert asyncio.run(model.achat(HI)).latency_s == 0.1
        assert asyncio.run(model.acomplete("ping")).latency_s == 0.1


def test_elapsed_is_known_only_inside_a_call():
    assert current_call_elapsed_ms() is None


def _record_then_replay(server: FakeServer, tmp_path: Path, call: Any) -> tuple[float, float]:
    """Record one call through the plugin's own before_record_response hook, replay it."""
    seen: list[float] = []
    plugin_hook = vcr_kwargs()["before_record_response"]

    def stamp(response: dict[str, Any]) -> dict[str, Any]:
        response = plugin_hook(response)
        assert LATENCY_HEADER in response["headers"], "the hook ran outside the model call"
        seen.append(float(response["headers"][LATENCY_HEADER][0]))
        return response

    path = str(tmp_path / "c.yaml")
    recorder = vcr.VCR(record_mode="once", before_record_response=stamp)
    with recorder.use_cassette(path):
        live = call(server.model())
    with vcr.VCR(record_mode="none").use_cassette(path):
        replayed = call(server.model(replay=True))
    assert len(seen) == 1 and current_call_elapsed_ms() is None
    assert replayed.latency_s == pytest.approx(seen[0] / 1000)
    return seen[0], live.latency_s


def test_recorded_latency_is_the_clients_measurement(server, tmp_path):
    server.delay_s = 0.2
    elapsed_ms, live_s = _record_then_replay(server, tmp_path, lambda m: m.chat(HI))
    assert 200 <= elapsed_ms <= live_s * 1000


def test_recorded_latency_async(server, tmp_path):
    server.delay_s = 0.2
    elapsed_ms, _ = _record_then_replay(server, tmp_path, lambda m: asyncio.run(m.achat(HI)))
    assert elapsed_ms >= 200


def test_shipped_cassette_replays_the_recorded_latency(monkeypatch):
    """A shipped recording replays the latency its first call took to record (the client's
    measurement the recorder stamped, preferred over the server's openai-processing-ms), not
    the replay's wall time."""
    monkeypatch.delenv("PTP_LOCAL_PORT", raising=False)
    (first, *_) = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))["interactions"]
    headers = first["response"]["headers"]
    (stamped_ms,), (server_ms,) = headers[LATENCY_HEADER], headers["openai-processing-ms"]
    recorded = float(stamped_ms) / 1000
    assert abs(recorded - int(server_ms) / 1000) < 1  # the two measurements agree
    assert recorded > 1  # a real local-model call, far slower than replaying it
    body = json.loads(first["request"]["body"])
    params = {k: v for k, v in body.items() if k not in ("model", "messages")}
    replay = vcr.VCR(record_mode="none", match_on=["method", "uri", "json_body"])
    replay.register_matcher("json_body", _same_json)
    # built before the cassette opens, as the plugin's per-session cache does
    model = get_model("local:gemma-3-270m", replay=True, api_key="replay", max_retries=0)
    with replay.use_cassette(str(SHIPPED)), ptp.recorder() as trace:
        reply = model.chat(body["messages"], **params)
    assert reply.latency_s == recorded and reply.wall_s < recorded
    (event,) = trace.find("llm")
    assert event.latency_s == recorded and trace.totals().latency_s == recorded


def _same_json(r1: Any, r2: Any) -> None:
    assert json.loads(r1.body) == json.loads(r2.body)
