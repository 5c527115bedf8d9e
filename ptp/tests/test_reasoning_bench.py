"""Benchmarks of answer checking against the issue's targets: >= 20,000 answers/s for the
non-math kinds and >= 500/s for math, on 2 cores (two worker processes). Every round checks
replies no round saw before (the parsers cache what they have read). Without
``--benchmark-enable`` each runs once, small and in this process, as a correctness test;
with it, the rates are measured and asserted:

    pytest ptp/tests/test_reasoning_bench.py --benchmark-enable -n 0 -p no:randomly
"""

from __future__ import annotations

import random
from concurrent.futures import ProcessPoolExecutor

import pytest

from ptp.tasks.reasoning import DATASETS, check_answer, shipped_questions
from ptp.tasks.reasoning._mathcheck import warm_up

NON_MATH_TARGET = 20_000  # answers per second on 2 cores
MATH_TARGET = 500
WORKERS = 2
ROUNDS = 3

_NON_MATH = [(d, i) for d in DATASETS if d != "math" for i in range(12)]
_FORMS = [
    "The answer is {n}.",
    "({l})",
    '{{"reasoning": "so it is {n}", "answer": "{l}"}}',
    "Let me think step by step. {n} - 3 = {m}, then {m} + 1. The answer is {n}.",
    "I think the answer is {w}",
    "Answer: {l}",
]
_WORDS = ["yes", "no", "entailment", "neutral", "contradiction", "cupboard", "wind"]


def non_math_cases(n: int, seed: int) -> list[tuple[str, str, int]]:
    """``n`` (reply, dataset, question index) of the non-math kinds."""
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        k = rng.randint(0, 10**6)
        reply = rng.choice(_FORMS).format(
            n=f"{k:,}", m=k - 3, l=rng.choice("ABCDE"), w=rng.choice(_WORDS)
        )
        cases.append((reply, *_NON_MATH[i % len(_NON_MATH)]))
    return cases


def math_cases(n: int, seed: int) -> list[tuple[str, str, int]]:
    """MATH-like final answers: numbers, fractions, radicals, pi, polynomials; one in ten
    needs SymPy (sets, intervals, equations)."""
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        a, b, c = rng.randint(1, 999), rng.randint(2, 999), rng.randint(2, 99)
        if i % 10 == 0:
            forms = [f"\\{{{a}, {b}\\}}", f"x={a}", f"({a}, {b}]"]
        else:
            forms = [f"\\frac{{{a}}}{{{b}}}", f"${a}\\sqrt{{{c}}}$", f"{a}\\pi",
                     f"{a}x^2+{b}x+{c}", f"{a}.{b}", f"\\frac{{\\sqrt{{{c}}}}}{{{b}}}"]  # fmt: skip
        form = rng.choice(forms)
        reply = f"\\boxed{{{form}}}" if i % 2 else f"The answer is {form}."
        cases.append((reply, "math", i % 12))
    return cases


def check_chunk(cases: list[tuple[str, str, int]]) -> int:
    """How many of ``cases`` are right (the work each worker does)."""
    return sum(check_answer(r, shipped_questions(d)[i]).correct for r, d, i in cases)


def _rate(benchmark, make, target: int, small: int, size: int) -> None:
    if benchmark.disabled:  # runs once, in this process
        benchmark(check_chunk, make(small, 0))
        return
    seeds = iter(range(1, ROUNDS + 2))
    with ProcessPoolExecutor(WORKERS, initializer=warm_up) as pool:
        list(pool.map(check_chunk, [make(20, 0)] * WORKERS))  # start and warm both workers

        def setup():
            cases = make(size, next(seeds))
            return ([cases[w::WORKERS] for w in range(WORKERS)],), {}

        benchmark.pedantic(lambda chunks: sum(pool.map(check_chunk, chunks)), setup=setup,
                           rounds=ROUNDS)  # fmt: skip
    rate = size / benchmark.stats["median"]
    benchmark.extra_info["answers_per_s"] = round(rate)
    assert rate >= target, f"{rate:.0f} answers/s, target {target}"


@pytest.mark.bench
def test_non_math_answer_checking_rate(benchmark) -> None:
    _rate(benchmark, non_math_cases, NON_MATH_TARGET, small=500, size=40_000)


@pytest.mark.bench
def test_math_answer_checking_rate(benchmark) -> None:
    _rate(benchmark, math_cases, MATH_TARGET, small=100, size=4_000)
