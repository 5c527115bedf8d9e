import json
import socket
import threading
import time

import httpx2
import openai
import pytest

from ptp.errors import ConfigError, PtpError, SpecError
from ptp.models import (
    MissingAPIKeyError,
    Model,
    ModelCallError,
    ModelError,
    ModelTimeoutError,
    ServerUnreachableError,
    UnknownProviderError,
    default_timeout_s,
    get_model,
    local_port,
    parse_spec,
)


def test_specs():
    assert parse_spec("openai:gpt-4o-mini").spec == "openai:gpt-4o-mini"
    vllm = parse_spec("vllm:http://127.0.0.1:8000/v1#Qwen/Qwen2.5-1.5B-Instruct")
    assert (vllm.base_url, vllm.name, vllm.slug) == (
        "http://127.0.0.1:8000/v1",
        "Qwen/Qwen2.5-1.5B-Instruct",
        "qwen2.5-1.5b-instruct",
    )
    assert parse_spec("local:gemma-3-270m").base_url.endswith(":8765/v1")


@pytest.mark.parametrize("spec", ["gpt-4o", "bogus:model", "vllm:nohash", "local:llama-70b"])
def test_unknown_or_malformed_specs(spec):
    with pytest.raises(UnknownProviderError, match="spec"):
        get_model(spec)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("gpt-4o", "has no provider"),
        (":gpt-4o", "has no provider"),
        ("openai:", "'openai:' lacks a model name; e.g. openai:<model>"),
        ("together: ", "lacks a model name"),
        ("local:", "lacks a model name; e.g. local:gemma-3-270m"),
        ("vllm:http://127.0.0.1:8000/v1", "lacks a model name; use vllm:<base_url>#<model>"),
        ("vllm:http://127.0.0.1:8000/v1#", "lacks a model name"),
        ("vllm:#m", "'' is not an http(s) URL with a host"),
        ("vllm:localhost:8000#m", "'localhost:8000' is not an http(s) URL with a host"),
        ("vllm:ftp://host/v1#m", "not an http(s) URL"),
        ("vllm:http:///v1#m", "not an http(s) URL with a host"),
        ("vllm:http://host:99999/v1#m", "valid port"),
    ],
)
def test_malformed_specs_say_what_is_missing_on_one_line(spec, message):
    with pytest.raises(UnknownProviderError) as info:
        parse_spec(spec)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_https_vllm_urls_are_accepted():
    spec = parse_spec("vllm:https://gpu.example.org/v1/#org/model")
    assert (spec.base_url, spec.name) == ("https://gpu.example.org/v1", "org/model")


def test_model_errors_are_part_of_ptps_error_tree(monkeypatch):
    assert issubclass(ModelError, PtpError) and issubclass(ModelError, RuntimeError)
    assert issubclass(UnknownProviderError, SpecError) and issubclass(
        UnknownProviderError, ModelError
    )
    assert issubclass(MissingAPIKeyError, ConfigError) and issubclass(ModelTimeoutError, ModelError)
    with pytest.raises(SpecError):
        parse_spec("openai:")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        get_model("openai:gpt-4o-mini")


@pytest.mark.parametrize("value", ["abc", "0", "65536", "-1", "80.5"])
def test_bad_local_port_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("PTP_LOCAL_PORT", value)
    with pytest.raises(ConfigError, match=r"PTP_LOCAL_PORT=.*1\.\.65535"):
        parse_spec("local:gemma-3-270m")
    with pytest.raises(ConfigError, match="PTP_LOCAL_PORT"):
        local_port()


def test_local_port_from_the_environment(monkeypatch):
    monkeypatch.setenv("PTP_LOCAL_PORT", " 9001 ")
    assert parse_spec("local:gemma-3-270m").base_url == "http://127.0.0.1:9001/v1"
    monkeypatch.setenv("PTP_LOCAL_PORT", "")
    assert local_port() == 8765


@pytest.mark.parametrize("value", ["abc", "0", "-5", "inf", "nan"])
def test_bad_timeout_variable_names_it(monkeypatch, value):
    monkeypatch.setenv("PTP_TIMEOUT_S", value)
    with pytest.raises(ConfigError, match=r"PTP_TIMEOUT_S=.*positive number"):
        get_model("vllm:http://127.0.0.1:1/v1#m")


