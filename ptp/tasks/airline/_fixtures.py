"""Generated problems saved as JSON lines (one :class:`AirlineProblem` a line, sorted keys)."""

from __future__ import annotations

import json
from pathlib import Path

from ._generate import Style, generate
from ._io import iter_jsonl
from ._schema import AirlineProblem

__all__ = ["read_fixtures", "write_fixtures"]


def write_fixtures(out_dir: Path, n: int, seed: int, complexity: int, style: Style) -> Path:
    """Write ``generate(n, complexity, seed, style)`` to ``out_dir/airline-c{c}-{style}.jsonl``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"airline-c{complexity}-{style}.jsonl"
    lines = (
        json.dumps(p.model_dump(mode="json"), sort_keys=True, ensure_ascii=False) + "\n"
        for p in generate(n, complexity, seed, style)
    )
    path.write_text("".join(lines), encoding="utf-8")
    return path


def read_fixtures(path: Path | str) -> list[AirlineProblem]:
    """Read a file written by :func:`write_fixtures`.

    Raises:
        AirlineDataError: unreadable file or bad line; the message names line, field and fix.
    """
    return [problem for _, problem in iter_jsonl(Path(path), AirlineProblem)]
