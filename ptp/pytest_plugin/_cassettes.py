"""Cassette policy: what vcrpy records, how a request finds its recording, what is scrubbed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

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

    Non-JSON bodies compare as raw text.
    """
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


def vcr_kwargs() -> dict[str, Any]:
    """Keyword arguments for ``pytest.mark.vcr`` on every eval case."""
    return {
        "match_on": list(MATCH_ON),
        "filter_headers": list(SCRUBBED_HEADERS),
        "filter_query_parameters": list(SCRUBBED_QUERY),
        "decode_compressed_response": True,
        "before_record_response": _scrub_response,
    }


class CassetteFileError(ValueError):
    """A cassette file is unreadable; the message names it and says how to fix it."""


def validate_cassette(path: Path) -> None:
    """Check that ``path`` (if it exists) is a vcrpy cassette, before vcrpy reads it.

    vcrpy's own errors on a broken file do not say which file; this one does.
    """
    if not path.exists():
        return
    fix = "fix it, or delete it and re-record with --record-mode=once"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise CassetteFileError(f"{path}: not valid YAML ({err}); {fix}") from err
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteFileError(f"{path}: no 'interactions' list, so not a cassette; {fix}")
    for number, interaction in enumerate(data["interactions"]):
        if not isinstance(interaction, dict) or not {"request", "response"} <= interaction.keys():
            raise CassetteFileError(
                f"{path}: interaction {number} lacks 'request' or 'response'; {fix}"
            )
