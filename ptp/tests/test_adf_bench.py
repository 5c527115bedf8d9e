"""Benchmark: a dataset run of 90 items (every shipped scenario, 9 items each) with the expert
policies as teachers and a fake reviewer (``FakeModel``: the real Model code without HTTP),
two workers: everything but the model's own time. The issue's target is >= 200 accepted
traces per minute on 2 cores with a replayed teacher.

Run with ``python -m pytest ptp/tests/test_adf_bench.py --benchmark-enable -n 0 -s``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from ptp.adf import AdfConfig, run_adf
from ptp.tasks import get_family
from ptp.tasks.scenarios import templates_of

from .test_adf import fake_reviewer

MIX = [
    {"family": f, "scenario": s, "n": 9, "seed": 3}
    for f in ("terminal", "telecom", "booking") for s in templates_of(get_family(f))
]  # fmt: skip


@pytest.mark.bench
def test_accepted_traces_per_minute(benchmark, tmp_path: Path) -> None:
    config = AdfConfig.model_validate({
        "teacher_pool": {"endpoints": [{"spec": "expert:{family}"}]},
        "reviewer_pool": {"endpoints": [{"spec": "local:gemma-3-270m"}]},
        "prompts": {"language": {"primary": "en", "recap": "zh"}},
        "concurrency": {"max_workers": 2},
        "scenarios": MIX,
    })  # fmt: skip
    folders = (tmp_path / f"run{n}" for n in itertools.count())

    def run() -> float:
        summary = run_adf(config, next(folders), reviewer_factory=fake_reviewer(), progress=False)
        assert summary.accepted == summary.items == 90
        return summary.accepted_per_min

    rate = benchmark.pedantic(run, rounds=3, iterations=1)
    print(f"\naccepted traces per minute (last round): {rate:,.0f}")
