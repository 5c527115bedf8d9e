"""A small LaTeX subset compared by value without SymPy: numbers, single-letter variables,
``+ - \\cdot \\times \\div /``, powers, ``\\frac``, ``\\sqrt`` (also ``\\sqrt[n]``), ``\\pi``,
brackets and implicit products (``2x``, ``3\\sqrt{2}``, ``(x+1)(x-1)``).

Two expressions in the subset are equal when they agree at several points (every variable
drawn from fixed irrational-looking values): exact for constants up to float precision, and
for polynomials and rational functions wrong only if the sample points happen to be roots
of their difference. Anything outside the subset (sets, intervals, equations, ``e``, ``i``,
other commands) returns None and goes to SymPy. This path checks a typical MATH answer in
tens of microseconds; SymPy's ``simplify`` takes tens of milliseconds.

>>> numeric_equal(r"5\\sqrt{2}", r"\\sqrt{50}")
True
>>> numeric_equal(r"(x+1)^2", r"x^2+2x+1")
True
>>> numeric_equal(r"\\{1, 2\\}", "1,2") is None
True
"""

from __future__ import annotations

import ast
import cmath
import math
import re
from functools import lru_cache

from ptp._safe_ast import parse as parse_ast

__all__ = ["MAX_EXPONENT", "REL_TOL", "in_subset", "numeric_equal", "to_python"]

MAX_CHARS = 200
MAX_EXPONENT = 64.0
"""Larger exponents are not evaluated (``2^{10000}``): the answer goes to SymPy's guards."""
REL_TOL = 1e-6
"""Relative tolerance, the same as for plain numbers (``numbers_equal``) and math-verify's
six-decimal rounding."""

# Values for variables: away from 0, 1 and small rationals, so that different polynomials
# and rational functions almost never agree at all of them.
_POINTS = (
    (0.5772156649, 1.3247179572, 0.7390851332, 1.6180339887, 2.2360679775, 0.4142135624),
    (1.7320508076, 0.6931471806, 2.7182818285, 0.3183098862, 1.4142135624, 2.6651441427),
    (-0.8862269255, 2.5029078751, -1.2020569032, 0.9159655942, -0.2614972128, 3.3598856662),
)
_TOKEN = re.compile(r"\d+\.?\d*|\.\d+|sqrt|root|pi|[A-Za-z]|\*\*|[-+*/(),]")
_ALLOWED_COMMANDS = re.compile(r"\\(?:frac|sqrt|pi|cdot|times|div)(?![A-Za-z])")


def _group(text: str, start: int) -> tuple[str, int] | None:
    """The braced group (or single character) at ``text[start]`` and the index after it."""
    if start >= len(text):
        return None
    if text[start] != "{":
        if text[start] == "\\":
            m = re.match(r"\\[A-Za-z]+", text[start:])
            return (m.group(0), start + m.end()) if m else None
        return text[start], start + 1
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1 : i], i + 1
    return None


