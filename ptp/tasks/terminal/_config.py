"""The simulated box's conventions: the service config format and which logs are rotated."""

from __future__ import annotations

import re

__all__ = ["KEYS", "NUMBERS", "REQUIRED", "is_rotated", "parse_config"]

KEYS = ("port", "workers", "user", "log_file", "env_file")
"""The directives a service config may hold (one ``key = value`` a line)."""
REQUIRED = ("port", "workers", "user", "log_file")
NUMBERS = {"port": (1, 65535), "workers": (1, 64)}
"""Numeric directives and their allowed range."""

_ROTATED = re.compile(r"\.\d+(\.gz)?$")


def is_rotated(path: str) -> bool:
    """A rotated log: under /var/log, its name ending in a number (``app.log.1``,
    ``syslog.2.gz``)."""
    return path.startswith("/var/log/") and bool(_ROTATED.search(path))


def parse_config(text: str) -> tuple[dict[str, str | int], str | None]:
    """The directives of a config and its first error (``"line N: ..."``), None when valid."""
    values: dict[str, str | int] = {}
    lines = text.splitlines()
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = (part.strip() for part in line.partition("="))
        if not sep or not key or not value or " " in key:
            return values, f"line {number}: expected 'key = value', got {line!r}"
        if key not in KEYS:
            return values, f"line {number}: unknown directive {key!r}"
        if key in values:
            return values, f"line {number}: directive {key!r} is set twice"
        if key in NUMBERS:
            low, high = NUMBERS[key]
            if not value.isdigit() or not low <= int(value) <= high:
                return values, f"line {number}: invalid number {value!r} for {key!r}"
            values[key] = int(value)
        else:
            values[key] = value
    missing = [key for key in REQUIRED if key not in values]
    if missing:
        return values, f"line {len(lines)}: missing directive {missing[0]!r}"
    return values, None
