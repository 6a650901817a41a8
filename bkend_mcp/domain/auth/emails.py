"""E-mail addresses (spec/auth.md §4.2): trimmed, lower-cased, syntax-checked without DNS, at most 254 characters.

The check is the practical subset of RFC 5321/5322 that mail providers accept: a dot-atom local part (≤ 64) and a
domain of LDH labels with at least one dot; internationalised domains are accepted in their Unicode or punycode
form and stored as written (lower-cased).
"""

from __future__ import annotations

import re
from typing import Any

from bkend_mcp.domain.auth.inputs import invalid

MAX_LENGTH = 254
LOCAL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize(value: Any, field: str = "email") -> str:
    """The stored form of an address, or 400 `auth/invalid-email` (400 `auth/validation-error` when absent)."""
    if value is None or value == "":
        raise invalid(field, "required", f"'{field}' is required")
    if not isinstance(value, str):
        raise invalid(field, "type", f"'{field}' must be a string")
    address = value.strip().lower()
    if not is_valid(address):
        raise invalid(field, "format", f"'{field}' is not a valid email address", "auth/invalid-email")
    return address


def is_valid(address: str) -> bool:
    if len(address) > MAX_LENGTH or address.count("@") != 1:
        return False
    local, domain = address.split("@")
    if not local or len(local) > 64 or not LOCAL.match(local):
        return False
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_domain.split(".")
    return len(labels) >= 2 and all(LABEL.match(label) for label in labels) and not labels[-1].isdigit()


def local_part(address: str) -> str:
    return address.split("@", 1)[0]
