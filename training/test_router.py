"""Two students and a router, on a config-built two-layer twin (CPU, seconds): the router
trains, routing beats either fixed student where the students differ, and the consistency
term is a true KL divergence."""

from __future__ import annotations

import json
import math
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from ptp.data import ChatExample, ExampleMeta
from ptp.train import (
    LoraRecipe,
    PromptRouter,
    RouterRecipe,
    chat_template,
    kl_divergence,
    tiny_twin,
    train_lora,
    train_router,
)
from ptp.train._tokens import TrainError
from ptp.train.serve_router import route_handler

BASE = "local:smollm2-135m"
# Two kinds of task whose answers differ; each student learns one kind only.
KINDS = {"a": ("Shout the word", "LOUD LOUD LOUD"), "b": ("Whisper the word", "quiet quiet")}
WORDS = ["apple", "river", "stone", "cloud", "green", "table", "light", "sugar", "paper",
         "music", "horse", "bread", "glass", "storm", "chair", "ocean"]  # fmt: skip
STUDENT_RECIPE = LoraRecipe(r=8, alpha=16, steps=30, batch_size=4, learning_rate=2e-2)


def example(kind: str, word: str) -> ChatExample:
    instruction, reply = KINDS[kind]
    return ChatExample(
        messages=[
            {"role": "user", "content": f"{instruction}: {word}"},
            {"role": "assistant", "content": reply, "weight": 1},
        ],
        metadata=ExampleMeta(family="synthetic", task_id=f"{kind}-{word}", teacher=f"kind {kind}"),
    )


@pytest.fixture(scope="module")
def students(tmp_path_factory):
    """Student a trained on kind a only, student b on kind b only (each from the same base)."""
    root = tmp_path_factory.mktemp("router")
    _, tokenizer = tiny_twin(BASE)
    template = chat_template(BASE, tokenizer)
    for kind in KINDS:
        model, _ = tiny_twin(BASE)
        data = [example(kind, w) for w in WORDS]
        train_lora(data, model, tokenizer, template, root / kind, STUDENT_RECIPE)
    return root, tokenizer, template


def test_the_router_trains_and_routing_beats_either_fixed_student(students, tmp_path):
    root, tokenizer, template = students
    base, _ = tiny_twin(BASE)
    train = [example(k, w) for k in KINDS for w in WORDS[:12]]
    held_out = [example(k, w) for k in KINDS for w in WORDS[12:]]
    recipe = RouterRecipe(steps=40, batch_size=8, learning_rate=5e-2)
    routed, report = train_router(train, base, tokenizer, template, (root / "a", root / "b"),
                                  tmp_path, recipe)  # fmt: skip
    assert report.steps == recipe.steps and (tmp_path / "router.pt").is_file()
    assert report.router_change > 0  # the router received gradient
    assert min(report.losses[-3:]) < report.losses[0]
    # the students differ: each is better on its own kind
    for ex in held_out:
        own = ex.metadata.task_id[0]
        other = "b" if own == "a" else "a"
        assert routed.reply_nll(ex, own) < routed.reply_nll(ex, other)
    # the router sends each held-out prompt to the student of its kind ...
    assert [routed.choose(ex) for ex in held_out] == [ex.metadata.task_id[0] for ex in held_out]
    # ... so routing beats always asking a, and always asking b
    routed_nll = sum(routed.reply_nll(ex, routed.choose(ex)) for ex in held_out)
    for fixed in KINDS:
        assert routed_nll < sum(routed.reply_nll(ex, fixed) for ex in held_out)


def test_students_train_jointly_with_the_kl_term(students, tmp_path):
    root, tokenizer, template = students
    base, _ = tiny_twin(BASE)
    data = [example(k, w) for k in KINDS for w in WORDS[:4]]
    recipe = RouterRecipe(steps=4, batch_size=4, train_students=True, kl_weight=0.5)
    routed, _ = train_router(data, base, tokenizer, template, (root / "a", root / "b"), tmp_path,
                             recipe)  # fmt: skip
    before, _ = train_router(data, tiny_twin(BASE)[0], tokenizer, template,
                             (root / "a", root / "b"), tmp_path / "frozen",
                             recipe.model_copy(update={"train_students": False}))  # fmt: skip
    ex = data[0]
    assert routed.reply_nll(ex, "a") != pytest.approx(before.reply_nll(ex, "a"), abs=1e-6)
    assert (tmp_path / "a" / "adapter_model.safetensors").is_file()
    assert (tmp_path / "b" / "adapter_model.safetensors").is_file()