def test_timeout_from_the_environment_or_the_call(monkeypatch):
    monkeypatch.setenv("PTP_TIMEOUT_S", "300")
    assert default_timeout_s() == 300.0
    assert get_model("vllm:http://127.0.0.1:1/v1#m").timeout_s == 300.0
    assert get_model("vllm:http://127.0.0.1:1/v1#m", timeout_s=7).timeout_s == 7.0
    monkeypatch.delenv("PTP_TIMEOUT_S")
    assert get_model("vllm:http://127.0.0.1:1/v1#m").timeout_s == 120.0


@pytest.mark.parametrize(
    ("spec", "variable"),
    [("openai:gpt-4o-mini", "OPENAI_API_KEY"), ("together:x/y", "TOGETHER_API_KEY")],
)
def test_missing_key_names_the_variable(monkeypatch, spec, variable):
    monkeypatch.delenv(variable, raising=False)
    with pytest.raises(MissingAPIKeyError, match=variable):
        get_model(spec)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_server_names_the_url_without_hanging():
    url = f"http://127.0.0.1:{_free_port()}/v1"
    model = get_model(f"vllm:{url}#m", max_retries=0, timeout_s=5)
    start = time.monotonic()
    with pytest.raises(ServerUnreachableError, match=url.replace(".", r"\.")) as info:
        model.chat([{"role": "user", "content": "hi"}])
    assert "vllm serve" in str(info.value)
    assert time.monotonic() - start < 5


def test_a_slow_server_is_reported_as_slow_not_unreachable():
    """A server that accepts the connection and never answers: the read timeout fires."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    try:
        model = get_model(f"vllm:{url}#m", max_retries=0, timeout_s=0.5)
        with pytest.raises(ModelTimeoutError) as info:
            model.chat([{"role": "user", "content": "hi"}])
    finally:
        listener.close()
        for conn in accepted:
            conn.close()
    message = str(info.value)
    assert "answered too slowly" in message and "0.5 s" in message and url in message
    assert "timeout_s=" in message and "PTP_TIMEOUT_S" in message
    assert "cannot reach" not in message and "\n" not in message
    assert not isinstance(info.value, ServerUnreachableError)


def test_timeout_message_counts_the_attempts():
    err = ModelTimeoutError("vllm:u#m", "http://h/v1", 120.0, attempts=4)
    assert "no reply within the 120 s timeout, each of 4 attempts" in str(err)


def _mock_model(respond) -> tuple[Model, list[dict]]:
    """A Model whose SDK client talks to ``respond(body) -> httpx2.Response`` (a fake
    server on httpx's MockTransport; the openai SDK and ptp's parsing are real)."""
    bodies: list[dict] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        bodies.append(json.loads(request.content))
        return respond(bodies[-1])

    model = Model(parse_spec("vllm:http://mock.test/v1#m"), api_key="test", max_retries=0)
    model.__dict__["_client"] = openai.OpenAI(
        api_key="test", base_url="http://mock.test/v1", max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )  # fmt: skip
    return model, bodies


def test_the_request_body_is_the_payload_and_null_fields_may_be_left_out():
    """The body goes out as ptp built it (no field added or dropped); a reply that leaves out
    null fields (no ``content`` beside tool calls, no ``usage``) is read, not a crash."""
    call = {"id": "c1", "type": "function",
            "function": {"name": "f", "arguments": '{"x": 1}'}}  # fmt: skip
    reply = {"choices": [{"index": 0, "finish_reason": "tool_calls",
                          "message": {"role": "assistant", "tool_calls": [call]}}]}  # fmt: skip
    model, bodies = _mock_model(lambda body: httpx2.Response(200, json=reply))
    completion = model.chat([{"role": "user", "content": "hi"}], max_tokens=5, seed=1)
    assert bodies == [{"model": "m", "messages": [{"role": "user", "content": "hi"}],
                       "max_tokens": 5, "seed": 1}]  # fmt: skip
    assert completion.text == "" and completion.prompt_tokens == 0
    assert [(c.name, c.arguments) for c in completion.tool_calls] == [("f", '{"x": 1}')]
    assert completion.finish_reason == "tool_calls"


def test_a_reply_that_is_not_json_is_a_clear_error():
    model, _ = _mock_model(lambda body: httpx2.Response(200, text="<html>proxy error</html>"))
    with pytest.raises(ModelCallError, match=r"vllm:.*not a JSON object.*proxy error"):
        model.chat([{"role": "user", "content": "hi"}])
