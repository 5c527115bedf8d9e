"""``ptp._safe_ast``: the locked parse gives what ``ast`` gives (the CPython 3.11 race it
guards against is not reproducible on demand, so no test provokes it)."""

from __future__ import annotations

import ast

import pytest

from ptp._safe_ast import _LOCK, literal_eval, parse


def test_the_helpers_give_what_ast_gives() -> None:
    text = "  {'i00': {'weight': 3, 'class': 'A'}, 'ids': ['i01', 'i02'], 'x': -1.5}"
    assert literal_eval(text) == ast.literal_eval(text)
    assert ast.dump(parse("f(a=1)", "eval")) == ast.dump(ast.parse("f(a=1)", mode="eval"))
    with pytest.raises(ValueError):
        literal_eval("__import__('os')")


def test_a_parse_waits_for_the_lock() -> None:
    assert _LOCK.acquire(timeout=1)
    try:
        assert not _LOCK.acquire(blocking=False)  # held: a parse in another thread would wait
    finally:
        _LOCK.release()
    assert parse("1") is not None and not _LOCK.locked()
