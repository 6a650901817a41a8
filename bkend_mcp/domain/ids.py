"""Identifiers: prefixed random ids for resources and time-ordered `data_` ids for records (decision D2)."""

from __future__ import annotations

import os
import secrets
import time
import uuid

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def short_id(prefix: str) -> str:
    """`org_`, `proj_`, `env_`, `tbl_`, `key_` … followed by 20 random lowercase letters and digits.

    The digits are a 104-bit random number in base 36 (36**20 > 2**103): one read of the OS random source instead
    of twenty `secrets.choice` calls, which showed up on the hot path of every MCP call (its activity entry).
    """
    number = int.from_bytes(secrets.token_bytes(13), "big")
    digits = []
    for _ in range(20):
        number, digit = divmod(number, 36)
        digits.append(_ALPHABET[digit])
    return prefix + "".join(digits)


def uuid7() -> uuid.UUID:
    """A UUIDv7: 48 bits of Unix milliseconds, then randomness, so new ids sort by creation time."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80 | rand & ((1 << 80) - 1)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


def record_id() -> str:
    return "data_" + str(uuid7())


def user_id() -> str:
    return str(uuid.uuid4())
