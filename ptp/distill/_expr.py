"""How a mined value is computed: small expression nodes that evaluate on a trace's values
(to check a hypothesis on every trace) and render as Python (for the generated workflow).

Variables are step outputs by name; ``number`` is the loop's 1-based iteration number.
Text fields (values a ptool copies from the text) render as ``<group>.<name>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AsInt",
    "Const",
    "Equals",
    "Expr",
    "Field",
    "Index",
    "Max",
    "Out",
    "Select",
    "Sum",
]

NUMBER = "number"  # the loop variable's name in generated code (1-based)


class Expr:
    """A value of the generated workflow."""

    def value(self, env: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    def render(self) -> str:
        raise NotImplementedError

    def uses(self) -> set[str]:
        """The step outputs it reads."""
        return set()


@dataclass(frozen=True)
class Const(Expr):
    """The same value in every trace."""

    constant: Any

    def value(self, env: Mapping[str, Any]) -> Any:
        return self.constant

    def render(self) -> str:
        return repr(self.constant)


@dataclass(frozen=True)
class Index(Expr):
    """The loop iteration: ``number - 1 + offset`` (offset 1: 1, 2, 3, ...)."""

    offset: int

    def value(self, env: Mapping[str, Any]) -> Any:
        return env[NUMBER] - 1 + self.offset

    def render(self) -> str:
        shift = self.offset - 1
        return NUMBER if shift == 0 else f"{NUMBER} {'+' if shift > 0 else '-'} {abs(shift)}"


@dataclass(frozen=True)
class Out(Expr):
    """An earlier call's output."""

    var: str

    def value(self, env: Mapping[str, Any]) -> Any:
        return env[self.var]

    def render(self) -> str:
        return self.var

    def uses(self) -> set[str]:
        return {self.var}


@dataclass(frozen=True)
class Equals(Expr):
    """``left == constant`` (or ``!=``): a branch on an observed value."""

    left: Expr
    constant: Any
    negate: bool = False

    def value(self, env: Mapping[str, Any]) -> Any:
        return (self.left.value(env) == self.constant) != self.negate

    def render(self) -> str:
        return f"{self.left.render()} {'!=' if self.negate else '=='} {self.constant!r}"

    def uses(self) -> set[str]:
        return self.left.uses()


@dataclass(frozen=True)
class AsInt(Expr):
    """A condition as 0/1."""

    condition: Expr

    def value(self, env: Mapping[str, Any]) -> Any:
        return int(self.condition.value(env))

    def render(self) -> str:
        return f"int({self.condition.render()})"

    def uses(self) -> set[str]:
        return self.condition.uses()


@dataclass(frozen=True)
class Select(Expr):
    """``then if condition else otherwise``: which of two observations the traces used."""

    condition: Expr
    then: Expr
    otherwise: Expr

    def value(self, env: Mapping[str, Any]) -> Any:
        return self.then.value(env) if self.condition.value(env) else self.otherwise.value(env)

    def render(self) -> str:
        return f"{self.then.render()} if {self.condition.render()} else {self.otherwise.render()}"

    def uses(self) -> set[str]:
        return self.condition.uses() | self.then.uses() | self.otherwise.uses()


@dataclass(frozen=True)
class Max(Expr):
    """The larger of two values."""

    left: Expr
    right: Expr

    def value(self, env: Mapping[str, Any]) -> Any:
        return max(self.left.value(env), self.right.value(env))

    def render(self) -> str:
        return f"max({self.left.render()}, {self.right.render()})"

    def uses(self) -> set[str]:
        return self.left.uses() | self.right.uses()


@dataclass(frozen=True)
class Field(Expr):
    """A value a ptool reads from the text: ``<group>.<name>``, converted to ``unit`` from
    the unit as written (``<name>_unit``) when ``unit`` is set, rounded to a whole number
    when ``whole``."""

    group: str
    name: str
    unit: str | None = None
    whole: bool = False

    def render(self) -> str:
        ref = f"{self.group}.{self.name}"
        if self.unit is not None:
            return f"to_unit({ref}, {ref}_unit, {self.unit!r})"
        return f"whole({ref})" if self.whole else ref


@dataclass(frozen=True)
class Sum(Expr):
    """An arithmetic expression the traces wrote as text ("450 + 0 + 100 + ..."): the
    ``fixed`` terms, then ``per_item`` terms for every loop iteration (collected in the
    loop as ``terms``)."""

    fixed: tuple[Expr, ...]
    per_item: tuple[Expr, ...]

    def terms(self, env: Mapping[str, Any], iterations: list[Mapping[str, Any]]) -> list[Any]:
        values = [t.value(env) for t in self.fixed]
        for it in iterations:
            values += [t.value(it) for t in self.per_item]
        return values

    def render(self) -> str:
        fixed = ", ".join(t.render() for t in self.fixed)
        return f'" + ".join(str(term) for term in [{fixed}{", " if fixed else ""}*terms])'

    def uses(self) -> set[str]:
        return set().union(*(t.uses() for t in self.fixed))
