"""Answer extraction and equivalence: numbers, math (string, numeric, SymPy with a time
limit), multiple choice, yes/no, NLI labels; unreadable answers are "no answer", never a
crash (hypothesis)."""

from __future__ import annotations

import threading
import time
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptp.tasks.reasoning import (
    DATASETS,
    Check,
    CheckTimeout,
    Choices,
    ReasoningTask,
    _mathcheck,
    check_answer,
    exact_number,
    extract_answer,
    final_answer_text,
    last_boxed,
    math_equal,
    normalize_latex,
    numbers_equal,
    parse_number,
    read_choice,
    read_nli,
    read_yes_no,
    score,
    shipped_questions,
    time_limit,
)
from ptp.tasks.reasoning._latexnum import numeric_equal


def _task(dataset: str, gold: str, **fields) -> ReasoningTask:
    return ReasoningTask(dataset=dataset, id="t", question="q", gold_answer=gold, **fields)


# --- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "percent"),
    [
        ("$1,234.50 in total", Fraction(2469, 2), False),
        ("1{,}000{,}000", 1_000_000, False),
        ("3/4 cup", Fraction(3, 4), False),
        ("\\frac{3}{4}", Fraction(3, 4), False),
        ("\\dfrac34", Fraction(3, 4), False),
        ("2 1/2 hours", Fraction(5, 2), False),
        ("x = -3", -3, False),
        ("−7 degrees", -7, False),
        ("12.5%", Fraction(25, 2), True),
        ("45 percent", 45, True),
        ("between 3 and 5", 5, False),
        ("twelve", 12, False),
        (".5", Fraction(1, 2), False),
        ("5-3", 3, False),
    ],
)
def test_parse_number(text: str, value: Fraction, percent: bool) -> None:
    number = parse_number(text)
    assert number is not None and (number.value, number.percent) == (value, percent)


@pytest.mark.parametrize("text", ["", "none", "1/0", "x", None, float("nan"), "9" * 100])
def test_no_number(text) -> None:
    assert parse_number(text) is None


def test_exact_number_is_the_whole_text_or_nothing() -> None:
    assert exact_number("\\frac{3}{4}").value == Fraction(3, 4)
    assert exact_number("50\\%").percent
    for text in ("2\\sqrt{2}", "x+1", "3 4", "5 apples"):
        assert exact_number(text) is None


def test_numbers_equal_percentages_and_rounding() -> None:
    half, pct = parse_number("0.5"), parse_number("50%")
    assert numbers_equal(pct, half) and numbers_equal(pct, parse_number("50"))
    assert numbers_equal(parse_number("0.3333333"), parse_number("1/3"))
    assert not numbers_equal(parse_number("0.33"), parse_number("1/3"))
    assert not numbers_equal(None, half)


@given(st.integers(-(10**12), 10**12))
def test_thousands_separators_round_trip(n: int) -> None:
    assert parse_number(f"The total is ${n:,}.").value == n


@given(st.integers(1, 10**6), st.integers(1, 10**6))
def test_fractions_in_three_spellings_agree(a: int, b: int) -> None:
    forms = [f"{a}/{b}", f"\\frac{{{a}}}{{{b}}}", f"\\dfrac{{{a}}}{{{b}}}"]
    assert {parse_number(f).value for f in forms} == {Fraction(a, b)}


# --- finding the final answer ------------------------------------------------------------


def test_final_answer_text() -> None:
    assert final_answer_text('{"reasoning": "3*4", "answer": "12"}') == "12"
    assert final_answer_text('{"reasoning": "cut off", "answer": 7') == "7"
    assert final_answer_text("so \\boxed{\\frac{1}{\\sqrt{2}}} is it") == "\\frac{1}{\\sqrt{2}}"
    assert final_answer_text("Thus the answer is $14. Done") == "$14"
    assert final_answer_text("She pays 3.\n#### 72") == "72"
    assert final_answer_text("no marker at all") is None
    assert last_boxed("\\boxed{1} then \\boxed{2") == "1"  # the unclosed one is skipped


