import socket
import time

import pytest

from ptp.models import (
    MissingAPIKeyError,
    ServerUnreachableError,
    UnknownProviderError,
    get_model,
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
