"""Cassette policy: what vcrpy records, how a request finds its recording, what is scrubbed."""

from __future__ import annotations

import importlib.util
import json
import sys
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from ptp.errors import CassetteFileError
from ptp.models import LATENCY_HEADER, current_call_elapsed_ms

SCRUBBED_HEADERS = (
    "authorization",
    "api-key",
    "x-api-key",
    "openai-organization",
    "openai-project",
    "cookie",
    "set-cookie",
)
SCRUBBED_QUERY = ("api_key", "key", "token")
# Body fields that never change a model's answer; dropped before matching.
VOLATILE_BODY_FIELDS = frozenset({"user", "metadata", "stream_options"})
MATCH_ON = ("method", "scheme", "host", "port", "path", "query", "ptp_json_body")


def canonical_body(body: bytes | str | None) -> str:
    """The request body as canonical JSON: sorted keys, volatile fields dropped.

    Non-JSON bodies compare as raw text. Cached: vcrpy compares each request with every
    recorded one of its cassette, several times per request.
    """
    if not isinstance(body, bytes | str | None):  # a file or an iterator of chunks
        body = body.read() if hasattr(body, "read") else b"".join(body)
    return _canonical_body(body)


@lru_cache(maxsize=1024)
def _canonical_body(body: bytes | str | None) -> str:
    if body is None:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return text
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k not in VOLATILE_BODY_FIELDS}
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def json_body_matcher(r1: Any, r2: Any) -> None:
    """vcrpy matcher: raise AssertionError unless both bodies are the same canonical JSON."""
    a, b = canonical_body(r1.body), canonical_body(r2.body)
    if a != b:
        raise AssertionError(f"request bodies differ:\n  {a[:300]}\n  {b[:300]}")


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SCRUBBED_HEADERS:
            del headers[name]
    return response


def _stamp_latency(response: dict[str, Any]) -> dict[str, Any]:
    """Store the client-measured latency of the call in the recorded response, so a replay
    reports what the call took when it was recorded (not how fast the cassette reads)."""
    elapsed_ms = current_call_elapsed_ms()
    if elapsed_ms is not None:
        response.setdefault("headers", {})[LATENCY_HEADER] = [f"{elapsed_ms:.1f}"]
    return response


def _before_record_response(response: dict[str, Any]) -> dict[str, Any]:
    return _stamp_latency(_scrub_response(response))


# The optional HTTP clients vcrpy tries to import each time it enters a cassette.
VCR_OPTIONAL_CLIENTS = (
    "aiohttp", "botocore", "httplib2", "httpx_curl_cffi", "pyreqwest", "tornado",
)  # fmt: skip


@cache
def mark_absent_http_clients() -> tuple[str, ...]:
    """Record in ``sys.modules`` that vcrpy's optional HTTP clients that are not installed
    are absent (None: ``import`` then fails at once), and return their names.

    vcrpy imports each of them on every cassette it enters, and a failed import searches
    ``sys.path`` again every time: ~3 ms per cassette under cProfile, ~5% of a replay.
    ``importlib.util.find_spec`` still answers None for them.
    """
    absent = tuple(
        name
        for name in VCR_OPTIONAL_CLIENTS
        if name not in sys.modules and importlib.util.find_spec(name) is None
    )
    for name in absent:
        sys.modules[name] = None  # type: ignore[assignment]
    return absent


def vcr_kwargs() -> dict[str, Any]:
    """Keyword arguments for ``pytest.mark.vcr`` on every eval case."""
    return {
        "match_on": list(MATCH_ON),
        "filter_headers": list(SCRUBBED_HEADERS),
        "filter_query_parameters": list(SCRUBBED_QUERY),
        "decode_compressed_response": True,
        "before_record_response": _before_record_response,
    }


_FIX = "fix it, or delete it and re-record the case with --record-mode=once"
# What vcrpy's httpx stubs read from each recorded interaction; a cassette that lacks one of
# these would fail later with a bare KeyError, far from the file.
_REQUIRED = {
    "request": {"method": str, "uri": str, "headers": dict, "body": object},
    "response": {"status": dict, "headers": dict, "body": dict},
}


def check_cassette(path: Path, data: Any) -> None:
    """Raise :class:`CassetteFileError` unless ``data`` (parsed YAML) is a complete cassette."""
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteFileError(f"{path}: no 'interactions' list, so not a cassette; {_FIX}")
    for number, interaction in enumerate(data["interactions"]):
        where = f"{path}: interactions[{number}]"
        if not isinstance(interaction, dict):
            raise CassetteFileError(f"{where} is not a mapping; {_FIX}")
        for part, fields in _REQUIRED.items():
            section = interaction.get(part)
            if not isinstance(section, dict):
                raise CassetteFileError(f"{where} has no '{part}' mapping; {_FIX}")
            for name, kind in fields.items():
                if name not in section or not isinstance(section[name], kind):
                    raise CassetteFileError(
                        f"{where}.{part} lacks '{name}' (a {kind.__name__}); {_FIX}"
                    )
        status, body = interaction["response"]["status"], interaction["response"]["body"]
        if not isinstance(status.get("code"), int) or not isinstance(status.get("message"), str):
            raise CassetteFileError(
                f"{where}.response.status needs an integer 'code' and a 'message'; {_FIX}"
            )
        if "string" not in body:
            raise CassetteFileError(f"{where}.response.body lacks 'string'; {_FIX}")


class CheckedPersister:
    """vcrpy persister: reads each cassette once (libyaml), checks it, and names the file and
    the fix on any defect instead of vcrpy's bare KeyError.

    An empty file is a defect in replay (nothing to replay: the case would silently fail
    to match); when recording it is treated as absent and recorded again, as vcrpy does.
    """

    def __init__(self, *, replay: bool) -> None:
        self.replay = replay

    def load_cassette(self, cassette_path: str | Path, serializer: Any) -> Any:
        # vcrpy is imported here, not at plugin import: pytest-recording registers vcrpy's
        # matchers for assertion rewriting, which an earlier import would defeat
        from vcr.persisters.filesystem import CassetteNotFoundError
        from vcr.serialize import deserialize

        path = Path(cassette_path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CassetteNotFoundError() from None
        except UnicodeDecodeError as err:
            raise CassetteFileError(f"{path}: not UTF-8 text ({err}); {_FIX}") from err
        if not text.strip():
            if self.replay:
                raise CassetteFileError(f"{path}: the file is empty; {_FIX}")
            raise CassetteNotFoundError()
        try:
            data = serializer.deserialize(text)
        except yaml.YAMLError as err:
            raise CassetteFileError(f"{path}: not valid YAML ({err}); {_FIX}") from err
        check_cassette(path, data)
        return deserialize(text, _Parsed(data))

    @staticmethod
    def save_cassette(cassette_path: str | Path, cassette_dict: Any, serializer: Any) -> None:
        from vcr.persisters.filesystem import FilesystemPersister

        FilesystemPersister.save_cassette(cassette_path, cassette_dict, serializer=serializer)


class _Parsed:
    """A serializer that hands vcrpy the document already parsed (each file is parsed once)."""

    def __init__(self, data: Any) -> None:
        self.data = data

    def deserialize(self, _text: str) -> Any:
        return self.data
