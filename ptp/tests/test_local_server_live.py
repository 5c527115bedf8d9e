"""`ptp serve local:<model>` for real: start each embedded model's server, talk to it with the
openai SDK, stop it. Marked live (about 10 s per model on 2 cores); run with --ptp-live."""

from __future__ import annotations

import json
import socket
from contextlib import contextmanager
from pathlib import Path

import pytest
from openai import OpenAI

from ptp.models import LocalServer, is_healthy, parse_spec
from ptp.models._spec import local_model

pytestmark = [pytest.mark.live, pytest.mark.slow]

PERSON = {
    "type": "object",
    "properties": {"name": {"type": "string", "maxLength": 20}, "age": {"type": "integer"}},
    "required": ["name", "age"],
}


@contextmanager
def serve(spec_str: str, monkeypatch, tmp_path):
    """(spec, client) for a server on a free port (PTP_LOCAL_PORT is the base port)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    offset = local_model(spec_str.removeprefix("local:")).port_offset
    monkeypatch.setenv("PTP_LOCAL_PORT", str(port - offset))
    spec = parse_spec(spec_str)
    with LocalServer(spec, log=tmp_path / "server.log") as server:
        yield spec, OpenAI(base_url=server.base_url, api_key="unused", max_retries=0)
    assert not is_healthy(server.base_url)  # stopped cleanly


@pytest.fixture(params=["local:gemma-3-270m", "local:smollm2-135m"], ids=lambda s: s[6:])
def served(request, monkeypatch, tmp_path):
    with serve(request.param, monkeypatch, tmp_path) as served:
        yield served


def test_serve_answers_chat_and_completion(served):
    spec, client = served
    chat = client.chat.completions.create(
        model=spec.name, messages=[{"role": "user", "content": "Hello"}], max_tokens=8
    )
    completion = client.completions.create(
        model=spec.name, prompt="The capital of France is", max_tokens=8
    )
    assert chat.choices[0].message.content is not None and chat.usage.completion_tokens > 0
    assert completion.choices[0].text and completion.usage.prompt_tokens > 0


def test_schema_constrained_chat_returns_valid_json(served):
    spec, client = served
    chat = client.chat.completions.create(
        model=spec.name,
        messages=[{"role": "user", "content": "Alice is 30 years old. Her name and age as JSON?"}],
        max_tokens=60,
        temperature=0,
        seed=0,
        response_format={"type": "json_object", "schema": PERSON},  # type: ignore[typeddict-item]
    )
    person = json.loads(chat.choices[0].message.content or "")
    assert set(person) == {"name", "age"} and isinstance(person["age"], int)


def test_smollm2_ends_its_turn_with_im_end(monkeypatch, tmp_path):
    """The ChatML template embedded in the GGUF is used and <|im_end|> stops generation."""
    with serve("local:smollm2-135m", monkeypatch, tmp_path) as (spec, client):
        chat = client.chat.completions.create(
            model=spec.name,
            messages=[{"role": "user", "content": "What is the capital of France? One sentence."}],
            max_tokens=64,
            temperature=0,
            seed=0,
        )
    choice = chat.choices[0]
    assert choice.finish_reason == "stop", choice.message.content
    assert "Paris" in (choice.message.content or "")
    assert "<|im" not in (choice.message.content or "")


def test_the_routed_pair_sends_each_regime_to_its_student(monkeypatch, tmp_path):
    """Both knapsack students behind their router: each regime's first request (from the
    cross grid's cassettes) goes to the student trained in that regime; the students' servers
    stop with the router's."""
    import yaml

    cassettes = Path(__file__).resolve().parents[2] / "cassettes" / "test_knapsack"
    with serve("local:smollm2-135m+knapsack-routed", monkeypatch, tmp_path) as (spec, client):
        students = [parse_spec(f"local:{s}") for s in local_model(spec.name).students]
        for regime, student in (("persistent", "a"), ("reset", "b")):
            recorded = yaml.safe_load(
                (cassettes / f"routed-{regime}-knap-easy-s2026004.yaml").read_text()
            )
            request = json.loads(recorded["interactions"][0]["request"]["body"])
            chat = client.chat.completions.create(
                model=spec.name, messages=request["messages"], max_tokens=8, temperature=0, seed=0
            )
            assert chat.model_extra["ptp_route"]["student"] == student
    assert not any(is_healthy(s.base_url) for s in students)
