"""The permission expression language of spec/data.md §5.5: `user | guest`, `self & role:editor`, `(a | b) & c`.

An expression is parsed once into a small tree (`parse_expression`) and folded per request (`fold`). A term is
TRUE, FALSE or, for `self` on a list, a store filter; `|` and `&` combine them with the §5.5 rules, `&` binding
tighter. Configuration-time checks turn a `ValueError` from the parser into a 400; at request time an expression
that does not parse denies (fail closed).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from bkend_mcp.domain.caller import Caller
from bkend_mcp.store.base import Filter, all_of, any_of

MAX_EXPRESSION_LENGTH = 500
MAX_NESTING = 16
BUILT_IN_ROLES = frozenset({"admin", "user", "guest"})

Value = bool | Filter
"""What a term or an expression evaluates to: TRUE, FALSE or a filter (only `self` on a list)."""


@dataclass(frozen=True, slots=True)
class Term:
    name: str
    role: str | None = None
    """For `role:NAME`: the NAME, or `*` for any custom role."""


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Expr, ...]


Expr = Term | AnyOf | AllOf

TERMS: dict[str, Callable[[Caller, Value], Value]] = {
    "public": lambda caller, self_value: True,
    "guest": lambda caller, self_value: True,  # every requester, signed in or not (§11 C5)
    "user": lambda caller, self_value: caller.authenticated,
    "admin": lambda caller, self_value: caller.group == "admin",
    "self": lambda caller, self_value: self_value,
}
"""Each plain term: how it evaluates for a caller, given what `self` means for the operation at hand."""

_TOKEN = re.compile(r"\s*(?:(\|\|?|&&?|\(|\))|role:(\*|[A-Za-z0-9_.-]+)|([A-Za-z_][A-Za-z0-9_:.*-]*))")


def parse_expression(text: str) -> Expr:
    """The tree of an expression; raises ValueError with a readable reason."""
    if not isinstance(text, str):
        raise ValueError("an expression must be a string")
    return _parse_cached(text)


@lru_cache(maxsize=1024)
def _parse_cached(text: str) -> Expr:
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ValueError(f"an expression may be at most {MAX_EXPRESSION_LENGTH} characters")
    parser = _Parser(_tokens(text))
    tree = parser.any_of(0)
    if parser.peek() is not None:
        raise ValueError(f"unexpected '{parser.peek()}'")
    return tree


def _tokens(text: str) -> list[str | Term]:
    tokens: list[str | Term] = []
    pos, end = 0, len(text.rstrip())
    while pos < end:
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ValueError(f"unexpected character '{text[pos:].strip()[:1]}'")
        symbol, role, word = match.groups()
        if symbol:
            tokens.append(symbol[0])
        elif role:
            tokens.append(Term("role", role))
        elif word in TERMS:
            tokens.append(Term(word))
        else:
            raise ValueError(f"unknown term '{word}' (use public, guest, user, admin, self, role:NAME or role:*)")
        pos = match.end()
    return tokens


class _Parser:
    """expr := all ('|' all)* ; all := atom ('&' atom)* ; atom := term | '(' expr ')'"""

    def __init__(self, tokens: list[str | Term]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | Term | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str | Term | None:
        token = self.peek()
        self.pos += 1
        return token

    def any_of(self, depth: int) -> Expr:
        items = [self.all_of(depth)]
        while self.peek() == "|":
            self.take()
            items.append(self.all_of(depth))
        return items[0] if len(items) == 1 else AnyOf(tuple(items))

    def all_of(self, depth: int) -> Expr:
        items = [self.atom(depth)]
        while self.peek() == "&":
            self.take()
            items.append(self.atom(depth))
        return items[0] if len(items) == 1 else AllOf(tuple(items))

    def atom(self, depth: int) -> Expr:
        token = self.take()
        if isinstance(token, Term):
            return token
        if token == "(":
            if depth >= MAX_NESTING:
                raise ValueError(f"parentheses may nest at most {MAX_NESTING} deep")
            inner = self.any_of(depth + 1)
            if self.take() != ")":
                raise ValueError("missing ')'")
            return inner
        raise ValueError("expected a term" if token is None else f"expected a term, found '{token}'")


def fold(tree: Expr, caller: Caller, self_value: Value) -> Value:
    """Evaluate a tree with §5.5's rules: TRUE|x=TRUE, FALSE|x=x, TRUE&x=x, FALSE&x=FALSE, filters OR/AND."""
    if isinstance(tree, Term):
        return _role(tree, caller) if tree.name == "role" else TERMS[tree.name](caller, self_value)
    values = (fold(item, caller, self_value) for item in tree.items)
    filters: list[Filter] = []
    if isinstance(tree, AnyOf):
        for value in values:
            if value is True:
                return True
            if not isinstance(value, bool):
                filters.append(value)
        return any_of(filters) if filters else False
    for value in values:
        if value is False:
            return False
        if not isinstance(value, bool):
            filters.append(value)
    return all_of(filters) if filters else True


def _role(term: Term, caller: Caller) -> bool:
    """`role:NAME`: signed in with that role; `role:*`: signed in with a custom (non built-in) role."""
    if not caller.authenticated or not caller.role:
        return False
    if term.role == "*":
        return caller.role not in BUILT_IN_ROLES
    return caller.role == term.role


def holds(text: str, caller: Caller, self_value: bool) -> bool:
    """Whether an expression is TRUE when `self` is a plain yes/no; an unparseable expression is FALSE."""
    try:
        tree = parse_expression(text)
    except ValueError:
        return False
    return fold(tree, caller, self_value) is True
