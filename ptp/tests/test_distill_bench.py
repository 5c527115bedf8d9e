"""Benchmark: distilling a corpus of 100 expert:airline L3 traces (select, mine, synthesize
with ruff format). The issue's target is < 5 s.

Run with ``python -m pytest ptp/tests/test_distill_bench.py --benchmark-enable -n 0``.
"""

from __future__ import annotations

import pytest

from ptp.distill import distill_episodes, run_teacher
from ptp.tasks import get_family


@pytest.mark.bench
def test_distill_100_traces(benchmark) -> None:
    airline = get_family("airline")
    tasks = [t for c in (0, 1, 2) for s in ("template", "paraphrase")
             for t in airline.generate(17, seed=11, complexity=c, style=s)][:100]  # fmt: skip
    episodes = run_teacher("airline", "expert:airline", tasks)
    result = benchmark(distill_episodes, episodes, "airline", traces="bench")
    assert result.selection.read == 100
    assert len(result.plan.on_path) + len(result.plan.off_path) == 100