def _translate(text: str) -> str | None:
    """LaTeX (no spaces) -> a Python expression over sqrt/root/pi; None outside the subset."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("\\frac", i):
            num = _group(text, i + 5)
            den = _group(text, num[1]) if num else None
            if num is None or den is None:
                return None
            a, b = _translate(num[0]), _translate(den[0])
            if a is None or b is None:
                return None
            out.append(f"(({a})/({b}))")
            i = den[1]
        elif text.startswith("\\sqrt", i):
            index = None
            j = i + 5
            if j < len(text) and text[j] == "[":
                close = text.find("]", j)
                if close < 0:
                    return None
                index = _translate(text[j + 1 : close])
                if index is None:
                    return None
                j = close + 1
            arg = _group(text, j)
            inner = _translate(arg[0]) if arg else None
            if arg is None or inner is None:
                return None
            out.append(f"sqrt({inner})" if index is None else f"root({inner},{index})")
            i = arg[1]
        elif text[i] == "^":
            arg = _group(text, i + 1)
            inner = _translate(arg[0]) if arg else None
            if arg is None or inner is None:
                return None
            out.append(f"**({inner})")
            i = arg[1]
        elif text.startswith("\\pi", i):
            out.append(" pi ")
            i += 3
        elif text.startswith(("\\cdot", "\\times"), i):
            out.append("*")
            i += 5 if text.startswith("\\cdot", i) else 6
        elif text.startswith("\\div", i):
            out.append("/")
            i += 4
        elif text[i] in "{}":
            out.append("(" if text[i] == "{" else ")")
            i += 1
        elif text[i].isalnum() or text[i] in "+-*/().":
            out.append(text[i])
            i += 1
        else:
            return None
    return "".join(out)


def _implicit_products(expr: str) -> str | None:
    tokens = _TOKEN.findall(expr)
    if "".join(tokens) != expr.replace(" ", ""):
        return None  # a character the tokenizer does not know
    out: list[str] = []
    for tok in tokens:
        if out:
            prev = out[-1]
            ends_value = prev == ")" or prev[0].isdigit() or prev[0] == "." or prev.isalpha()
            ends_value = ends_value and prev not in ("sqrt", "root")
            starts_value = tok == "(" or tok[0].isdigit() or tok[0] == "." or tok.isalpha()
            if ends_value and starts_value:
                out.append("*")
        out.append(tok)
    return "".join(out)


@lru_cache(maxsize=8192)
def _compiled(latex: str) -> tuple[ast.expr, frozenset[str]] | None:
    tree = _parse(latex)
    return None if tree is None else (tree[0].body, frozenset(tree[1]))


def in_subset(latex: str) -> bool:
    """``latex`` is a scalar expression of the subset (:func:`to_python` reads it)."""
    return _compiled(latex) is not None


def to_python(latex: str) -> ast.Expression | None:
    """``latex`` (as :func:`normalize_latex` leaves it) parsed to a Python expression tree
    over ``sqrt``, ``root``, ``pi`` and one-letter variables; None outside the subset (also
    for ``e`` and ``i``, which may be constants)."""
    parsed = _parse(latex)
    return None if parsed is None else parsed[0]


def _parse(latex: str) -> tuple[ast.Expression, set[str]] | None:
    if not latex or len(latex) > MAX_CHARS or "," in latex:
        return None
    if "\\" in _ALLOWED_COMMANDS.sub("", latex):
        return None
    text = _translate(latex)
    if text is None or re.search(r"(?<![A-Za-z])[ei](?![A-Za-z])", text.replace("pi", "")):
        return None
    text = _implicit_products(text)
    if text is None:
        return None
    try:
        tree = parse_ast(text, "eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    names: set[str] = set()
    return (tree, names) if _allowed(tree.body, names) else None


_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)


def _allowed(node: ast.AST, names: set[str]) -> bool:
    """Only arithmetic, sqrt/root, pi, one-letter names and numbers; collects the names."""
    if isinstance(node, ast.BinOp):
        return (
            isinstance(node.op, _OPS) and _allowed(node.left, names) and _allowed(node.right, names)
        )
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.USub | ast.UAdd) and _allowed(node.operand, names)
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        arity = {"sqrt": 1, "root": 2}.get(name)
        return (
            arity == len(node.args)
            and not node.keywords
            and all(_allowed(a, names) for a in node.args)
        )
    if isinstance(node, ast.Name):
        if len(node.id) == 1:
            names.add(node.id)
            return True
        return node.id == "pi"
    return isinstance(node, ast.Constant) and isinstance(node.value, int | float)


class _Undefined(Exception):
    pass


def _eval(node: ast.AST, env: dict[str, complex]) -> complex:
    if isinstance(node, ast.Constant):
        return complex(node.value)
    if isinstance(node, ast.Name):
        return complex(math.pi) if node.id == "pi" else env[node.id]
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, env)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Call):
        args = [_eval(a, env) for a in node.args]
        if len(args) == 1:
            return cmath.sqrt(args[0])
        base, index = args
        if index == 0:
            raise _Undefined
        if base.imag == 0 and base.real < 0 and index.imag == 0 and index.real % 2 == 1:
            return -complex(abs(base.real) ** (1 / index.real))  # odd root of a negative
        return base ** (1 / index)
    assert isinstance(node, ast.BinOp)
    left, right = _eval(node.left, env), _eval(node.right, env)
    if isinstance(node.op, ast.Add):
        return left + right
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Mult):
        return left * right
    if isinstance(node.op, ast.Div):
        if right == 0:
            raise _Undefined
        return left / right
    if abs(right) > MAX_EXPONENT or (left == 0 and right.real <= 0):
        raise _Undefined
    if right.imag == 0 and right.real == int(right.real) and left.imag == 0:
        return complex(left.real ** int(right.real))  # integer power of a real: stays real
    return left**right


def _close(a: complex, b: complex) -> bool:
    return abs(a - b) <= REL_TOL * max(1.0, abs(b))


def numeric_equal(pred: str, gold: str) -> bool | None:
    """Whether ``pred`` and ``gold`` have the same value (at every sample point, when they
    have variables); None when either is outside the subset or cannot be evaluated at two
    of the points. Never raises."""
    a, b = _compiled(pred), _compiled(gold)
    if a is None or b is None:
        return None
    names = sorted(a[1] | b[1])
    if len(names) > len(_POINTS[0]):
        return None
    decided = 0
    for values in _POINTS:
        env = {name: complex(v) for name, v in zip(names, values, strict=False)}
        try:
            x, y = _eval(a[0], env), _eval(b[0], env)
        except (_Undefined, OverflowError, ZeroDivisionError, ValueError, RecursionError):
            continue
        if not (cmath.isfinite(x) and cmath.isfinite(y)):
            continue
        if not _close(x, y):
            return False
        decided += 1
        if not names:
            return True  # a constant: one evaluation decides
    return True if decided >= 2 else None