def test_a_served_router_routes_as_it_trained(students, tmp_path):
    """The router alone on the base (what the server loads) gives the probabilities of the
    router trained with its students, and reads only the messages before the first reply."""
    root, tokenizer, template = students
    train = [example(k, w) for k in KINDS for w in WORDS[:12]]
    recipe = RouterRecipe(steps=40, batch_size=8, learning_rate=5e-2)
    routed, _ = train_router(train, tiny_twin(BASE)[0], tokenizer, template,
                             (root / "a", root / "b"), tmp_path, recipe)  # fmt: skip
    served = PromptRouter(tiny_twin(BASE)[0], tokenizer, template, tmp_path / "router.pt")
    for ex in [example(k, w) for k in KINDS for w in WORDS[12:]]:
        route = served.route(ex.messages)
        assert route == pytest.approx(routed.route(ex), abs=1e-5)
        assert max(route, key=route.__getitem__) == ex.metadata.task_id[0]
        later = [*ex.messages, {"role": "user", "content": "again, louder"}]
        assert served.route(later) == pytest.approx(route, abs=1e-6)  # same episode, same student
    with pytest.raises(TrainError, match="no message before its first assistant turn"):
        served.route([{"role": "assistant", "content": "hi"}])


class FakeStudent(BaseHTTPRequestHandler):
    """A fake student server (unit tests only): replies with its own port."""

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        body = json.dumps({
            "id": "x", "object": "chat.completion", "created": 0, "model": request["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "message": {
                "role": "assistant", "content": f"student on {self.server.server_port}"}}],
        }).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def serving(handler):
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1", server.server_port
    finally:
        server.shutdown()
        server.server_close()


def test_the_router_server_forwards_to_the_chosen_student_over_openai_http():
    from openai import OpenAI

    def route(messages):  # a fake router: shouts go to a
        return {"a": 0.9, "b": 0.1} if "Shout" in messages[0]["content"] else {"a": 0.2, "b": 0.8}

    with serving(FakeStudent) as (url_a, port_a), serving(FakeStudent) as (url_b, port_b):
        handler = route_handler("pair", route, {"a": url_a, "b": url_b})
        with serving(handler) as (url, _):
            client = OpenAI(base_url=url, api_key="none", max_retries=0)
            assert [m.id for m in client.models.list().data] == ["pair"]
            for text, port, chosen in (("Shout: x", port_a, "a"), ("Whisper: x", port_b, "b")):
                reply = client.chat.completions.create(
                    model="pair", messages=[{"role": "user", "content": text}]
                )
                assert reply.choices[0].message.content == f"student on {port}"
                assert reply.model_extra["ptp_route"]["student"] == chosen
            with pytest.raises(Exception, match="streaming is not supported"):
                client.chat.completions.create(model="pair", stream=True, messages=[
                    {"role": "user", "content": "Shout: x"}])  # fmt: skip
            with pytest.raises(Exception, match="could not route"):
                client.chat.completions.create(model="pair", messages=[])
    gone = route_handler(
        "pair", route, {"a": "http://127.0.0.1:9/v1", "b": "http://127.0.0.1:9/v1"}
    )
    with serving(gone) as (url, _):
        client = OpenAI(base_url=url, api_key="none", max_retries=0)
        with pytest.raises(Exception, match=r"student a at http://127\.0\.0\.1:9/v1"):
            client.chat.completions.create(
                model="pair", messages=[{"role": "user", "content": "Shout"}]
            )


def test_kl_divergence_is_the_kullback_leibler_divergence():
    import torch

    torch.manual_seed(0)
    p, q = torch.randn(2, 3, 5), torch.randn(2, 3, 5)
    mask = torch.tensor([[1, 1, 0], [1, 0, 0]])
    expected = []
    for b, t in mask.nonzero().tolist():
        dist_p = torch.distributions.Categorical(logits=p[b, t])
        dist_q = torch.distributions.Categorical(logits=q[b, t])
        expected.append(torch.distributions.kl_divergence(dist_p, dist_q).item())
    assert kl_divergence(p, q, mask).item() == pytest.approx(sum(expected) / len(expected))
    assert kl_divergence(p, p, mask).item() == pytest.approx(0.0, abs=1e-6)
    assert kl_divergence(p, q, mask).item() != pytest.approx(kl_divergence(q, p, mask).item())
    assert math.isfinite(kl_divergence(p, q, torch.zeros(2, 3)).item())


# The real students: SmolLM2-135M with the shipped knapsack adapters (converted back to peft).
@pytest.mark.slow
def test_a_router_over_the_shipped_knapsack_students(tmp_path):
    """Real students (22 min on 2 shared cores): training/knapsack_router.py's run, the
    router trained on expert episodes of both regimes (seed 303) and scored on held-out
    ones (seed 2026). ``PTP_ROUTER_REPORT=FILE`` keeps the per-episode figures (JSON)."""
    import os
    import shutil

    from training.knapsack_router import train_and_measure

    summary = train_and_measure(tmp_path)
    if os.environ.get("PTP_ROUTER_REPORT"):
        shutil.copyfile(tmp_path / "held_out.json", os.environ["PTP_ROUTER_REPORT"])
    router = summary["router"]
    assert router["router_change"] > 0 and min(router["losses"][-5:]) < router["losses"][0]
    nll = summary["mean_nll"]
    assert nll["routed"] < min(nll["always persistent"], nll["always reset"])