# --- math --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pred", "gold", "method"),
    [
        ("\\dfrac{1}{2}", "0.5", "number"),
        ("$\\frac{5}{6}$", "\\frac{10}{12}", "number"),
        ("10\\text{ cm}", "10", "string"),
        ("5\\sqrt{2}", "\\sqrt{50}", "numeric"),
        ("\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt2}", "numeric"),
        ("(x+1)^2", "x^2+2x+1", "numeric"),
        ("9\\pi", "\\pi \\cdot 9", "numeric"),
        ("\\sqrt[3]{-8}", "-2", "numeric"),
        ("(-3,3]", "(-3, 3]", "string"),
        ("\\{1, 2\\}", "\\{2,1\\}", "sympy"),
        ("x=3", "3", "sympy"),
    ],
)
def test_math_equal(pred: str, gold: str, method: str) -> None:
    assert math_equal(pred, gold) == _mathcheck.MathVerdict(True, method)


@pytest.mark.parametrize(
    ("pred", "gold", "method"),
    [
        ("4x", "4y", "numeric"),
        ("\\sqrt{3}", "1.732", "numeric"),
        ("5", "(-3, 3]", "numeric"),
        ("(-3,3)", "(-3, 3]", "sympy"),
        ("9^{9^{9}}", "4", "refused"),
        ("2^{10000}", "5", "refused"),
        ("\\frac{", "1", "sympy"),
        ("", "1", "no_answer"),
        ("x" * 400 + "+", "1", "refused"),
    ],
)
def test_math_not_equal(pred: str, gold: str, method: str) -> None:
    assert math_equal(pred, gold) == _mathcheck.MathVerdict(False, method)


def test_math_gets_no_answer_from_none() -> None:
    assert math_equal(None, "1").method == "no_answer"


def _poly(coefs: list[int]) -> str:
    return "+".join(f"{c}x^{{{i}}}" for i, c in enumerate(coefs)).replace("+-", "-")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-9, 9), min_size=1, max_size=4), st.integers(-5, 5))
def test_numeric_path_agrees_with_sympy(coefs: list[int], shift: int) -> None:
    import sympy

    x = sympy.Symbol("x")
    expr = sum(c * x**i for i, c in enumerate(coefs))
    other = sympy.expand((expr + shift) * (x + 1)) if shift else expr
    same = sympy.simplify(expr - other) == 0
    mine = normalize_latex(_poly(coefs))
    assert numeric_equal(mine, normalize_latex(sympy.latex(sympy.expand(other)))) is same
    assert numeric_equal(mine, normalize_latex(sympy.latex(sympy.factor(expr)))) is True


def test_time_limit_interrupts_and_restores() -> None:
    with pytest.raises(CheckTimeout), time_limit(0.05) as limited:
        assert limited
        while True:
            pass
    time.sleep(0.1)  # the timer was cleared: nothing fires later
    with time_limit(None) as limited:
        assert not limited


def test_time_limit_is_off_outside_the_main_thread() -> None:
    seen = []

    def work() -> None:
        with time_limit(1) as limited:
            seen.append(limited)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [False]


def test_a_slow_sympy_check_times_out(monkeypatch) -> None:
    def spin(pred: str, gold: str) -> bool:
        while True:
            pass

    monkeypatch.setattr(_mathcheck, "_sympy_equal", spin)
    verdict = math_equal("\\{1\\}", "\\{2\\}", timeout_s=0.1)
    assert verdict == _mathcheck.MathVerdict(False, "timeout")


# --- labels ------------------------------------------------------------------------------

LABELS, TEXTS = ("A", "B", "C", "D"), ("luster", "mass", "weight", "hardness")


@pytest.mark.parametrize(
    ("reply", "label"),
    [
        ("A", "A"),
        ("(C)", "C"),
        ("b", "B"),
        ("Answer: D", "D"),
        ("The answer is C) weight", "C"),
        ("Option B: mass", "B"),
        ('{"reasoning": "...", "answer": "B"}', "B"),
        ("I think hardness matters most", "D"),
        ("a mass", "B"),  # the article "a" is not option A
        ("weight or mass", None),
        ("I don't know", None),
        ("We rule out (A) and (B); so (C).", "C"),
    ],
)
def test_read_choice(reply: str, label: str | None) -> None:
    assert read_choice(reply, LABELS, TEXTS) == label


