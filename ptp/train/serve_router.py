"""Two served students behind one OpenAI-compatible endpoint: per request the router picks a
student and the request goes on to that student's server (llama.cpp, the adapter GGUF).

    python -m ptp.train.serve_router --router ptp/models/adapters/knapsack-router-smollm2.pt \\
        --base local:smollm2-135m --students local:smollm2-135m+knapsack-persistent \\
        local:smollm2-135m+knapsack-reset --model_alias NAME --port 8772

``ptp serve local:smollm2-135m+knapsack-routed`` runs this (and the eval harness does, when it
records). The reply is the chosen student's, with ``ptp_route`` added: the student's spec and
the router's probabilities, so a cassette shows which student answered and why. The students'
servers are started here (or reused when they already answer) and stopped on exit.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from ptp.train._router import STUDENTS

Route = Callable[[Sequence[dict[str, Any]]], Mapping[str, float]]


def route_handler(alias: str, route: Route, students: Mapping[str, str]) -> type:
    """A request handler: ``GET /v1/models`` lists ``alias``; ``POST /v1/chat/completions`` is
    routed by ``route`` to ``students[name]`` (a base URL ending in ``/v1``)."""

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, message: str) -> None:
            self._send(status, {"error": {"message": message, "type": "ptp_router_error"}})

        def do_GET(self) -> None:
            if self.path.rstrip("/") != "/v1/models":
                return self._error(404, f"no route {self.path}; try /v1/models")
            model = {"id": alias, "object": "model", "owned_by": "ptp"}
            self._send(200, {"object": "list", "data": [model]})

        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/v1/chat/completions":
                return self._error(404, f"no route {self.path}; try /v1/chat/completions")
            try:
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"] or 0)))
                messages = request["messages"]
            except (ValueError, KeyError, TypeError) as err:
                return self._error(400, f"the body must be a chat completion request: {err}")
            if request.get("stream"):
                return self._error(400, "streaming is not supported by the router; stream=false")
            try:
                probs = dict(route(messages))
            except Exception as err:
                return self._error(400, f"could not route the request: {err}")
            chosen = max(probs, key=probs.__getitem__)
            forward = urllib.request.Request(
                f"{students[chosen]}/chat/completions", data=json.dumps(request).encode(),
                headers={"Content-Type": "application/json"}, method="POST",
            )  # fmt: skip
            try:
                with urllib.request.urlopen(forward) as reply:
                    status, raw = reply.status, reply.read()
            except urllib.error.HTTPError as err:  # the student's own error, passed on
                status, raw = err.code, err.read()
            except OSError as err:
                return self._error(502, f"student {chosen} at {students[chosen]}: {err}")
            try:
                body = json.loads(raw)
            except ValueError:
                return self._error(
                    502, f"student {chosen} sent no JSON (HTTP {status}): {raw[:200]!r}"
                )
            body["ptp_route"] = {"student": chosen, "probabilities": probs}
            self._send(status, body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the students' servers log

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--router", required=True, help="router.pt of train_router")
    parser.add_argument("--base", required=True, help="the students' base, e.g. local:smollm2-135m")
    parser.add_argument("--students", nargs=2, required=True, help="specs of students a and b")
    parser.add_argument("--model_alias", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)

    from ptp.models import LocalServer, is_healthy, parse_spec
    from ptp.train import chat_template, load_base
    from ptp.train._prompt_router import PromptRouter

    # SIGTERM (how LocalServer stops a server) unwinds the stack: the students stop too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with ExitStack() as stack:
        urls = {}
        for name, spec in zip(STUDENTS, args.students, strict=True):
            parsed = parse_spec(spec)
            assert parsed.base_url
            if not is_healthy(parsed.base_url):
                stack.enter_context(LocalServer(parsed, threads=args.threads).start())
            urls[name] = parsed.base_url
        base, tokenizer = load_base(args.base)
        router = PromptRouter(base, tokenizer, chat_template(args.base, tokenizer), args.router)
        handler = route_handler(args.model_alias, router.route, urls)
        server = stack.enter_context(HTTPServer((args.host, args.port), handler))
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
