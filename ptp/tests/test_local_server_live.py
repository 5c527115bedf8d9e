"""`ptp serve local:gemma-3-270m` for real: start the server, talk to it with the openai SDK,
stop it. Marked live (about 10 s on 2 cores); run with --ptp-live."""

from __future__ import annotations

import socket

import pytest
from openai import OpenAI

from ptp.models import LocalServer, is_healthy, parse_spec

pytestmark = [pytest.mark.live, pytest.mark.slow]


def test_serve_answers_chat_and_completion(monkeypatch, tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("PTP_LOCAL_PORT", str(port))
    spec = parse_spec("local:gemma-3-270m")
    with LocalServer(spec, log=tmp_path / "server.log") as server:
        client = OpenAI(base_url=server.base_url, api_key="unused", max_retries=0)
        chat = client.chat.completions.create(
            model=spec.name, messages=[{"role": "user", "content": "Hello"}], max_tokens=8
        )
        completion = client.completions.create(
            model=spec.name, prompt="The capital of France is", max_tokens=8
        )
        assert chat.choices[0].message.content is not None and chat.usage.completion_tokens > 0
        assert completion.choices[0].text and completion.usage.prompt_tokens > 0
    assert not is_healthy(server.base_url)  # stopped cleanly