def test_read_choice_numeric_labels() -> None:
    assert read_choice("2", ("1", "2", "3"), ("x", "y", "z")) == "2"
    assert read_choice("The answer is (3)", ("1", "2", "3"), ("x", "y", "z")) == "3"


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("Yes.", "yes"),
        ("No, because sloths are slow.", "no"),
        ('{"answer": "no"}', "no"),
        ("Sloths are slow, so the answer is no. Yes, really.", "no"),
        ("True", "yes"),
        ("maybe", None),
    ],
)
def test_read_yes_no(reply: str, answer: str | None) -> None:
    assert read_yes_no(reply) == answer


@pytest.mark.parametrize(
    ("reply", "label"),
    [
        ("The answer is: contradiction", "contradiction"),
        ('{"answer": "entailment"}', "entailment"),
        ("It is neither; neutral.", "neutral"),
        ("Answer: false", "contradiction"),
        ("Answer: e", "entailment"),
        ("The premise contradicts the hypothesis", "contradiction"),
        ("no idea", None),
    ],
)
def test_read_nli(reply: str, label: str | None) -> None:
    assert read_nli(reply) == label


# --- whole checks ------------------------------------------------------------------------


def test_check_answer_by_kind() -> None:
    gsm = _task("gsm8k", "1200")
    assert check_answer("She saves $1,200 a year. The answer is $1,200.", gsm) == Check(
        "1200", True, "number"
    )
    assert check_answer({"answer": "1200"}, gsm).correct
    assert check_answer(1200, gsm).correct and check_answer(1200.0, gsm).correct
    pct = _task("table_mwp", "45", table="a | b")
    assert check_answer("45%", pct).correct
    mc = _task("arc_challenge", "B", choices=Choices(label=LABELS, text=TEXTS))
    assert check_answer("mass", mc) == Check("B", True, "label")
    assert check_answer("(A)", mc) == Check("A", False, "label")
    nli = ReasoningTask(dataset="anli", id="n", premise="p", hypothesis="h", gold_answer="neutral")
    assert check_answer("neutral", nli).correct
    math = _task("math", "\\frac{1}{6}")
    assert check_answer("Six outcomes of 36. \\boxed{\\dfrac{1}{6}}", math).correct
    assert check_answer("The probability is $\\frac{6}{36}$ overall, a long reply " * 3, math)
    assert extract_answer("1/6", math) == "1/6"


def test_unreadable_answers_are_no_answer() -> None:
    for task in (shipped_questions(d)[0] for d in DATASETS):
        for reply in (None, "", "   ", "I cannot tell.", [], object()):
            check = check_answer(reply, task)
            if task.kind not in ("number", "math") or reply not in ("I cannot tell.",):
                assert check == Check(None, False, "no_answer"), (task.dataset, reply)
        verdict = score(None, task)
        assert not verdict.correct and verdict.metadata == {"no_answer": True, "check": "no_answer"}


# --- fuzzing: never a crash --------------------------------------------------------------

_TASKS = [shipped_questions(d)[i] for d in DATASETS for i in (0, 6)]
_FRAGMENTS = st.sampled_from(
    ["\\boxed{", "\\frac{", "}", "{", "^", "\\sqrt[", "]", "$", "\\left(", "\\right)", "(", ")",
     ",", "1,000", "%", "-", "/", "0", "9^9^9", "**", "\\infty", "\\{", "\\}", "answer is ",
     '"answer": ', "####", "(B)", "yes", "entail", "x", "=", "\\text{", "e", "i", "1e999",
     "\\int", "!", "\n", " ", "\\", "NaN", "π", "½"]
)  # fmt: skip
_GARBAGE = st.one_of(
    st.text(max_size=120),
    st.lists(_FRAGMENTS, max_size=25).map("".join),
    st.lists(st.one_of(_FRAGMENTS, st.text(max_size=4)), max_size=40).map("".join),
)


def _never_crashes(task_index: int, reply: str) -> None:
    task = _TASKS[task_index % len(_TASKS)]
    check = check_answer(reply, task, timeout_s=1.0)
    assert isinstance(check, Check)
    assert check.answer is None or isinstance(check.answer, str)
    assert check.correct in (True, False)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), _GARBAGE)
def test_malformed_answers_never_crash(task_index: int, reply: str) -> None:
    _never_crashes(task_index, reply)


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), _GARBAGE)
def test_ten_thousand_malformed_answers_never_crash(task_index: int, reply: str) -> None:
    _never_crashes(task_index, reply)
