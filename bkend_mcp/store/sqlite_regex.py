"""Regular-expression matching for the SQLite store: the `bk_regexp(pattern, flags, value)` SQL function.

SQLite has no regex of its own, so filters call this Python function on each candidate value. Patterns are
capped at `MAX_PATTERN` characters and compiled once (cached); a long scan is stopped between rows by the
read time limit, but `re` cannot be interrupted inside one match, which is why patterns stay short.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from bkend_mcp.store.base import Regex

MAX_PATTERN = 256

REGEX_FLAGS: tuple[tuple[str, re.RegexFlag], ...] = (
    ("ignore_case", re.IGNORECASE),
    ("multiline", re.MULTILINE),
    ("dotall", re.DOTALL),
    ("verbose", re.VERBOSE),
)


def regex_flags(value: Regex) -> int:
    flags = 0
    for attr, flag in REGEX_FLAGS:
        if getattr(value, attr):
            flags |= flag
    return flags


@lru_cache(maxsize=256)
def compile_regex(pattern: str, flags: int) -> re.Pattern[str]:
    """The compiled pattern; ValueError when it is too long or invalid."""
    if not isinstance(pattern, str) or len(pattern) > MAX_PATTERN:
        raise ValueError(f"a regex pattern is a string of at most {MAX_PATTERN} characters")
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ValueError(f"invalid regex pattern: {exc}") from None


def regexp(pattern: str, flags: int, value: Any) -> int:
    """1 when `value` is text containing a match of `pattern`, else 0 (numbers and NULL never match)."""
    return 1 if isinstance(value, str) and compile_regex(pattern, flags).search(value) else 0
