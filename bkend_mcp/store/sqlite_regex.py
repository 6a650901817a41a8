"""Regular-expression matching for the SQLite store: the `bk_regexp(pattern, flags, value)` SQL function.

SQLite has no regex of its own, so filters call this Python function on each candidate value. Patterns are
capped at `MAX_PATTERN` characters and compiled once (cached). A pattern without repeats or alternatives (a
literal, as every `search` parameter is, or `^abc$`) cannot backtrack more than its own length at each position
and runs on `re`. Any other pattern runs on the `regex` package (the `re` syntax, VERSION0), which can stop one
match after `MATCH_TIMEOUT` seconds: a catastrophic pattern such as `(a|aa)+$` against a long value ends as
`RegexTimeout` instead of holding a worker thread. The time limit costs ~2 µs per value, which is why literals
skip it. A long scan of many rows is stopped between rows by the read time limit (`sqlite_conn`).

SQLite turns any exception raised inside the function into a bare `OperationalError`, so a timed-out match is
remembered per thread and `RegexTimeout.pop()` (called by `sqlite_conn.storage_faults`) gives it back.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any

import regex

from bkend_mcp.store.base import QueryTimeout, Regex

MAX_PATTERN = 256
MATCH_TIMEOUT = 0.25
"""Seconds one pattern may spend on one value."""

REGEX_FLAGS: tuple[tuple[str, int], ...] = (
    ("ignore_case", re.IGNORECASE),
    ("multiline", re.MULTILINE),
    ("dotall", re.DOTALL),
    ("verbose", re.VERBOSE),
)
"""`re` and `regex` give these flags the same values."""
_C = re._constants
_BACKTRACKING = (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT, _C.BRANCH, _C.GROUPREF_EXISTS)

_last_timeout = threading.local()


class RegexTimeout(QueryTimeout):
    """A `$regex` took longer than `MATCH_TIMEOUT` on one value: the pattern backtracks catastrophically."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        super().__init__(f"a regex ran longer than {MATCH_TIMEOUT:g} s on one value")

    @staticmethod
    def pop() -> RegexTimeout | None:
        """The timeout `regexp` met last on this thread, once; None when there was none."""
        found: RegexTimeout | None = getattr(_last_timeout, "error", None)
        _last_timeout.error = None
        return found


def regex_flags(value: Regex) -> int:
    flags = 0
    for attr, flag in REGEX_FLAGS:
        if getattr(value, attr):
            flags |= flag
    return flags


@lru_cache(maxsize=256)
def compile_regex(pattern: str, flags: int) -> Callable[[str], Any]:
    """The pattern's `search(value)`, time-limited unless the pattern cannot backtrack; ValueError when it is too
    long or invalid."""
    if not isinstance(pattern, str) or len(pattern) > MAX_PATTERN:
        raise ValueError(f"a regex pattern is a string of at most {MAX_PATTERN} characters")
    try:
        plain = re.compile(pattern, flags)
        if not _backtracks(re._parser.parse(pattern, flags)):
            return plain.search
        return partial(regex.compile(pattern, flags | regex.VERSION0).search, timeout=MATCH_TIMEOUT)
    except (re.error, regex.error, RecursionError, OverflowError) as exc:
        raise ValueError(f"invalid regex pattern: {exc}") from None


def _backtracks(node: Any) -> bool:
    """True when the parsed pattern holds a repeat, an alternative or a conditional anywhere."""
    if isinstance(node, re._parser.SubPattern):
        node = node.data
    if isinstance(node, (list, tuple)):
        if node and any(node[0] is op for op in _BACKTRACKING):
            return True
        return any(_backtracks(item) for item in node)
    return False


def regexp(pattern: str, flags: int, value: Any) -> int:
    """1 when `value` is text containing a match of `pattern`, else 0 (numbers and NULL never match)."""
    if not isinstance(value, str):
        return 0
    try:
        return 1 if compile_regex(pattern, flags)(value) else 0
    except TimeoutError:
        _last_timeout.error = RegexTimeout(pattern)
        raise
